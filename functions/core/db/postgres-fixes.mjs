// Run by npm's postinstall: fixes to postgres.js 3.4.9 proposed upstream, applied to the installed
// copy until a release carries them (the Lambda bundles are built from it too). Each is inserted
// after its anchor, once; a copy whose anchor has changed is left alone, with a warning.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const FIXES = [
  {
    // A `COPY … FROM STDIN` writable never settles when PostgreSQL rejects the data after the last
    // chunk was sent (porsager/postgres#1173, fix #1183): a load would hang until its timeout, and
    // inside a transaction leave the connection aborted, instead of failing with the server's
    // error. test/integration/copy.test.ts fails without it.
    issue: 'porsager/postgres#1173',
    anchor: '  function errored(err) {\n',
    fix: '    final && (final(err), final = null)\n',
  },
  {
    // A write that closes a transaction whose connection died (a crash, a failover) is scheduled
    // for the next tick on a socket that is gone by then: the TypeError, thrown from a timer, took
    // the whole process down (porsager/postgres#1208, fix #1209). The write's query now fails with
    // CONNECTION_CLOSED instead. Without it, test/integration/staging-lost.test.ts's crash in the
    // middle of a reload ends, in most runs, with that uncaught TypeError (vitest then fails).
    issue: 'porsager/postgres#1208',
    anchor: '  function nextWrite(fn) {\n',
    fix: [
      '    if (!socket) {\n',
      '      nextWriteTimer !== null && clearImmediate(nextWriteTimer)\n',
      '      chunk = nextWriteTimer = null\n',
      "      error(Errors.connection('CONNECTION_CLOSED', options))\n",
      '      return false\n',
      '    }\n',
    ].join(''),
  },
];

const root = new URL('../../../node_modules/postgres/', import.meta.url);

for (const file of ['src/connection.js', 'cjs/src/connection.js', 'cf/src/connection.js']) {
  const path = new URL(file, root);
  if (!existsSync(path)) continue;
  let text = readFileSync(path, 'utf8');
  for (const { issue, anchor, fix } of FIXES) {
    if (text.includes(anchor + fix)) continue;
    if (!text.includes(anchor)) {
      console.warn(`postgres-fixes: ${file} has changed; check whether ${issue} is fixed and remove its fix`);
      continue;
    }
    text = text.replace(anchor, anchor + fix);
  }
  writeFileSync(path, text);
}
