// One postgres.js client per process. Dates and timestamps come back as the server's text,
// never as a JS Date, which would drop their microseconds.
import { connect as connectTcp, type Socket } from 'node:net';
import postgres from 'postgres';
import type { DatabaseSsl } from '../config.ts';

export type Sql = postgres.Sql;

const asText = (value: unknown) => String(value);

// 'verify-full' checks the certificate chain and the host name; 'require' only encrypts.
const TLS: Record<DatabaseSsl, false | 'require' | 'verify-full'> = { disable: false, require: 'require', 'verify-full': 'verify-full' };

/** Without `ssl`, the URL's sslmode decides (postgres.js lets an explicit option win over it). `lasting`: never closed while idle or old. */
export function connect(url: string, options: { max?: number; ssl?: DatabaseSsl; lasting?: boolean } = {}): Sql {
  return postgres(url, {
    ...(options.ssl && { ssl: TLS[options.ssl] }),
    max: options.max ?? 4,
    idle_timeout: options.lasting ? 0 : 60,
    // A lasting connection holds a session-level lock for a whole run: never closed by the pool.
    ...(options.lasting && { max_lifetime: 0 }),
    connect_timeout: CONNECT_TIMEOUT_SECONDS,
    // Typed in postgres.js's documentation, not in its .d.ts.
    ...({ socket: socketWithoutDelay } as object),
    onnotice: () => {},
    connection: { application_name: 'focus-sync' },
    types: {
      timestamp: { to: 1114, from: [1082, 1114, 1184], serialize: asText, parse: asText },
    },
  });
}
export type Transaction = postgres.TransactionSql;

const CONNECT_TIMEOUT_SECONDS = 15;

/**
 * A TCP connection with Nagle's algorithm off. postgres.js leaves it on, and its small writes then
 * wait for the server's delayed ACK: about 40 ms for many a statement on Linux, which made a
 * 10,000-row delta several times slower (bench/RESULTS.md). One host, as DATABASE_URL names it.
 */
function socketWithoutDelay(options: { host: string[]; port: number[]; path?: string | false }): Promise<Socket> {
  const [host, port] = [options.host[0]!, options.port[0]!];
  return new Promise((resolve, reject) => {
    const socket = options.path ? connectTcp({ path: options.path }) : connectTcp({ host, port, noDelay: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error(`connecting to ${host}:${port} timed out after ${CONNECT_TIMEOUT_SECONDS} s`), { code: 'CONNECT_TIMEOUT' }));
    }, CONNECT_TIMEOUT_SECONDS * 1000);
    // postgres.js reads the host from the socket to check a TLS certificate's name against it.
    Object.assign(socket, { host, port });
    const failed = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    socket.once('error', failed);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeListener('error', failed);
      resolve(socket);
    });
  });
}
