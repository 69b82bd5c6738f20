// One run at a time per (resource, country). GetClientState takes a lease; the long steps renew
// it while they work; every transaction that writes the pair's table checks it holds it; the
// pair's end releases it. A holder that died is seen as dead at once: a local run by the advisory
// lock its own session holds for as long as it lives, a Step Functions execution by its status.
// A lease whose holder shows no such proof expires on its own, the last resort.
import { createHash } from 'node:crypto';
import { inDatabase, LeaseLost } from '../errors.ts';
import type { Sql, Transaction } from './connection.ts';
import type { Pair } from './mirror.ts';
import { SYNC_SCHEMA } from './identifiers.ts';
import { abandonPair, recordStart } from './ledger.ts';

export interface LeaseTimes {
  /** How long a lease lives without renewal: a holder without proof of life holds its pairs no longer than this. */
  seconds: number;
  /** How long GetClientState waits for a pair a live run holds before skipping it. */
  waitMs: number;
}

/** A pair and its execution; `executionArn` lets another execution ask Step Functions whether this one still runs. */
export interface LeaseHolder extends Pair {
  executionArn?: string | undefined;
}

/** Step Functions' word on an execution: RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED… */
export interface ExecutionStatuses {
  status(executionArn: string): Promise<string>;
}

export type LeaseAttempt =
  | { acquired: true; tookOverFrom?: { execution: string; why: string } }
  | { acquired: false; holder: string; expiresAt: string };

interface CurrentHolder {
  execution: string;
  execution_arn: string | null;
  step: string | null;
  expires_at: string;
  expired: boolean;
  has_session: boolean;
  session_alive: boolean;
}

/**
 * Takes the pair, at once when it is free, already ours, or its holder is dead; else waits up to
 * `waitMs` for it. Taking a dead holder's pair records that run's pair as abandoned in the ledger.
 */
export async function acquireLease(sql: Sql, pair: LeaseHolder, times: LeaseTimes, executions?: ExecutionStatuses): Promise<LeaseAttempt> {
  const deadline = Date.now() + times.waitMs;
  const what = `Taking the lease of ${pair.resource}/${pair.country}`;
  for (;;) {
    const taken = await inDatabase(what, () => sql.unsafe(
      `INSERT INTO ${SYNC_SCHEMA}.leases AS l (resource, country, execution, execution_arn, alive_lock, step, expires_at)
       VALUES ($1, $2, $3, $5, CASE WHEN ${lockHeld('$6::bigint')} THEN $6::bigint END, 'GetClientState', now() + make_interval(secs => $4))
       ON CONFLICT (resource, country) DO UPDATE SET acquired_at = now(), expires_at = excluded.expires_at
       WHERE l.execution = excluded.execution
       RETURNING 1`,
      [pair.resource, pair.country, pair.execution, times.seconds, pair.executionArn ?? null, String(lifeLockKey(pair.execution))],
    ));
    if (taken.length > 0) {
      await inDatabase(`Recording the start of ${pair.resource}/${pair.country} in the run ledger`, () => recordStart(sql, pair));
      return { acquired: true };
    }
    const [holder] = await inDatabase(what, () => sql.unsafe<[CurrentHolder?]>(
      `SELECT execution, execution_arn, step, expires_at::text, expires_at < now() AS expired,
              alive_lock IS NOT NULL AS has_session, alive_lock IS NOT NULL AND ${lockHeld('alive_lock')} AS session_alive
       FROM ${SYNC_SCHEMA}.leases WHERE resource = $1 AND country = $2`, [pair.resource, pair.country]));
    if (holder) {
      const why = await deathOf(holder, executions);
      if (why) {
        const took = await takeOver(sql, pair, times, holder, why);
        if (took) return took;
        continue;
      }
      if (Date.now() >= deadline) return { acquired: false, holder: holder.execution, expiresAt: holder.expires_at };
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, times.waitMs)));
  }
}

/** Extends the lease, noting the step now working; fails with LeaseLost when another run has taken the pair over. */
export async function renewLease(sql: Sql, pair: Pair, times: LeaseTimes, step?: string): Promise<void> {
  const renewed = await inDatabase(`Renewing the lease of ${pair.resource}/${pair.country}`, () => sql.unsafe(
    `UPDATE ${SYNC_SCHEMA}.leases SET expires_at = now() + make_interval(secs => $4), step = coalesce($5, step)
     WHERE resource = $1 AND country = $2 AND execution = $3 RETURNING 1`,
    [pair.resource, pair.country, pair.execution, times.seconds, step ?? null],
  ));
  if (renewed.length === 0) throw leaseLost(pair);
}

/** Inside a writing transaction: holds the lease row until commit, or fails with LeaseLost. */
export async function holdLease(transaction: Transaction, pair: Pair): Promise<void> {
  const held = await transaction.unsafe(
    `SELECT 1 FROM ${SYNC_SCHEMA}.leases WHERE resource = $1 AND country = $2 AND execution = $3 AND expires_at > now() FOR UPDATE`,
    [pair.resource, pair.country, pair.execution],
  );
  if (held.length === 0) throw leaseLost(pair);
}

