// The run ledger, focus_sync.runs: one row per execution × resource × country, written when the
// execution takes the pair (running). A pass writes its row inside the transaction that applies its
// data, so the ledger never claims what was rolled back; a run that stops leaves its pairs aborted,
// and one that dies leaves them for the next run to mark abandoned.
import { inDatabase } from '../errors.ts';
import type { Sql, Transaction } from './connection.ts';
import { SYNC_SCHEMA } from './identifiers.ts';
import type { Pair } from './mirror.ts';
import type { Differences } from './reload.ts';

export interface Pass {
  mode: 'full' | 'delta';
  reason: string | null;
  loaded: number;
  created: number;
  updated: number;
  deleted: number;
  /** What a full load found against the table's rows; null for a delta. */
  differences: Differences | null;
  watermarkAfter: string | null;
}

/** How Summarize closes a pair's row: every pair, whatever happened to it. */
export interface Outcome {
  resource: string;
  country: string;
  status: 'in_sync' | 'skipped' | 'failed';
  mode: 'full' | 'delta' | null;
  reason: string | null;
  clientCount: number | null;
  serverCount: number | null;
  error: string | null;
}

/** running and applied are a pair's states while its run works on it; the others are final. */
export const RUN_STATUS = ['running', 'applied', 'in_sync', 'skipped', 'failed', 'aborted', 'abandoned'] as const;
const RUN_STATUSES = RUN_STATUS.map((status) => `'${status}'`).join(', ');

export const RUNS_TABLE = `CREATE TABLE IF NOT EXISTS ${SYNC_SCHEMA}.runs (
     execution_id     text NOT NULL,
     resource         text NOT NULL,
     country          text NOT NULL,
     mode             text CHECK (mode IN ('full', 'delta')),
     reason           text,
     status           text NOT NULL CONSTRAINT runs_status_check CHECK (status IN (${RUN_STATUSES})),
     started_at       timestamptz NOT NULL DEFAULT now(),
     finished_at      timestamptz,
     rows_loaded      bigint NOT NULL DEFAULT 0,
     rows_created     bigint NOT NULL DEFAULT 0,
     rows_updated     bigint NOT NULL DEFAULT 0,
     rows_deleted     bigint NOT NULL DEFAULT 0,
     client_count     bigint,
     server_count     bigint,
     in_sync          boolean,
     watermark_before text,
     watermark_after  text,
     error            text,
     PRIMARY KEY (execution_id, resource, country))`;

// A ledger made by an earlier version allows fewer statuses: widened once, under BuildDbSchema's lock.
export const RUNS_STATUSES_MIGRATION = `DO $$ BEGIN
     IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = '${SYNC_SCHEMA}.runs'::regclass AND conname = 'runs_status_check'
                    AND pg_get_constraintdef(oid) LIKE '%abandoned%') THEN
       ALTER TABLE ${SYNC_SCHEMA}.runs DROP CONSTRAINT IF EXISTS runs_status_check;
       ALTER TABLE ${SYNC_SCHEMA}.runs ADD CONSTRAINT runs_status_check CHECK (status IN (${RUN_STATUSES}));
     END IF;
   END $$`;

// Added after the first release: a ledger created before gains them in place. Checked first, as
// ALTER TABLE would otherwise lock the ledger against every pass on every run.
export const RUNS_DIFFERENCES = `DO $$ BEGIN
     IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                    WHERE table_schema = '${SYNC_SCHEMA}' AND table_name = 'runs' AND column_name = 'rows_removed') THEN
       ALTER TABLE ${SYNC_SCHEMA}.runs
         ADD COLUMN IF NOT EXISTS rows_added   bigint,
         ADD COLUMN IF NOT EXISTS rows_changed bigint,
         ADD COLUMN IF NOT EXISTS rows_removed bigint;
     END IF;
   END $$`;

