// The stops a laptop user makes, on the defaults a laptop has: `npm run sync` with its embedded
// PostgreSQL, stopped by Ctrl-C in a terminal (SIGINT to the whole process group, PostgreSQL's
// too) or killed outright, then run again at once. Each next run must start, take every pair
// over and leave a mirror equal to the API's data.
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../functions/core/db/connection.ts';
import { resourcesFromSchema } from '../../functions/core/resources.ts';
import { startEmbeddedPostgres } from '../../statemachine/local/embedded-postgres.ts';
import { nodeArguments, ROOT } from '../../statemachine/local/npm-scripts.ts';
import { startSimulator, type Simulator } from '../../simulator/index.ts';
import { comparableItems, readMirror } from '../support/mirror.ts';
import { watchSync } from '../support/sync-process.ts';

let simulator: Simulator;
let directory: string;

beforeAll(async () => {
  simulator = await startSimulator({ items: 3000, seed: 61, countries: ['de'] });
  directory = await mkdtemp(join(tmpdir(), 'focus-sync-embedded-stops-'));
  // The embedded PostgreSQL runs as its own user when we are root: it must be able to enter it.
  await chmod(directory, 0o755);
});

afterAll(async () => {
  await simulator?.stop();
  await rm(directory, { recursive: true, force: true });
});

/** `npm run sync` as a terminal starts it: in a process group of its own, on the embedded defaults. */
function sync(args: string[] = []) {
  const { DATABASE_URL: _ignored, ...env } = process.env;
  const child = spawn(process.execPath, [...nodeArguments('sync'), ...args], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...env, FOCUS_LOCAL_DATA_DIR: directory, FOCUS_API_URL: simulator.url, FOCUS_BUSINESS_SERVICE: simulator.options.businessService,
      FOCUS_COUNTRIES: 'de', FOCUS_USERNAME: simulator.options.username, FOCUS_PASSWORD: simulator.options.password,
    },
  });
  return watchSync(child);
}

async function expectMirrorEqualsServer(): Promise<void> {
  const postgres = await startEmbeddedPostgres(join(directory, 'postgres'));
  const sql = connect(postgres.url);
  try {
    for (const resource of resourcesFromSchema(simulator.schema as never)) {
      const mirror = await readMirror(sql, resource.name, 'de', resource.attributes);
      expect(mirror, `${resource.name}/de`).toEqual(comparableItems(simulator.items(resource.name, 'de'), resource.attributes));
    }
    expect(await sql`SELECT * FROM focus_sync.leases`).toEqual([]);
  } finally {
    await sql.end();
    await postgres.stop();
  }
}

describe('npm run sync on the embedded PostgreSQL', () => {
  it('Ctrl-C in the terminal while a delta loads: exits 130 having recorded what it stopped; the next run converges', async () => {
    const first = sync();
    expect(await first.exited, first.output()).toBe(0);
    simulator.mutate({ created: 20, updated: 20, deleted: 20 });
    simulator.addFault({ match: '/promotions/de/updated/lines', stallAfterLines: 5, stallMs: 60_000 });
    const stopped = sync();
    await stopped.inside('LoadUpdated');
    // What the terminal does: the signal goes to the whole foreground process group.
    process.kill(-stopped.child.pid!, 'SIGINT');
    expect(await stopped.exited, stopped.output()).toBe(130);
    expect(stopped.output()).toContain('promotions/de: left as it was (stopped in LoadUpdated; its open transaction rolled back)');
    simulator.clearFaults();
    const next = sync();
    expect(await next.exited, next.output()).toBe(0);
    expect(next.output()).toContain('every pair is in sync (2 in sync, 0 skipped, 0 failed)');
    await expectMirrorEqualsServer();
  });

  it('kill -9 during a forced full reload: the next run stops the PostgreSQL it left, takes its pairs over and converges', async () => {
    simulator.mutate({ created: 5, updated: 5, deleted: 5 });
    simulator.addFault({ match: '/promotions/de/full/lines', stallAfterLines: 1_000, stallMs: 60_000 });
    const killed = sync(['--mode', 'full']);
    await killed.inside('FullLoad');
    killed.child.kill('SIGKILL');
    await killed.exited;
    simulator.clearFaults();
    const next = sync();
    expect(await next.exited, next.output()).toBe(0);
    expect(next.output()).toMatch(/promotions\/de .*took the pair over from local-\S+: its process died in FullLoad, its database session closed/);
    await expectMirrorEqualsServer();
  });
});
