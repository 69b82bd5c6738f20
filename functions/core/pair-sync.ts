// The steps inside the Map, for one (resource, country) pair: decide, load, apply, compare.
import type { LineMode } from './api/client.ts';
import { readAhead, type LineBatch, type LinesAhead } from './api/ndjson.ts';
import { mirrorTable, readResource } from './db/catalog.ts';
import { stagedColumns, stageLines } from './db/copy.ts';
import { STAGING_STEP, stagingTable } from './db/identifiers.ts';
import { acquireLease, releaseLeases, renewLease, whileHolding } from './db/leases.ts';
import { applyStaged, countRows, dropStaleStaging, loadEmptyTable, readClientState, reloadTable, type ClientState } from './db/mirror.ts';
import { recordComparison } from './db/ledger.ts';
import type { Applied, ClientStateInput, ClientStateOutput, Comparison, OutOfSync, PairInput, PassInput, RepairPlan } from './messages.ts';
import type { Runtime } from './runtime.ts';

/** The changes staged by a step of their own; the deleted are ApplyDelta's. */
type StagedKind = Exclude<LineMode, 'full' | 'deleted'>;

/** Takes the pair's lease (or reports it skipped when another run holds it) and decides the load. */
export async function getClientState({ sql, config, executions }: Runtime, input: ClientStateInput): Promise<ClientStateOutput> {
  const { executionArn, ...pair } = input;
  const lease = await acquireLease(sql, { ...pair, executionArn }, config.lease, executions);
  if (lease.acquired) await dropStaleStaging(sql, pair);
  const state = await readClientState(sql, mirrorTable(config.tableSchemaPrefix, pair.resource, pair.country), pair, config.lookbackSeconds);
  if (!lease.acquired) {
    return { ...pair, load: 'skip', reason: `another run (${lease.holder}) is syncing this pair; its lease runs to ${lease.expiresAt} and is renewed while it works`, watermark: state.watermark };
  }
  const [load, reason] = decide(pair.mode, state);
  const lookback = load === 'delta' && config.lookbackSeconds > 0 ? `, re-reading ${config.lookbackSeconds} s before it` : '';
  const takeover = lease.tookOverFrom ? `; took the pair over from ${lease.tookOverFrom.execution}: ${lease.tookOverFrom.why}` : '';
  return { ...pair, load, reason: reason + lookback + takeover, watermark: state.watermark };
}

/**
 * Loads every live item: straight into the table in one transaction when it is empty, else into
 * staging first and then writing, in one transaction, only the rows that differ.
 */
export async function fullLoad(runtime: Runtime, pair: PassInput): Promise<Applied> {
  return whileHolding(runtime.sql, pair, runtime.config.lease, 'FullLoad', () => loadInFull(runtime, pair));
}

async function loadInFull({ sql, api, config }: Runtime, pair: PassInput): Promise<Applied> {
  const read = () => api.lines(pair.resource, pair.country, 'full');
  return readingAhead(read, async (lines) => {
    const resource = await readResource(sql, pair.resource);
    const columns = stagedColumns(resource);
    const table = mirrorTable(config.tableSchemaPrefix, pair.resource, pair.country);
    // The full lines are every live item: as many as the server's total_items. A delta's lines
    // have no such count, so its progress shows rows without a percentage.
    const total = () => api.totalItems(pair.resource, pair.country, null);
    const direct = await loadEmptyTable(sql, table, columns, lines, pair, { total, again: read });
    if (direct) return { loaded: direct.loaded, deleted: 0, watermark: direct.watermark };
    const { loaded, watermark } = await reloadTable(sql, table, columns, lines, pair, { total, again: read, partLines: config.reloadPartLines });
    return { loaded, deleted: 0, watermark };
  });
}

/**
 * `work` given the lines `read` asks for, their request sent before it starts (see readAhead),
 * and ended if `work` ends without reading them.
 */
async function readingAhead<T>(read: () => AsyncGenerator<LineBatch>, work: (lines: LinesAhead<LineBatch>) => Promise<T>): Promise<T> {
  const lines = readAhead(read());
  try {
    return await work(lines);
  } finally {
    await lines.close();
  }
}

/**
 * Streams the items created, or those updated, since the watermark into their staging table;
 * nothing visible changes. The deleted ones are ApplyDelta's (see applyDelta).
 */
export async function stageDelta({ sql, api, config }: Runtime, state: ClientStateOutput, kind: StagedKind): Promise<{ rows: number }> {
  const read = () => api.lines(state.resource, state.country, kind, state.watermark ?? undefined);
  return readingAhead(read, (lines) => whileHolding(sql, state, config.lease, STAGING_STEP[kind], async () => {
    const resource = await readResource(sql, state.resource);
    const stage = stagingTable(state.execution, state.resource, state.country, kind);
    const rows = await stageLines(sql, stage, stagedColumns(resource), lines, `${state.resource}/${state.country} ${kind} lines since ${state.watermark}`, pairOf(state), { again: read });
    return { rows };
  }));
}