// The latest state of every pair. The lag is how long ago the pair was last in sync (NULL while it
// never was): whatever the cause, repeated skips, failures or no runs at all, it grows.
export const PAIR_STATUS_VIEW = `CREATE OR REPLACE VIEW ${SYNC_SCHEMA}.pair_status AS
   SELECT p.resource, p.country,
          last.execution_id AS last_execution, last.status AS last_status, last.mode AS last_mode,
          last.started_at AS last_started_at, last.finished_at AS last_finished_at, last.error AS last_error,
          ok.execution_id AS last_success_execution, ok.finished_at AS last_success_at, ok.watermark_after AS last_success_watermark,
          bad.execution_id AS last_failure_execution, bad.finished_at AS last_failure_at, bad.error AS last_failure_error,
          now() - ok.finished_at AS lag
   FROM (SELECT DISTINCT resource, country FROM ${SYNC_SCHEMA}.runs) AS p
   LEFT JOIN LATERAL (SELECT * FROM ${SYNC_SCHEMA}.runs r WHERE r.resource = p.resource AND r.country = p.country
                      ORDER BY r.started_at DESC, r.finished_at DESC NULLS FIRST LIMIT 1) AS last ON true
   LEFT JOIN LATERAL (SELECT * FROM ${SYNC_SCHEMA}.runs r WHERE r.resource = p.resource AND r.country = p.country AND r.status = 'in_sync'
                      ORDER BY r.started_at DESC LIMIT 1) AS ok ON true
   LEFT JOIN LATERAL (SELECT * FROM ${SYNC_SCHEMA}.runs r WHERE r.resource = p.resource AND r.country = p.country AND r.status = 'failed'
                      ORDER BY r.started_at DESC LIMIT 1) AS bad ON true`;

// When this execution took the pair's lease ($1 execution, $2 resource, $3 country), else now.
const PAIR_STARTED = `coalesce((SELECT acquired_at FROM ${SYNC_SCHEMA}.leases WHERE resource = $2 AND country = $3 AND execution = $1), now())`;

/** GetClientState took the pair: the row says `running` until a pass, the comparison or Summarize moves it on. */
export async function recordStart(sql: Sql | Transaction, pair: Pair): Promise<void> {
  await sql.unsafe(
    `INSERT INTO ${SYNC_SCHEMA}.runs (execution_id, resource, country, status) VALUES ($1, $2, $3, 'running')
     ON CONFLICT (execution_id, resource, country) DO NOTHING`,
    [pair.execution, pair.resource, pair.country]);
}

/** Another run found this execution dead while it held the pair. */
export async function abandonPair(transaction: Transaction, pair: Pair, error: string): Promise<void> {
  await transaction.unsafe(
    `INSERT INTO ${SYNC_SCHEMA}.runs AS r (execution_id, resource, country, status, finished_at, error)
     VALUES ($1, $2, $3, 'abandoned', now(), $4)
     ON CONFLICT (execution_id, resource, country) DO UPDATE SET status = 'abandoned', finished_at = now(), error = excluded.error
     WHERE r.status IN ('running', 'applied')`,
    [pair.execution, pair.resource, pair.country, error]);
}

/** The execution stopped: each pair it had not finished becomes `aborted`, with why. Returns those pairs, and whether a pass of theirs was applied. */
export async function abortPairs(sql: Sql, execution: string, why: string): Promise<Array<{ resource: string; country: string; applied: boolean }>> {
  return inDatabase(`Recording the pairs of ${execution} as aborted in the run ledger`, () => sql.unsafe<Array<{ resource: string; country: string; applied: boolean }>>(
    `UPDATE ${SYNC_SCHEMA}.runs AS r SET status = 'aborted', finished_at = now(), error = $2
     FROM (SELECT resource, country, status FROM ${SYNC_SCHEMA}.runs WHERE execution_id = $1 AND status IN ('running', 'applied') FOR UPDATE) AS before
     WHERE r.execution_id = $1 AND r.resource = before.resource AND r.country = before.country
     RETURNING r.resource, r.country, before.status = 'applied' AS applied`,
    [execution, why]));
}

/** How long ago each pair was last in sync, in minutes; a pair never in sync counts from its first attempt. */
export async function pairLags(sql: Sql, pairs: ReadonlyArray<{ resource: string; country: string }>): Promise<Array<{ resource: string; country: string; lagMinutes: number; everInSync: boolean }>> {
  if (pairs.length === 0) return [];
  const rows = await inDatabase('Reading how long ago each pair was in sync', () => sql.unsafe<Array<{ resource: string; country: string; lag_minutes: number; ever_in_sync: boolean }>>(
    `SELECT p.resource, p.country,
            extract(epoch FROM now() - coalesce(max(r.finished_at) FILTER (WHERE r.status = 'in_sync'), min(r.started_at), now()))::float8 / 60 AS lag_minutes,
            bool_or(r.status = 'in_sync') IS TRUE AS ever_in_sync
     FROM unnest($1::text[], $2::text[]) AS p(resource, country)
     LEFT JOIN ${SYNC_SCHEMA}.runs r ON r.resource = p.resource AND r.country = p.country
     GROUP BY p.resource, p.country ORDER BY p.resource, p.country`,
    [pairs.map((pair) => pair.resource), pairs.map((pair) => pair.country)]));
  return rows.map((row) => ({ resource: row.resource, country: row.country, lagMinutes: row.lag_minutes, everInSync: row.ever_in_sync }));
}

