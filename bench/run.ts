// npm run bench -- [--items 1000000] [--repetitions 3] [--output bench/RESULTS.md]
// Measures, in one run and as ratios: the simulator's HTTP read rate, our encoding alone (no
// database), PostgreSQL's COPY ceiling, our full load (whole `npm run sync` process) with its CPU
// time and peak memory, forced full reloads with 0% and 1% changed against the load and the
// table's size, a 1% delta against reading its lines and against PostgreSQL applying as many
// changes alone, an unchanged run, a resource with a column of every API type against its own
// ceiling, four pairs loading at once, and each step's Lambda bundle. Uses DATABASE_URL if set,
// else an embedded PostgreSQL 16.
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { FocusApi } from '../functions/core/api/client.ts';
import { loadConfig } from '../functions/core/config.ts';
import { connect, type Sql } from '../functions/core/db/connection.ts';
import { encodeLines, RowLines, stagedColumns, stageLines, TextNeeded } from '../functions/core/db/copy.ts';
import { deltaStatements } from '../functions/core/db/mirror.ts';
import { resourcesFromSchema, type Resource } from '../functions/core/resources.ts';
import { closeRuntime, createRuntime } from '../functions/core/runtime.ts';
import { taskStates } from '../statemachine/local/definition.ts';
import { startEmbeddedPostgres } from '../statemachine/local/embedded-postgres.ts';
import { loadDefinition, runStateMachine } from '../statemachine/local/runner.ts';
import { measureLambdas, median } from './lambda.ts';
import { startSimulatorProcess, runSyncProcess, type SyncProcessResult } from './processes.ts';
import { formatSteps, writeReport, type FairnessFigures, type LoadFigures, type SizeFigures } from './report.ts';

const { values } = parseArgs({ options: {
  items: { type: 'string', default: '1000000' },
  repetitions: { type: 'string', default: '3' },
  output: { type: 'string', default: join(import.meta.dirname, 'RESULTS.md') },
} });
const items = Number(values.items);
const repetitions = Number(values.repetitions);
/** The pace of an API that leaves the machine room beside a load (see measurePacedReloads). */
const PACED_LINES_PER_SECOND = 100_000;
/**
 * Rounds of the delta and of its floor: more than repetitions (see measureSize). Seven gave the
 * same code 1.11–1.35 × its floor over four runs of the benchmark.
 */
const deltaRounds = 4 * repetitions + 1;

/** A resource the benchmark loads: from its own schema file, served alone by its own simulator. */
interface Target {
  /** Undefined: the simulator's own schema, two resources with every type between them. */
  schemaFile?: string;
  resource: Resource;
  table: string;
}
const target = async (file: string): Promise<Target> => {
  const schemaFile = join(import.meta.dirname, file);
  const resource = resourcesFromSchema(JSON.parse(await readFile(schemaFile, 'utf8')))[0]!;
  return { schemaFile, resource, table: `focus_de.${resource.name}` };
};
// The 12-column resource of every earlier round, and one with a column of every API type.
const PROMOTIONS = await target('schema.json');
const EVERY_TYPE = await target('every-type.json');
const SIMULATOR_DEFAULT: Target = { resource: { name: 'promotions', attributes: [] }, table: 'focus_de.promotions' };
const FAIRNESS_COUNTRIES = ['de', 'at'];
const log = (line: string) => process.stderr.write(`${line}\n`);
let checkpointRefused = false;

const scratch = await mkdtemp(join(tmpdir(), 'focus-sync-bench-'));
await chmod(scratch, 0o755);
const postgres = process.env.DATABASE_URL ? { url: process.env.DATABASE_URL, stop: async () => {} } : await startEmbeddedPostgres(join(scratch, 'postgres'), { persistent: false });
const admin = connect(postgres.url, { max: 1 });
try {
  const sizes: SizeFigures[] = [];
  const everyType: LoadFigures[] = [];
  for (const size of [Math.max(1, Math.round(items / 10)), items]) {
    sizes.push(await measureSize(size));
    everyType.push(await withTarget(EVERY_TYPE, size, (context) => measureLoads(context, false)));
  }
  const fairness = await withTarget(SIMULATOR_DEFAULT, Math.round(items / 4), measureFairness, FAIRNESS_COUNTRIES);
  const lambdas = await measureLambdas(taskStates(await loadDefinition()), repetitions);
  const [{ version }] = await admin<[{ version: string }]>`SELECT current_setting('server_version') AS version`;
  const report = await writeReport(values.output, { items, repetitions, postgres: version, sizes, everyType, fairness, lambdas });
  process.stdout.write(report);
} finally {
  await admin.end();
  await postgres.stop();
  await rm(scratch, { recursive: true, force: true });
}

