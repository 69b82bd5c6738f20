// npm run bench -- [--items 1000000] [--repetitions 3] [--output bench/RESULTS.md]
// Measures, in one run and as ratios: the simulator's HTTP read rate, PostgreSQL's COPY ceiling,
// our full load (whole `npm run sync` process) and its peak memory, a 1% delta, an unchanged run,
// and each step's Lambda bundle. Uses DATABASE_URL if set, else an embedded PostgreSQL 16.
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { FocusApi } from '../functions/core/api/client.ts';
import { loadConfig } from '../functions/core/config.ts';
import { connect, type Sql } from '../functions/core/db/connection.ts';
import { encodeLines, stagedColumns } from '../functions/core/db/copy.ts';
import { resourcesFromSchema } from '../functions/core/resources.ts';
import { closeRuntime, createRuntime } from '../functions/core/runtime.ts';
import { taskStates } from '../statemachine/local/definition.ts';
import { startEmbeddedPostgres } from '../statemachine/local/embedded-postgres.ts';
import { loadDefinition, runStateMachine } from '../statemachine/local/runner.ts';
import { measureLambdas, median } from './lambda.ts';
import { startSimulatorProcess, runSyncProcess } from './processes.ts';
import { formatSteps, writeReport, type SizeFigures } from './report.ts';

const { values } = parseArgs({ options: {
  items: { type: 'string', default: '1000000' },
  repetitions: { type: 'string', default: '3' },
  output: { type: 'string', default: join(import.meta.dirname, 'RESULTS.md') },
} });
const items = Number(values.items);
const repetitions = Number(values.repetitions);
const SCHEMA_FILE = join(import.meta.dirname, 'schema.json');
const resource = resourcesFromSchema(JSON.parse(await readFile(SCHEMA_FILE, 'utf8')))[0]!;
const log = (line: string) => process.stderr.write(`${line}\n`);

const scratch = await mkdtemp(join(tmpdir(), 'focus-sync-bench-'));
await chmod(scratch, 0o755);
const postgres = process.env.DATABASE_URL ? { url: process.env.DATABASE_URL, stop: async () => {} } : await startEmbeddedPostgres(join(scratch, 'postgres'), { persistent: false });
const admin = connect(postgres.url, { max: 1 });
try {
  const sizes: SizeFigures[] = [];
  for (const size of [Math.max(1, Math.round(items / 10)), items]) sizes.push(await measureSize(size));
  const lambdas = await measureLambdas(taskStates(await loadDefinition()), repetitions);
  const [{ version }] = await admin<[{ version: string }]>`SELECT current_setting('server_version') AS version`;
  const report = await writeReport(values.output, { items, repetitions, postgres: version, sizes, lambdas });
  process.stdout.write(report);
} finally {
  await admin.end();
  await postgres.stop();
  await rm(scratch, { recursive: true, force: true });
}