/**
 * Inside the pass's transaction, after its data and the new watermark: the row says `applied`.
 * A repair pass overwrites the counts but keeps the watermark the execution started from (the first
 * pass's, written over the `running` row). The
 * pair started when this execution took its lease (held by the caller, so that row exists).
 */
export async function recordPass(transaction: Transaction, pair: Pair, pass: Pass, watermarkBefore: string | null): Promise<void> {
  await transaction.unsafe(
    `INSERT INTO ${SYNC_SCHEMA}.runs AS r (execution_id, resource, country, mode, reason, status, started_at,
       rows_loaded, rows_created, rows_updated, rows_deleted, watermark_before, watermark_after, rows_added, rows_changed, rows_removed)
     VALUES ($1, $2, $3, $4, $5, 'applied',
       ${PAIR_STARTED},
       $6, $7, $8, $9, $10, $11, $12, $13, $14)
     ON CONFLICT (execution_id, resource, country) DO UPDATE SET
       mode = excluded.mode, reason = excluded.reason, status = 'applied',
       watermark_before = CASE WHEN r.status = 'running' THEN excluded.watermark_before ELSE r.watermark_before END,
       rows_loaded = excluded.rows_loaded, rows_created = excluded.rows_created,
       rows_updated = excluded.rows_updated, rows_deleted = excluded.rows_deleted,
       rows_added = excluded.rows_added, rows_changed = excluded.rows_changed, rows_removed = excluded.rows_removed,
       watermark_after = excluded.watermark_after, client_count = NULL, server_count = NULL, in_sync = NULL`,
    [pair.execution, pair.resource, pair.country, pass.mode, pass.reason, pass.loaded, pass.created, pass.updated, pass.deleted, watermarkBefore, pass.watermarkAfter,
      pass.differences?.added ?? null, pass.differences?.changed ?? null, pass.differences?.removed ?? null],
  );
}

/** CompareState's counts; a pair in sync is done, one out of sync stays `applied` for a repair or Summarize. */
export async function recordComparison(sql: Sql, pair: Pair, comparison: { clientCount: number; serverCount: number; inSync: boolean }): Promise<void> {
  await inDatabase(`Recording the counts of ${pair.resource}/${pair.country} in the run ledger`, () => sql.unsafe(
    `UPDATE ${SYNC_SCHEMA}.runs SET client_count = $4, server_count = $5, in_sync = $6,
       status = CASE WHEN $6 THEN 'in_sync' ELSE status END, finished_at = CASE WHEN $6 THEN now() ELSE finished_at END
     WHERE execution_id = $1 AND resource = $2 AND country = $3`,
    [pair.execution, pair.resource, pair.country, comparison.clientCount, comparison.serverCount, comparison.inSync],
  ));
}

/** Summarize: the final status of every pair, and a row for those no pass recorded (failed early, skipped). */
export async function recordOutcomes(sql: Sql, execution: string, outcomes: Outcome[]): Promise<void> {
  for (const outcome of outcomes) {
    await inDatabase(`Recording the outcome of ${outcome.resource}/${outcome.country} in the run ledger`, () => sql.unsafe(
      `INSERT INTO ${SYNC_SCHEMA}.runs AS r (execution_id, resource, country, mode, reason, status, started_at, finished_at, client_count, server_count, in_sync, error)
       VALUES ($1, $2, $3, $4, $5, $6,
         ${PAIR_STARTED},
         now(), $7, $8, $9, $10)
       ON CONFLICT (execution_id, resource, country) DO UPDATE SET
         status = excluded.status, finished_at = coalesce(r.finished_at, now()),
         client_count = coalesce(excluded.client_count, r.client_count), server_count = coalesce(excluded.server_count, r.server_count),
         in_sync = coalesce(excluded.in_sync, r.in_sync), error = excluded.error`,
      [execution, outcome.resource, outcome.country, outcome.mode, outcome.reason, outcome.status,
        outcome.clientCount, outcome.serverCount, outcome.clientCount === null || outcome.serverCount === null ? null : outcome.clientCount === outcome.serverCount, outcome.error],
    ));
  }
}
