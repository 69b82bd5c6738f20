// A throw-away certificate authority and a server certificate it signs for localhost and
// 127.0.0.1: the local PostgreSQL speaks TLS with it, and the functions verify it (verify-full).
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigurationError } from '../../functions/core/errors.ts';

export interface Certificates {
  /** The CA's certificate: what NODE_EXTRA_CA_CERTS points at. */
  caFile: string;
  /** The server's certificate and key, PEM. */
  cert: string;
  key: string;
}

const SUBJECT_ALT_NAMES = 'subjectAltName=DNS:localhost,IP:127.0.0.1';

/** Written into `directory` with openssl; nothing outlives the rehearsal that made them. */
export async function createCertificates(directory: string): Promise<Certificates> {
  await mkdir(directory, { recursive: true });
  const path = (name: string) => join(directory, name);
  const openssl = (...args: string[]) => {
    try {
      execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      throw new ConfigurationError(missing
        ? 'The rehearsal needs openssl to make the local PostgreSQL\'s TLS certificate: install it (apt-get install openssl, brew install openssl)'
        : `openssl ${args[0]} failed: ${String((error as { stderr?: Buffer }).stderr ?? error).trim()}`, { cause: error });
    }
  };
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=focus-sync rehearsal CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-keyout', path('ca.key'), '-out', path('ca.pem'));
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', path('server.key'), '-out', path('server.csr'));
  await writeFile(path('server.ext'), `${SUBJECT_ALT_NAMES}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`);
  openssl('x509', '-req', '-in', path('server.csr'), '-CA', path('ca.pem'), '-CAkey', path('ca.key'), '-CAcreateserial',
    '-days', '1', '-extfile', path('server.ext'), '-out', path('server.pem'));
  return { caFile: path('ca.pem'), cert: await readFile(path('server.pem'), 'utf8'), key: await readFile(path('server.key'), 'utf8') };
}