async function measureSize(size: number): Promise<SizeFigures> {
  log(`— ${size} rows`);
  const simulator = await startSimulatorProcess(['--items', String(size), '--countries', 'de', '--seed', '1', '--schema', SCHEMA_FILE]);
  const database = `focus_bench_${size}`;
  await admin.unsafe(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.unsafe(`CREATE DATABASE ${database}`);
  const url = new URL(postgres.url);
  url.pathname = `/${database}`;
  const env = {
    FOCUS_API_URL: simulator.url, FOCUS_BUSINESS_SERVICE: 'promo', FOCUS_COUNTRIES: 'de',
    FOCUS_USERNAME: 'demo', FOCUS_PASSWORD: 'demo', DATABASE_URL: url.toString(),
  };
  const config = loadConfig(env);
  const api = new FocusApi(config.api);
  const sql = connect(url.toString(), { max: 2 });
  try {
    const httpRead = await timeEach(() => readBody(api, 'full'));
    log(`  HTTP read ${rate(size, httpRead)} rows/s`);
    const full = [];
    for (let run = 0; run < repetitions; run += 1) {
      await sql.unsafe('DROP SCHEMA IF EXISTS focus_de CASCADE; DROP SCHEMA IF EXISTS focus_sync CASCADE');
      full.push(await runSyncProcess([], env, scratch));
    }
    log(`  full load ${rate(size, full.map((run) => run.seconds))} rows/s, peak RSS ${Math.max(...full.map((run) => run.peakRssMb)).toFixed(0)} MB`);
    const ceiling = await copyCeiling(sql, api, size);
    log(`  COPY ceiling ${rate(size, ceiling)} rows/s`);
    const unchanged = await timeEach(() => syncInProcess(config));
    const delta: Array<{ readSeconds: number; applySeconds: number; steps: Record<string, number> }> = [];
    const change = Math.max(1, Math.round(size / 300));
    for (let run = 0; run < repetitions; run += 1) {
      await fetch(`${simulator.url}/__simulator/mutate`, { method: 'POST', body: JSON.stringify({ created: change, updated: change, deleted: change }) });
      const [{ watermark }] = await sql<[{ watermark: string }]>`SELECT to_char(watermark, 'YYYY-MM-DD"T"HH24:MI:SS.US') AS watermark FROM focus_sync.state`;
      const readSeconds = await timeOnce(async () => { for (const mode of ['created', 'updated', 'deleted'] as const) await readBody(api, mode, watermark); });
      const steps = await stepSeconds(config, ['LoadCreated', 'LoadUpdated', 'LoadDeleted', 'ApplyDelta']);
      log(`  delta steps: ${formatSteps(steps)}; reading ${(readSeconds * 1000).toFixed(0)} ms`);
      delta.push({ readSeconds, applySeconds: Object.values(steps).reduce((sum, seconds) => sum + seconds, 0), steps });
    }
    log(`  unchanged run ${median(unchanged).toFixed(2)} s; delta of ${change * 3}: ${median(delta.map((run) => run.applySeconds)).toFixed(2)} s, reading it ${median(delta.map((run) => run.readSeconds)).toFixed(2)} s`);
    return {
      size,
      httpRead: median(httpRead),
      ceiling: median(ceiling),
      full: median(full.map((run) => run.seconds)),
      peakRssMb: Math.max(...full.map((run) => run.peakRssMb)),
      unchanged: median(unchanged),
      deltaChanges: change * 3,
      deltaRead: median(delta.map((run) => run.readSeconds)),
      deltaApply: median(delta.map((run) => run.applySeconds)),
      deltaSteps: Object.fromEntries(Object.keys(delta[0]!.steps).map((state) => [state, median(delta.map((run) => run.steps[state] ?? 0))])),
    };
  } finally {
    await sql.end();
    await simulator.stop();
    await admin.unsafe(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }
}

/** PostgreSQL alone: the same rows, already COPY text in a local file, into an identical empty table. */
async function copyCeiling(sql: Sql, api: FocusApi, size: number): Promise<number[]> {
  const file = join(scratch, `rows-${size}.copy`);
  await pipeline(Readable.from(encodeLines(api.lines('promotions', 'de', 'full'), stagedColumns(resource), 'bench')), createWriteStream(file));
  const seconds = [];
  for (let run = 0; run < repetitions; run += 1) {
    await sql.unsafe('DROP TABLE IF EXISTS public.ceiling; CREATE TABLE public.ceiling (LIKE focus_de.promotions INCLUDING ALL)');
    seconds.push(await timeOnce(async () => pipeline(createReadStream(file), await sql.unsafe('COPY public.ceiling FROM STDIN').writable())));
  }
  await sql.unsafe('DROP TABLE public.ceiling');
  await rm(file);
  return seconds;
}

/** Runs the state machine in this process; returns the whole run's seconds. */
async function syncInProcess(config: ReturnType<typeof loadConfig>): Promise<number> {
  const started = performance.now();
  await stepSeconds(config, []);
  return (performance.now() - started) / 1000;
}

/** Runs the state machine in this process; returns the seconds each of the named steps took. */
async function stepSeconds(config: ReturnType<typeof loadConfig>, steps: string[]): Promise<Record<string, number>> {
  const entered = new Map<string, number>();
  const seconds: Record<string, number> = {};
  const result = await runStateMachine({
    input: {},
    runtime: createRuntime(config),
    onEvent: (event) => {
      if (!('state' in event) || !steps.includes(event.state.name)) return;
      if (event.type === 'StateEntered') entered.set(event.state.name, event.timestamp);
      if (event.type === 'StateExited') seconds[event.state.name] = (seconds[event.state.name] ?? 0) + (event.timestamp - entered.get(event.state.name)!) / 1000;
    },
  });
  await closeRuntime();
  if (result.status !== 'SUCCEEDED') throw new Error(`the benchmarked sync failed: ${result.error?.name}: ${result.error?.cause}`);
  return seconds;
}

async function readBody(api: FocusApi, mode: 'full' | 'created' | 'updated' | 'deleted', since?: string): Promise<void> {
  for await (const _line of api.lines('promotions', 'de', mode, since)) { /* reading is what is measured */ }
}

async function timeEach(work: () => Promise<unknown>): Promise<number[]> {
  const seconds = [];
  for (let run = 0; run < repetitions; run += 1) seconds.push(await timeOnce(work));
  return seconds;
}

async function timeOnce(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
}

function rate(size: number, seconds: number[]): string {
  return Math.round(size / median(seconds)).toLocaleString('en');
}