/**
 * Applies the staged created and updated items, the items deleted since the watermark and the new
 * watermark, in one transaction. The deleted items are read last, as ever: this step reads them,
 * into their staging table on a connection of its own, while its transaction upserts the others,
 * and deletes them once they are all in. The lease is renewed first (a run that lost its pair
 * stages nothing); the transaction then holds its row, so no other run can take the pair over
 * while the deleted items are read, however long that takes.
 */
export async function applyDelta({ sql, api, config }: Runtime, state: ClientStateOutput): Promise<Applied> {
  const read = () => api.lines(state.resource, state.country, 'deleted', state.watermark ?? undefined);
  return readingAhead(read, async (lines) => {
    const [resource] = await Promise.all([readResource(sql, state.resource), renewLease(sql, state, config.lease, 'ApplyDelta')]);
    const table = mirrorTable(config.tableSchemaPrefix, state.resource, state.country);
    const stage = stagingTable(state.execution, state.resource, state.country, 'deleted');
    const stageDeleted = () => stageLines(sql, stage, stagedColumns(resource, true), lines, `${state.resource}/${state.country} deleted lines since ${state.watermark}`, pairOf(state), { again: read });
    const { upserted, deleted, watermark } = await applyStaged(sql, table, stagedColumns(resource), state, stageDeleted);
    return { loaded: upserted, deleted, watermark };
  });
}

export async function checkServerState({ api }: Runtime, pair: PairInput, watermark: string | null): Promise<{ totalItems: number }> {
  return { totalItems: await api.totalItems(pair.resource, pair.country, watermark) };
}

export async function compareState({ sql, config }: Runtime, pair: PairInput, serverCount: number): Promise<Comparison> {
  const clientCount = await countRows(sql, mirrorTable(config.tableSchemaPrefix, pair.resource, pair.country), pair);
  const inSync = clientCount === serverCount;
  await recordComparison(sql, pair, { clientCount, serverCount, inSync });
  // A pair out of sync may be repaired next, under the same lease; Summarize releases what is left.
  if (inSync) await releaseLeases(sql, pair.execution, pair);
  const message = inSync
    ? `${pair.resource}/${pair.country} is in sync: ${clientCount} rows`
    : `${pair.resource}/${pair.country} is out of sync: ${clientCount} rows in the mirror, ${serverCount} on the server; the next run repairs changes made during this one, run with mode "full" if it persists`;
  return { clientCount, serverCount, inSync, message };
}

/**
 * After a pass ends out of sync: the next pass the pair's policy allows. Changes that landed during
 * the run are caught by another delta from the same watermark; what a delta cannot fix, a full
 * reload does; after that, the pair fails with OutOfSync carrying both counts.
 */
export function planRepair(state: OutOfSync): RepairPlan {
  const repairs = [...(state.repairs ?? []), { load: state.load, clientCount: state.compare.clientCount, serverCount: state.compare.serverCount }];
  const steps: Array<'delta' | 'full'> = { 'delta-then-full': ['delta', 'full'] as const, full: ['full'] as const, none: [] }[state.onOutOfSync].slice();
  // A delta needs the watermark the first pass started from; after a first full load, that is the load's own.
  const since = state.watermark ?? state.applied.watermark;
  let next = steps[repairs.length - 1];
  if (next === 'delta' && since === null) next = steps[repairs.length];
  const { resource, country, mode, execution, onOutOfSync, compare } = state;
  return {
    resource, country, mode, execution, onOutOfSync, compare, repairs,
    load: next ?? 'none',
    reason: next ? `repair ${repairs.length}: out of sync after the ${state.load} load, ${next === 'delta' ? 'delta again from the same watermark' : 'reload in full'}` : `out of sync after ${repairs.length} pass${repairs.length > 1 ? 'es' : ''}`,
    watermark: next === 'delta' ? since : state.watermark,
  };
}

function pairOf({ execution, resource, country }: PairInput): { execution: string; resource: string; country: string } {
  return { execution, resource, country };
}

function decide(mode: 'auto' | 'full', state: ClientState): ['full' | 'delta', string] {
  if (mode === 'full') return ['full', 'forced'];
  if (!state.hasRows) return ['full', 'empty table'];
  if (state.watermark === null) return ['full', 'no watermark recorded'];
  if (state.needsFull) return ['full', 'schema gained attributes'];
  return ['delta', 'since watermark'];
}