interface Context {
  target: Target;
  size: number;
  sql: Sql;
  api: FocusApi;
  env: Record<string, string>;
  config: ReturnType<typeof loadConfig>;
  mutate: () => Promise<unknown>;
  /** Changes made by each mutate: as many created, updated and deleted, 1% of the rows in all. */
  change: number;
}

/** A simulator serving `target` with `size` items and a database of its own, for `work`. */
async function withTarget<T>(target: Target, size: number, work: (context: Context) => Promise<T>, countries = ['de']): Promise<T> {
  log(`— ${size} rows of ${target.schemaFile ? target.resource.name : 'each pair of the simulator\'s own schema'}`);
  const schema = target.schemaFile ? ['--schema', target.schemaFile] : [];
  const simulator = await startSimulatorProcess(['--items', String(size), '--countries', countries.join(','), '--seed', '1', ...schema]);
  const database = `focus_bench_${size}`;
  await admin.unsafe(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.unsafe(`CREATE DATABASE ${database}`);
  const url = new URL(postgres.url);
  url.pathname = `/${database}`;
  const env = {
    FOCUS_API_URL: simulator.url, FOCUS_BUSINESS_SERVICE: 'promo', FOCUS_COUNTRIES: countries.join(','),
    FOCUS_USERNAME: 'demo', FOCUS_PASSWORD: 'demo', DATABASE_URL: url.toString(),
  };
  const config = loadConfig(env);
  const sql = connect(url.toString(), { max: 2 });
  const change = Math.max(1, Math.round(size / 300));
  const mutate = () => fetch(`${simulator.url}/__simulator/mutate`, { method: 'POST', body: JSON.stringify({ created: change, updated: change, deleted: change }) });
  try {
    return await work({ target, size, sql, api: new FocusApi(config.api), env, config, mutate, change });
  } finally {
    await sql.end();
    await simulator.stop();
    await admin.unsafe(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }
}

/**
 * The full load against its COPY ceiling, each repetition side by side (a slow spell of a shared
 * machine then weighs on both, and their ratio is taken pair by pair), with `reloads`, forced full
 * reloads of the table each repetition loaded.
 */
async function measureLoads(context: Context, reloads: boolean): Promise<LoadFigures & { reload: Array<ReloadFigures & { load: number }> }> {
  const { size, sql, api, env, target } = context;
  let textAgain: string | null = null;
  const encodeOnly = await timeEach(async () => {
    textAgain = await encodeBody(api, target, true, new RowLines());
  });
  const encoded = new RowLines();
  await encodeBody(api, target, false, encoded);
  const javaScriptShare = encoded.byJavaScript / encoded.count;
  log(`  HTTP → COPY binary, no database ${rate(size, encodeOnly)} rows/s (${textAgain ?? 'every line in binary'}); in COPY text ${(javaScriptShare * 100).toFixed(2)}% of the rows by the JavaScript encoders`);
  const copyFile = await writeCopyText(api, target, size, false);
  const binaryFile = await writeCopyText(api, target, size, true);
  const full: SyncProcessResult[] = [];
  const ceiling: number[] = [];
  const binaryCeiling: number[] = [];
  const busy: number[] = [];
  const reload: ReloadFigures[] = [];
  for (let run = 0; run < repetitions; run += 1) {
    await sql.unsafe('DROP SCHEMA IF EXISTS focus_de CASCADE; DROP SCHEMA IF EXISTS focus_sync CASCADE');
    await checkpoint(sql);
    const machine = machineCpu();
    full.push(await runSyncProcess([], env, scratch));
    busy.push(machine.busy());
    ceiling.push(await copyCeiling(sql, target, copyFile, false));
    binaryCeiling.push(await copyCeiling(sql, target, binaryFile, true));
    log(`  full load ${rate(size, [full.at(-1)!.seconds])} rows/s (sync CPU ${full.at(-1)!.cpuSeconds.toFixed(1)} s, machine ${(busy.at(-1)! * 100).toFixed(0)}% busy), COPY ceiling ${rate(size, [ceiling.at(-1)!])} rows/s, in binary ${rate(size, [binaryCeiling.at(-1)!])} rows/s`);
    if (!reloads) continue;
    reload.push(await measureReloads(context));
    const last = reload.at(-1)!;
    log(`  forced full reload ${(last.unchanged / full.at(-1)!.seconds).toFixed(2)} × the load unchanged, ${(last.changed / full.at(-1)!.seconds).toFixed(2)} × with ${context.change * 3} changes; table ${mb(last.freshBytes)} → ${mb(last.unchangedBytes)} → ${mb(last.changedBytes)}`);
  }
  await Promise.all([rm(copyFile), rm(binaryFile)]);
  log(`  peak RSS ${Math.max(...full.map((run) => run.peakRssMb)).toFixed(0)} MB`);
  return {
    size,
    encodeOnly: median(encodeOnly),
    javaScriptShare,
    textAgain,
    ceiling: median(ceiling),
    binaryCeiling: median(binaryCeiling),
    full: median(full.map((run) => run.seconds)),
    ratios: full.map((run, index) => ceiling[index]! / run.seconds),
    syncCpu: median(full.map((run) => run.cpuSeconds)),
    machineBusy: median(busy),
    peakRssMb: Math.max(...full.map((run) => run.peakRssMb)),
    // Each with the seconds of the full load it followed.
    reload: reload.map((run, index) => ({ ...run, load: full[index]!.seconds })),
  };
}

async function measureSize(size: number): Promise<SizeFigures> {
  return withTarget(PROMOTIONS, size, async (context) => {
    const { sql, api, config, mutate, change, target } = context;
    const httpRead = await timeEach(() => readBody(api, target, 'full'));
    log(`  HTTP read ${rate(size, httpRead)} rows/s`);
    const { reload, ...loads } = await measureLoads(context, true);
    await settle(sql);
    const unchanged = await timeEach(() => syncInProcess(config));
    // A delta takes a few tenths of a second, where a passing spell of the shared machine weighs
    // much: more rounds than repetitions, each a delta and then its floor, side by side.
    const delta: Array<{ readSeconds: number; applySeconds: number; steps: Record<string, number> }> = [];
    const alone: Array<{ copy: number; apply: number }> = [];
    for (let run = 0; run < deltaRounds; run += 1) {
      await mutate();
      const watermark = await watermarkOf(sql);
      const readSeconds = await timeOnce(async () => { for (const mode of ['created', 'updated', 'deleted'] as const) await readBody(api, target, mode, watermark); });
      await checkpoint(sql);
      const steps = await stepSeconds(config, ['LoadCreated', 'LoadUpdated', 'ApplyDelta']);
      delta.push({ readSeconds, applySeconds: Object.values(steps).reduce((sum, seconds) => sum + seconds, 0), steps });
      await mutate();
      alone.push(await applyAlone(sql, config.databaseUrl, api, target, await watermarkOf(sql)));
      // The sync applies these changes, so that the next round stages only its own.
      await syncInProcess(config);
      log(`  delta steps: ${formatSteps(steps)}; reading ${(readSeconds * 1000).toFixed(0)} ms; PostgreSQL alone applying as many ${(alone.at(-1)!.apply * 1000).toFixed(0)} ms`);
    }
    log(`  unchanged run ${median(unchanged).toFixed(2)} s; delta of ${change * 3}: ${median(delta.map((run) => run.applySeconds)).toFixed(2)} s, reading it ${median(delta.map((run) => run.readSeconds)).toFixed(2)} s`);
    log(`  PostgreSQL alone applying a delta of ${change * 3}: ${median(alone.map((run) => run.apply)).toFixed(2)} s, after copying it into the stages in ${median(alone.map((run) => run.copy)).toFixed(2)} s`);
    const pacedReloadRatios = await measurePacedReloads(context);
    return {
      ...loads,
      httpRead: median(httpRead),
      reloadRatios: reload.map((run) => run.unchanged / run.load),
      changedReloadRatios: reload.map((run) => run.changed / run.load),
      pacedReloadRatios,
      reloadGrowth: Math.max(...reload.map((run) => run.unchangedBytes / run.freshBytes)),
      changedReloadGrowth: Math.max(...reload.map((run) => run.changedBytes / run.freshBytes)),
      unchanged: median(unchanged),
      deltaChanges: change * 3,
      deltaRead: median(delta.map((run) => run.readSeconds)),
      deltaApply: median(delta.map((run) => run.applySeconds)),
      applyAlone: median(alone.map((run) => run.apply)),
      floorRatios: delta.map((run, index) => run.applySeconds / (run.readSeconds + alone[index]!.apply)),
      copyAlone: median(alone.map((run) => run.copy)),
      deltaSteps: Object.fromEntries(Object.keys(delta[0]!.steps).map((state) => [state, median(delta.map((run) => run.steps[state] ?? 0))])),
    };
  });
}

/**
 * Four pairs loading at once (the simulator's two resources in two countries, one Map of
 * mapConcurrency 4, run in this process): each pair's rate over its own FullLoad step.
 */
async function measureFairness({ sql, config, size }: Context): Promise<FairnessFigures> {
  const runs: Array<Record<string, number>> = [];
  for (let run = 0; run < repetitions; run += 1) {
    await sql.unsafe(`${FAIRNESS_COUNTRIES.map((country) => `DROP SCHEMA IF EXISTS focus_${country} CASCADE; `).join('')}DROP SCHEMA IF EXISTS focus_sync CASCADE`);
    await checkpoint(sql);
    const seconds = await stepSeconds(config, ['FullLoad'], (state) => `${state.input.resource}/${state.input.country}`);
    const rates = Object.fromEntries(Object.entries(seconds).map(([pair, taken]) => [pair, size / taken]));
    log(`  four pairs at once: ${Object.entries(rates).map(([pair, perSecond]) => `${pair} ${Math.round(perSecond).toLocaleString('en')} rows/s`).join(', ')}`);
    runs.push(rates);
  }
  return { rowsPerPair: size, runs };
}

interface ReloadFigures {
  unchanged: number;
  changed: number;
  freshBytes: number;
  unchangedBytes: number;
  changedBytes: number;
}

/**
 * Forced full reloads (whole `npm run sync -- --mode full` processes) of the table just loaded:
 * first with nothing changed, then with 1% of the rows created, updated or deleted; the seconds of
 * each and the table's size (heap, index and TOAST) before and after, with no VACUUM between.
 */
async function measureReloads({ sql, env, mutate, target }: Context): Promise<ReloadFigures> {
  const bytes = async () => Number((await sql<[{ bytes: string }]>`SELECT pg_total_relation_size(${target.table}) AS bytes`)[0].bytes);
  const freshBytes = await bytes();
  // What autovacuum does to a table within a minute of its load (a forced full load runs on a
  // table that has been there a while): done here, so that its pass does not fall inside a reload.
  await sql.unsafe(`VACUUM (ANALYZE) ${target.table}`);
  await checkpoint(sql);
  const unchanged = (await runSyncProcess(['--mode', 'full'], env, scratch)).seconds;
  const unchangedBytes = await bytes();
  await mutate();
  await checkpoint(sql);
  const changed = (await runSyncProcess(['--mode', 'full'], env, scratch)).seconds;
  const [found] = await sql<[{ added: string; changed: string; removed: string }]>`
    SELECT rows_added AS added, rows_changed AS changed, rows_removed AS removed FROM focus_sync.runs ORDER BY started_at DESC LIMIT 1`;
  log(`  the reload after the changes found ${found.added} added, ${found.changed} changed, ${found.removed} removed`);
  return { unchanged, changed, freshBytes, unchangedBytes, changedBytes: await bytes() };
}

/**
 * Forced full reloads against an API that sends its lines at PACED_LINES_PER_SECOND, as a remote
 * one does, rather than as fast as the simulator can on the cores it shares: PostgreSQL then has
 * room beside the load, as it has on its own machine (RDS) beside a Lambda's load. Each
 * repetition empties the table and loads it (a first load), then reloads it unchanged; returns
 * each reload ÷ its load.
 */
async function measurePacedReloads({ sql, env, target }: Context): Promise<number[]> {
  const pace = (linesPerSecond: number) => fetch(`${env.FOCUS_API_URL}/__simulator/pace`, { method: 'POST', body: JSON.stringify({ linesPerSecond }) });
  await pace(PACED_LINES_PER_SECOND);
  try {
    const ratios: number[] = [];
    for (let run = 0; run < repetitions; run += 1) {
      await sql.unsafe(`TRUNCATE ${target.table}`);
      await checkpoint(sql);
      const load = (await runSyncProcess([], env, scratch)).seconds;
      await sql.unsafe(`VACUUM (ANALYZE) ${target.table}`);
      await checkpoint(sql);
      const reload = (await runSyncProcess(['--mode', 'full'], env, scratch)).seconds;
      ratios.push(reload / load);
      log(`  the API at ${PACED_LINES_PER_SECOND.toLocaleString('en')} lines/s: full load ${load.toFixed(2)} s, forced full reload ${(reload / load).toFixed(2)} × it`);
    }
    return ratios;
  } finally {
    await pace(0);
  }
}

function mb(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MB`;
}

/** The API's full lines as COPY text (or in COPY's binary format) in a local file, encoded as the sync encodes them. */
async function writeCopyText(api: FocusApi, { resource }: Target, size: number, binary: boolean): Promise<string> {
  const file = join(scratch, `rows-${size}.${binary ? 'bin' : 'copy'}`);
  await pipeline(Readable.from(encodeLines(api.lines(resource.name, 'de', 'full'), stagedColumns(resource), 'bench', undefined, undefined, { binary })), createWriteStream(file));
  return file;
}

/** PostgreSQL alone: the COPY file into an identical empty table; returns the seconds. */
async function copyCeiling(sql: Sql, { table }: Target, file: string, binary: boolean): Promise<number> {
  await sql.unsafe(`DROP TABLE IF EXISTS public.ceiling; CREATE TABLE public.ceiling (LIKE ${table} INCLUDING ALL)`);
  await checkpoint(sql);
  const seconds = await timeOnce(async () => pipeline(createReadStream(file), await sql.unsafe(`COPY public.ceiling FROM STDIN${binary ? ' (FORMAT binary)' : ''}`).writable()));
  await sql.unsafe('DROP TABLE public.ceiling');
  return seconds;
}

/**
 * PostgreSQL alone applying a delta: the changes since the watermark encoded in COPY's binary
 * format into local files (untimed), as the load steps send them; after a CHECKPOINT, their COPY
 * into the stages, timed on its own; then the delta's own two statements, timed with their
 * transaction's begin and commit. Each round runs it right after the sync's delta, on other keys,
 * from the same start: a CHECKPOINT, the changes staged, then applied. They are the API's own
 * changes, which the sync then applies again (the same rows), as it would after any writer.
 *
 * The statements run in a session of their own, opened before the clock starts, as the sync's
 * ApplyDelta runs in a session its run opened: a backend maps each page of shared memory the first
 * time it touches it (without huge pages, a page fault per 4 kB), so a session that has worked
 * for a while, as the benchmark's own has, applies the same changes faster: about 14 ms of 110 here.
 */
async function applyAlone(sql: Sql, url: string, api: FocusApi, { resource, table }: Target, watermark: string): Promise<{ copy: number; apply: number }> {
  const stage = (kind: 'created' | 'updated' | 'deleted') => `public.bench_${kind}`;
  const kinds = ['created', 'updated', 'deleted'] as const;
  const files = await Promise.all(kinds.map(async (kind) => {
    const file = join(scratch, `delta-${kind}.bin`);
    const columns = stagedColumns(resource, kind === 'deleted');
    await pipeline(Readable.from(encodeLines(api.lines(resource.name, 'de', kind, watermark), columns, 'bench', undefined, undefined, { binary: true })), createWriteStream(file));
    // The stage as stageLines makes it, empty.
    await stageLines(sql, stage(kind), columns, (async function* () {})(), `bench ${kind} lines`, {});
    return file;
  }));
  await checkpoint(sql);
  const copy = await timeOnce(async () => {
    for (const [index, kind] of kinds.entries()) await pipeline(createReadStream(files[index]!), await sql.unsafe(`COPY ${stage(kind)} FROM STDIN (FORMAT binary)`).writable());
  });
  const statements = deltaStatements(table, stagedColumns(resource), stage);
  const session = connect(url, { max: 1 });
  try {
    await session`SELECT 1`;
    const apply = await timeOnce(() => session.begin(async (transaction) => {
      await transaction.unsafe(statements.plan);
      await transaction.unsafe(statements.upsert);
      await transaction.unsafe(statements.delete);
    }));
    return { copy, apply };
  } finally {
    await session.end();
    await sql.unsafe('DROP TABLE public.bench_created, public.bench_updated, public.bench_deleted');
    await Promise.all(files.map((file) => rm(file)));
  }
}

async function watermarkOf(sql: Sql): Promise<string> {
  const [{ watermark }] = await sql<[{ watermark: string }]>`SELECT to_char(watermark, 'YYYY-MM-DD"T"HH24:MI:SS.US') AS watermark FROM focus_sync.state`;
  return watermark;
}

/**
 * Starts a measured load from the same state: no autovacuum at work (see settle), and the WAL of
 * the one before written out, so that no checkpoint falls into some runs and not others. Needs
 * superuser or pg_checkpoint; without, says so once.
 */
async function checkpoint(sql: Sql): Promise<void> {
  await settle(sql);
  if (checkpointRefused) return;
  try {
    await sql.unsafe('CHECKPOINT');
  } catch (error) {
    checkpointRefused = true;
    log(`  (no CHECKPOINT between runs: ${(error as Error).message})`);
  }
}

/**
 * Waits until no autovacuum worker is at work in this database (at most a minute). A load of a
 * million rows makes autovacuum VACUUM ANALYZE the table within its next minute: that once fell
 * on the deltas and the unchanged runs and not on PostgreSQL's apply alone, measured after it.
 */
async function settle(sql: Sql): Promise<void> {
  for (const started = performance.now(); performance.now() - started < 60_000;) {
    const [{ working }] = await sql<[{ working: number }]>`SELECT count(*)::int AS working FROM pg_stat_activity WHERE backend_type = 'autovacuum worker' AND datname = current_database()`;
    if (working === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  log('  (an autovacuum still at work after a minute: measuring anyway)');
}

/** How busy all of this machine's cores were since the call, from 0 to 1. */
function machineCpu(): { busy(): number } {
  const totals = () => cpus().reduce((sum, cpu) => {
    const { idle, ...working } = cpu.times;
    return { idle: sum.idle + idle, all: sum.all + idle + Object.values(working).reduce((a, b) => a + b, 0) };
  }, { idle: 0, all: 0 });
  const before = totals();
  return {
    busy: () => {
      const after = totals();
      return 1 - (after.idle - before.idle) / Math.max(1, after.all - before.all);
    },
  };
}

/** Runs the state machine in this process; returns the whole run's seconds. */
async function syncInProcess(config: ReturnType<typeof loadConfig>): Promise<number> {
  const started = performance.now();
  await stepSeconds(config, []);
  return (performance.now() - started) / 1000;
}

/** Runs the state machine in this process; returns the seconds each of the named steps took, summed per `key` (the step's name). */
async function stepSeconds(config: ReturnType<typeof loadConfig>, steps: string[], key = (state: { name: string; input: Record<string, unknown> }) => state.name): Promise<Record<string, number>> {
  const entered = new Map<string, number>();
  const seconds: Record<string, number> = {};
  const result = await runStateMachine({
    input: {},
    runtime: createRuntime(config),
    onEvent: (event) => {
      if (!('state' in event) || !steps.includes(event.state.name)) return;
      const name = key(event.state as { name: string; input: Record<string, unknown> });
      if (event.type === 'StateEntered') entered.set(name, event.timestamp);
      if (event.type === 'StateExited') seconds[name] = (seconds[name] ?? 0) + (event.timestamp - entered.get(name)!) / 1000;
    },
  });
  await closeRuntime();
  if (result.status !== 'SUCCEEDED') throw new Error(`the benchmarked sync failed: ${result.error?.name}: ${result.error?.cause}`);
  return seconds;
}

/**
 * The sync's own work without a database: the full lines parsed and encoded, in COPY's binary
 * format or as COPY text, then dropped. In binary, returns what sent the load back to text, if anything did.
 */
async function encodeBody(api: FocusApi, { resource }: Target, binary: boolean, rows: RowLines): Promise<string | null> {
  try {
    for await (const _chunk of encodeLines(api.lines(resource.name, 'de', 'full'), stagedColumns(resource), 'bench', rows, undefined, { binary })) { /* encoding is what is measured */ }
    return null;
  } catch (error) {
    if (!(error instanceof TextNeeded)) throw error;
    return error.message;
  }
}

async function readBody(api: FocusApi, { resource }: Target, mode: 'full' | 'created' | 'updated' | 'deleted', since?: string): Promise<void> {
  for await (const _line of api.lines(resource.name, 'de', mode, since)) { /* reading is what is measured */ }
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
