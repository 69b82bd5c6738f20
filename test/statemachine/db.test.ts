// npm run db: the embedded PostgreSQL of npm run sync, up for queries until it is told to stop.
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { connect } from '../../functions/core/db/connection.ts';
import { nodeArguments, ROOT } from '../../statemachine/local/npm-scripts.ts';

const dataDir = await mkdtemp(join(tmpdir(), 'focus-sync-db-'));
await chmod(dataDir, 0o755);

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('npm run db', () => {
  it('starts the embedded PostgreSQL in FOCUS_LOCAL_DATA_DIR, prints a URL that answers, and stops cleanly on SIGTERM', async () => {
    const env = { ...process.env, FOCUS_LOCAL_DATA_DIR: dataDir, DATABASE_URL: '' };
    const child = spawn(process.execPath, nodeArguments('db'), { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const url = await new Promise<string>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`npm run db exited with ${code}`)));
      createInterface({ input: child.stdout }).on('line', (line) => {
        const match = /^ {2}(postgres:\/\/\S+)$/.exec(line);
        if (match) resolve(match[1]!);
      });
    });
    const sql = connect(url, { max: 1 });
    expect(await sql`SELECT current_setting('data_directory') AS directory`).toEqual([{ directory: join(dataDir, 'postgres') }]);
    await sql.end();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);

  it('starts nothing when DATABASE_URL names the database, and says so without printing it', async () => {
    const env = { ...process.env, DATABASE_URL: 'postgres://focus:s3cret@db.example:5432/focus' };
    const child = spawn(process.execPath, nodeArguments('db'), { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk; });
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(0);
    expect(output).toContain('DATABASE_URL is set');
    expect(output).not.toContain('s3cret');
  });
});
