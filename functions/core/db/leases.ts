// One run at a time per (resource, country). GetClientState takes a lease; the long steps renew
// it while they work; every transaction that writes the pair's table checks it holds it; the
// pair's end releases it; and a lease whose run died expires on its own.
import { inDatabase, LeaseLost } from '../errors.ts';
import type { Sql, Transaction } from './connection.ts';
import type { Pair } from './mirror.ts';
import { SYNC_SCHEMA } from './identifiers.ts';

export interface LeaseTimes {
  /** How long a lease lives without renewal: a dead run holds its pairs no longer than this. */
  seconds: number;
  /** How long GetClientState waits for a pair another run holds before skipping it. */
  waitMs: number;
}

export type LeaseAttempt = { acquired: true } | { acquired: false; holder: string; expiresAt: string };

export async function acquireLease(sql: Sql, pair: Pair, times: LeaseTimes): Promise<LeaseAttempt> {
  const deadline = Date.now() + times.waitMs;
  const what = `Taking the lease of ${pair.resource}/${pair.country}`;
  for (;;) {
    const taken = await inDatabase(what, () => sql.unsafe(
      `INSERT INTO ${SYNC_SCHEMA}.leases AS l (resource, country, execution, expires_at)
       VALUES ($1, $2, $3, now() + make_interval(secs => $4))
       ON CONFLICT (resource, country) DO UPDATE SET execution = excluded.execution, acquired_at = now(), expires_at = excluded.expires_at
       WHERE l.expires_at < now() OR l.execution = excluded.execution
       RETURNING execution`,
      [pair.resource, pair.country, pair.execution, times.seconds],
    ));
    if (taken.length > 0) return { acquired: true };
    if (Date.now() >= deadline) {
      const [holder] = await inDatabase(what, () => sql.unsafe<[{ execution: string; expires_at: string }?]>(
        `SELECT execution, expires_at::text FROM ${SYNC_SCHEMA}.leases WHERE resource = $1 AND country = $2`, [pair.resource, pair.country]));
      return { acquired: false, holder: holder?.execution ?? 'another run', expiresAt: holder?.expires_at ?? 'soon' };
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, times.waitMs)));
  }
}

/** Extends the lease; fails with LeaseLost when another run has taken the pair over. */
export async function renewLease(sql: Sql, pair: Pair, times: LeaseTimes): Promise<void> {
  const renewed = await inDatabase(`Renewing the lease of ${pair.resource}/${pair.country}`, () => sql.unsafe(
    `UPDATE ${SYNC_SCHEMA}.leases SET expires_at = now() + make_interval(secs => $4)
     WHERE resource = $1 AND country = $2 AND execution = $3 RETURNING 1`,
    [pair.resource, pair.country, pair.execution, times.seconds],
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

/** Renews the lease every quarter of its life while `work` runs, so a long load keeps its pair. */
export async function whileHolding<T>(sql: Sql, pair: Pair, times: LeaseTimes, work: () => Promise<T>): Promise<T> {
  await renewLease(sql, pair, times);
  const timer = setInterval(() => renewLease(sql, pair, times).catch(() => {}), (times.seconds * 1000) / 4);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

function leaseLost(pair: Pair): LeaseLost {
  return new LeaseLost(`${pair.resource}/${pair.country}: this run (${pair.execution}) no longer holds the pair's lease, so it applied nothing; another run has taken the pair over, or the lease expired while this run stalled`);
}
