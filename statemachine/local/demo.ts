// npm start: the whole product in a minute, nothing to configure. The built-in simulator and a
// throw-away embedded PostgreSQL; a full sync, changes on the API, a delta sync, all in sync.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../functions/core/config.ts';
import { closeRuntime, createRuntime } from '../../functions/core/runtime.ts';
import { startSimulator } from '../../simulator/index.ts';
import { taskStates } from './definition.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { printEvents, printResult } from './report.ts';
import { loadDefinition, runStateMachine } from './runner.ts';

const write = (line: string) => process.stdout.write(`${line}\n`);
const CHANGES = { created: 120, updated: 300, deleted: 45 };

const directory = await mkdtemp(join(tmpdir(), 'focus-sync-demo-'));
await chmod(directory, 0o755);
const simulator = await startSimulator({ items: 10_000 });
const postgres = await startEmbeddedPostgres(join(directory, 'postgres'), { persistent: false });
try {
  write(`focus-sync demo: the Focus API simulator at ${simulator.url} and an embedded PostgreSQL 16 in ${directory}`);
  const config = loadConfig({
    FOCUS_API_URL: simulator.url,
    FOCUS_BUSINESS_SERVICE: simulator.options.businessService,
    FOCUS_COUNTRIES: simulator.options.countries.join(','),
    FOCUS_USERNAME: simulator.options.username,
    FOCUS_PASSWORD: simulator.options.password,
    DATABASE_URL: postgres.url,
  });
  const onEvent = printEvents(write, new Set(taskStates(await loadDefinition())));
  const sync = async (title: string) => {
    write(`\n== ${title}\n`);
    const result = await runStateMachine({ input: {}, runtime: createRuntime(config), onEvent });
    await closeRuntime();
    printResult(write, result);
    if (result.status !== 'SUCCEEDED') throw new Error(`the ${title.toLowerCase()} did not end in sync`);
    return result;
  };
  const started = Date.now();
  await sync('1. First run: the tables are empty, so every pair is loaded in full');
  const { totals } = simulator.mutate(CHANGES);
  write(`\n== 2. The API changes: ${CHANGES.created} items created, ${CHANGES.updated} updated and ${CHANGES.deleted} deleted in every resource and country`);
  write(`   Live items now: ${Object.entries(totals).flatMap(([resource, countries]) => Object.entries(countries).map(([country, total]) => `${resource}/${country} ${total}`)).join(', ')}`);
  await sync('3. Second run: only the changes since each watermark are read and applied');
  write(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s: the mirror's COUNT(*) equals the API's total_items for every pair.`);
  write('Next: `npm run sync` (your own API and database via .env), `npm test`, and the README.');
} catch (error) {
  process.stderr.write(`Demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await simulator.stop();
  await postgres.stop();
  await rm(directory, { recursive: true, force: true });
}
// Ends the process with the run's exit code, whatever handles are left open.
process.exit(process.exitCode ?? 0);
