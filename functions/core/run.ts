// The steps around the Map: check the credentials, read the schema, build the tables, summarise.
import { buildDbSchema } from './db/ddl.ts';
import { abortPairs, pairLags, recordOutcomes, type Outcome } from './db/ledger.ts';
import { heldPairs, releaseLeases } from './db/leases.ts';
import { dropStaging } from './db/mirror.ts';
import { InvalidInput } from './errors.ts';
import type { AuthenticateInput, PairResult, RunOptions, SchemaLoaded, Summary, SummaryRow, TablesReady } from './messages.ts';
import type { Runtime } from './runtime.ts';
import type { Sql } from './db/connection.ts';

export async function authenticate({ api, config }: Runtime, { execution, input }: AuthenticateInput): Promise<RunOptions> {
  await api.authenticate();
  return { execution, mode: input.mode, resources: input.resources ?? null, countries: input.countries ?? config.api.countries };
}

export async function loadSchema({ api }: Runtime, options: RunOptions): Promise<SchemaLoaded> {
  const available = await api.resources();
  const wanted = options.resources ?? available.map((resource) => resource.name);
  const unknown = wanted.filter((name) => !available.some((resource) => resource.name === name));
  if (unknown.length > 0) {
    throw new InvalidInput(`Unknown resource${unknown.length > 1 ? 's' : ''} ${unknown.map((name) => `"${name}"`).join(', ')} in the execution input; the API offers ${available.map((resource) => `"${resource.name}"`).join(', ')}`);
  }
  return { execution: options.execution, mode: options.mode, countries: options.countries, resources: available.filter((resource) => wanted.includes(resource.name)) };
}

export async function buildTables({ sql, config }: Runtime, loaded: SchemaLoaded): Promise<TablesReady> {
  const warnings = await buildDbSchema(sql, loaded.resources, loaded.countries, config.tableSchemaPrefix);
  const onOutOfSync = config.outOfSyncRepair;
  const pairs = loaded.resources.flatMap((resource) => loaded.countries.map((country) => ({ resource: resource.name, country, mode: loaded.mode, onOutOfSync })));
  return { pairs, warnings, maxConcurrency: config.mapConcurrency };
}

/** One row per pair, also in the run ledger; drops the staging tables a failed pair left behind. */
export async function summarize({ sql, config }: Runtime, execution: string, pairs: PairResult[]): Promise<Summary> {
  const rows = pairs.map(summaryRow);
  for (const row of rows.filter((candidate) => candidate.status === 'failed')) {
    await dropStaging(sql, { execution, resource: row.resource, country: row.country });
  }
  // Before the leases go: a pair's row starts when this execution took its lease.
  await recordOutcomes(sql, execution, rows.map(outcome));
  await releaseLeases(sql, execution);
  const lags = await pairLags(sql, rows);
  const count = (status: SummaryRow['status']) => rows.filter((row) => row.status === status).length;
  return {
    execution, pairs: rows, inSync: count('in_sync'), skipped: count('skipped'), failed: count('failed'),
    maxLagMinutes: Math.max(0, ...lags.map((lag) => lag.lagMinutes)),
    stale: lags.filter((lag) => lag.lagMinutes > config.maxLagMinutes),
  };
}

function outcome(row: SummaryRow): Outcome {
  return {
    resource: row.resource, country: row.country, status: row.status,
    mode: row.load === 'full' || row.load === 'delta' ? row.load : null,
    reason: row.reason, clientCount: row.clientCount, serverCount: row.serverCount,
    error: row.error === null ? null : row.cause === null ? row.error : `${row.error}: ${row.cause}`,
  };
}

function summaryRow(result: PairResult): SummaryRow {
  const synced = result.compare?.inSync === true && !result.failure;
  return {
    resource: result.resource,
    country: result.country,
    status: result.load === 'skip' && !result.failure ? 'skipped' : synced ? 'in_sync' : 'failed',
    load: result.load ?? null,
    reason: result.reason ?? null,
    rows: result.applied ? {
      loaded: result.load === 'full' ? result.applied.loaded : 0,
      created: result.created?.rows ?? 0,
      updated: result.updated?.rows ?? 0,
      deleted: result.applied.deleted,
    } : null,
    clientCount: result.compare?.clientCount ?? null,
    serverCount: result.compare?.serverCount ?? null,
    watermark: result.applied?.watermark ?? null,
    repairs: result.repairs ?? [],
    onOutOfSync: result.onOutOfSync ?? null,
    error: result.failure?.Error ?? null,
    cause: result.failure?.Cause === undefined ? null : causeText(result.failure.Cause),
  };
}

// On AWS a Lambda's error reaches Catch as a JSON Cause with errorMessage and a stack trace;
// locally it is the message itself. The summary keeps the message.
function causeText(cause: string): string {
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // Not JSON: already the message.
  }
  return cause;
}

/** A pair a stopped execution left: as it was, or with its last pass `applied` but not compared. */
export interface LeftPair {
  resource: string;
  country: string;
  applied: boolean;
  step: string | null;
}

/**
 * After an execution stopped without reaching Summarize (Ctrl-C, Stop execution, a timeout, a
 * failure outside the Map): every pair it had not finished is recorded `aborted` with `why`, its
 * staging tables are dropped and its leases released, so the next run starts at once. Its open
 * transactions were rolled back by PostgreSQL when its connections closed. Safe to repeat.
 */
export async function releaseExecution(sql: Sql, execution: string, why: string): Promise<LeftPair[]> {
  const held = await heldPairs(sql, execution);
  const aborted = await abortPairs(sql, execution, why);
  const key = (pair: { resource: string; country: string }) => JSON.stringify([pair.resource, pair.country]);
  const left = new Map<string, LeftPair>(held.map((pair) => [key(pair), { ...pair, applied: false }]));
  for (const pair of aborted) left.set(key(pair), { ...pair, step: left.get(key(pair))?.step ?? null });
  for (const pair of left.values()) await dropStaging(sql, { execution, resource: pair.resource, country: pair.country });
  await releaseLeases(sql, execution);
  return [...left.values()].sort((a, b) => key(a).localeCompare(key(b)));
}