/** Releases this execution's lease on one pair, or on every pair when `resource` is omitted. */
export async function releaseLeases(sql: Sql, execution: string, pair?: Omit<Pair, 'execution'>): Promise<void> {
  await inDatabase(`Releasing the lease${pair ? ` of ${pair.resource}/${pair.country}` : 's'} of ${execution}`, () => sql.unsafe(
    `DELETE FROM ${SYNC_SCHEMA}.leases WHERE execution = $1 AND ($2::text IS NULL OR (resource = $2 AND country = $3))`,
    [execution, pair?.resource ?? null, pair?.country ?? null],
  ));
}

/** The pairs an execution holds, and the step each was last in. */
export async function heldPairs(sql: Sql, execution: string): Promise<Array<{ resource: string; country: string; step: string | null }>> {
  return inDatabase(`Reading the leases of ${execution}`, () => sql.unsafe<Array<{ resource: string; country: string; step: string | null }>>(
    `SELECT resource, country, step FROM ${SYNC_SCHEMA}.leases WHERE execution = $1 ORDER BY resource, country`, [execution]));
}

/**
 * Renews the lease every quarter of its life while `work` runs, so a long load keeps its pair. The
 * first renewal goes beside the work, not before it: a step's writes that others see are made in
 * a transaction that holds the lease (holdLease), so the work risks nothing by starting first, and
 * the step does not wait for a round trip and a commit. The work is asked for first, so that it
 * gets the connection the pool has open, and the renewal waits for a new one where the pool must
 * open one (locally, the run's second connection: about 10 ms, which the work used to wait).
 * A lease found lost fails the step once the work has ended too.
 */
export async function whileHolding<T>(sql: Sql, pair: Pair, times: LeaseTimes, step: string, work: () => Promise<T>): Promise<T> {
  const timer = setInterval(() => renewLease(sql, pair, times).catch(() => {}), (times.seconds * 1000) / 4);
  try {
    const [done, renewed] = await Promise.allSettled([work(), renewLease(sql, pair, times, step)]);
    if (renewed.status === 'rejected') throw renewed.reason;
    if (done.status === 'rejected') throw done.reason;
    return done.value;
  } finally {
    clearInterval(timer);
  }
}

/**
 * Holds the proof of life of a local run: a session-level advisory lock on a connection of its
 * own (`session`, a client of one connection that never idles out), for as long as the run lasts.
 * When the process dies, its connection closes and the lock goes with it, on any machine that
 * shares the database. Returns the release.
 */
export async function holdLifeLock(session: Sql, execution: string): Promise<() => Promise<void>> {
  const key = String(lifeLockKey(execution));
  await inDatabase(`Taking the proof of life of ${execution}`, () => session.unsafe('SELECT pg_advisory_lock($1::bigint)', [key]));
  return () => session.end({ timeout: 5 });
}

/** A positive 63-bit key per execution name, the same in every process. */
export function lifeLockKey(execution: string): bigint {
  return createHash('sha256').update(`focus-sync run ${execution}`).digest().readBigUInt64BE() & 0x7fff_ffff_ffff_ffffn;
}

/** Whether some session of this database holds the advisory lock `key` (a bigint SQL expression). */
function lockHeld(key: string): string {
  return `EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1
     AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
     AND classid::bigint = (${key} >> 32) AND objid::bigint = (${key} & 4294967295))`;
}

/** Why the holder is dead, or undefined while it may be alive. A lease unrenewed past its expiry is taken even from a live holder (stalled, or cut off from the database). */
async function deathOf(holder: CurrentHolder, executions: ExecutionStatuses | undefined): Promise<string | undefined> {
  const where = holder.step ? ` in ${holder.step}` : '';
  if (holder.has_session && !holder.session_alive) return `its process died${where}, its database session closed`;
  if (!holder.has_session && holder.execution_arn && executions) {
    const status = await executions.status(holder.execution_arn).catch(() => 'RUNNING');
    if (status !== 'RUNNING') return `Step Functions reports it ${status}${where}`;
  }
  return holder.expired ? `its lease expired at ${holder.expires_at} unrenewed${where}` : undefined;
}

async function takeOver(sql: Sql, pair: LeaseHolder, times: LeaseTimes, dead: CurrentHolder, why: string): Promise<LeaseAttempt | undefined> {
  return inDatabase(`Taking over the lease of ${pair.resource}/${pair.country} from ${dead.execution}`, () => sql.begin(async (transaction) => {
    const taken = await transaction.unsafe(
      `UPDATE ${SYNC_SCHEMA}.leases SET execution = $3, execution_arn = $5, alive_lock = CASE WHEN ${lockHeld('$6::bigint')} THEN $6::bigint END,
         step = 'GetClientState', acquired_at = now(), expires_at = now() + make_interval(secs => $4)
       WHERE resource = $1 AND country = $2 AND execution = $7 RETURNING 1`,
      [pair.resource, pair.country, pair.execution, times.seconds, pair.executionArn ?? null, String(lifeLockKey(pair.execution)), dead.execution]);
    if (taken.length === 0) return undefined;
    await abandonPair(transaction, { ...pair, execution: dead.execution }, `abandoned: ${why}; nothing it had not committed was applied, and ${pair.execution} took the pair over`);
    await recordStart(transaction, pair);
    return { acquired: true, tookOverFrom: { execution: dead.execution, why } } as const;
  }));
}

function leaseLost(pair: Pair): LeaseLost {
  return new LeaseLost(`${pair.resource}/${pair.country}: this run (${pair.execution}) no longer holds the pair's lease, so it applied nothing; another run has taken the pair over, or the lease expired while this run stalled`);
}
