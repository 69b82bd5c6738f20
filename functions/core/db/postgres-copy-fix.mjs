// Run by npm's postinstall. postgres.js 3.4.9 never settles a `COPY … FROM STDIN` writable when
// PostgreSQL rejects the data after the last chunk was sent (porsager/postgres#1173): a load would
// hang until its timeout, and inside a transaction leave the connection aborted, instead of failing
// with the server's error. This applies the one-line fix proposed upstream (porsager/postgres#1183)
// to the installed copy, until a release carries it; test/integration/copy.test.ts fails without it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const ANCHOR = 'function errored(err) {\n';
const FIX = '    final && (final(err), final = null)\n';
const root = new URL('../../../node_modules/postgres/', import.meta.url);

for (const file of ['src/connection.js', 'cjs/src/connection.js', 'cf/src/connection.js']) {
  const path = new URL(file, root);
  if (!existsSync(path)) continue;
  const text = readFileSync(path, 'utf8');
  if (text.includes(ANCHOR + FIX)) continue;
  if (!text.includes(ANCHOR)) {
    console.warn(`postgres-copy-fix: ${file} has changed; check whether porsager/postgres#1173 is fixed and remove this script`);
    continue;
  }
  writeFileSync(path, text.replace(ANCHOR, ANCHOR + FIX));
}
