// The mirror's tables and their watermarks. Every change to a table and its watermark is one transaction.
import { databaseError, FocusSyncError, InvalidLine, StagingLost } from '../errors.ts';
import type { TotalRows } from '../telemetry/progress.ts';
import { wireTimestampSql } from '../timestamps.ts';
import type { Sql, Transaction } from './connection.ts';
import { copyLines, type Lines, type StagedColumn } from './copy.ts';
import { quoteIdentifier, quoteLiteral, STAGING_STEP, stagingTable, type StagingKind, SYNC_SCHEMA } from './identifiers.ts';
import { recordPass, type Pass } from './ledger.ts';
import { applyDifferencesStatement, differencesStatement, differencesTable, keyType, type Differences } from './reload.ts';
import { holdLease } from './leases.ts';

export interface Pair {
  resource: string;
  country: string;
  execution: string;
}

/** A pair being loaded or applied, and why this pass was chosen (empty table, forced, self-heal…), for the run ledger. */
export interface PassPair extends Pair {
  reason?: string;
}

export interface ClientState {
  hasRows: boolean;
  watermark: string | null;
  /** The schema gained attributes since the last full load. */
  needsFull: boolean;
}

/** The pair's state; the watermark comes back `lookbackSeconds` early (in SQL, to the microsecond). */
export async function readClientState(sql: Sql, table: string, pair: Pair, lookbackSeconds = 0): Promise<ClientState> {
  return guard(`Reading the client state of ${pair.resource}/${pair.country}`, async () => {
    const [row] = await sql.unsafe<[{ has_rows: boolean; watermark: string | null; needs_full: boolean | null }]>(
      `SELECT EXISTS (SELECT 1 FROM ${table}) AS has_rows, ${wireTimestampSql('s.watermark - make_interval(secs => $3)')} AS watermark, s.needs_full
       FROM (VALUES (1)) AS one LEFT JOIN ${SYNC_SCHEMA}.state AS s ON s.resource = $1 AND s.country = $2`,
      [pair.resource, pair.country, lookbackSeconds],
    );
    return { hasRows: row!.has_rows, watermark: row!.watermark, needsFull: row!.needs_full === true };
  });
}

export async function countRows(sql: Sql, table: string, pair: Pair): Promise<number> {
  return guard(`Counting the rows of ${pair.resource}/${pair.country}`, async () => {
    const [row] = await sql.unsafe<[{ count: string }]>(`SELECT count(*) AS count FROM ${table}`);
    return Number(row!.count);
  });
}

/**
 * Full load into an empty table: COPY straight into it inside one transaction, which is as atomic
 * as staging and avoids writing every row twice. Returns undefined when the table has rows.
 */
export async function loadEmptyTable(sql: Sql, table: string, columns: StagedColumn[], lines: Lines, pair: PassPair, { total, again }: { total?: TotalRows; again?: () => Lines } = {}): Promise<{ loaded: number; watermark: string | null } | undefined> {
  return guard(`Loading ${pair.resource}/${pair.country} into its empty table`, () => sql.begin(async (transaction) => {
    // Blocks another run's load of the same table (readers are not blocked) until this commits.
    await holdLease(transaction, pair);
    await transaction.unsafe(`LOCK TABLE ${table} IN SHARE ROW EXCLUSIVE MODE`);
    const [{ empty }] = await transaction.unsafe<[{ empty: boolean }]>(`SELECT NOT EXISTS (SELECT 1 FROM ${table}) AS empty`);
    if (!empty) return undefined;
    const loaded = await copyLines(transaction, table, columns, lines, `${pair.resource}/${pair.country} full lines`, { total, again });
    const differences = { added: loaded, changed: 0, removed: 0 };
    const watermark = await commitPass(transaction, pair, { mode: 'full', loaded, created: 0, updated: 0, deleted: 0, differences }, `SELECT max(greatest(created_at, updated_at)) FROM ${table}`);
    return { loaded, watermark };
  }));
}

/**
 * Full load: the table's rows become the staged rows, and the watermark their newest change. Only
 * rows that differ are written (see reload.ts); `staged` is how many rows the stage holds. The
 * differences are found in two halves of the keys side by side, each on a connection of its own,
 * while the transaction that applies them holds the table against other writers (readers go on).
 */
export async function replaceWithStaged(sql: Sql, table: string, columns: StagedColumn[], pair: PassPair, staged: number): Promise<{ watermark: string | null } & Differences> {
  const stage = stagingTable(pair.execution, pair.resource, pair.country, 'full');
  const differences = stagingTable(pair.execution, pair.resource, pair.country, 'differences');
  const owner = quoteLiteral(JSON.stringify({ execution: pair.execution, resource: pair.resource, country: pair.country }));
  return guard(`Replacing the rows of ${pair.resource}/${pair.country}`, async () => {
    // A sample of the stage's keys tells the planner they are in order (3,000 rows take
    // milliseconds), and where their middle is.
    await sql.begin((transaction) => transaction.unsafe(`SET LOCAL default_statistics_target = 10; ANALYZE ${stage} (${columnList(columns.filter((column) => column.key))})`));
    await sql.unsafe(`${differencesTable(differences, stage)}; COMMENT ON TABLE ${differences} IS ${owner}`);
    const middle = await middleKey(sql, stage, columns);
    return sql.begin(async (transaction) => {
      await holdLease(transaction, pair);
      await checkStaged(transaction, pair, ['full']);
      // No other writer until the differences are applied: they stay the differences.
      await transaction.unsafe(`LOCK TABLE ${table} IN SHARE ROW EXCLUSIVE MODE`);
      // The differences of each half of the keys, on a connection of its own, and beside them the
      // stage's newest change (the new watermark); every part ends before the transaction does,
      // failed or not. Both tables are read in key order through their primary keys and
      // merge-joined: a hash join of two tables this size spills to disk in batches (twice as slow),
      // and so does the sort the planner picks for a table autovacuum has not analyzed since its
      // first load (it then takes the table for about 325,000 rows in no order).
      const parts = middle === null ? [undefined] : ['< $1', '>= $1'];
      const newest = sql.unsafe<[{ newest: string | null }]>(`SELECT ${wireTimestampSql('max(greatest(created_at, updated_at))')} AS newest FROM ${stage}`);
      const settled = await Promise.allSettled([
        newest,
        ...parts.map((range) => sql.begin(async (part) => {
          await part.unsafe('SET LOCAL enable_hashjoin = off; SET LOCAL enable_sort = off');
          await part.unsafe(differencesStatement(table, stage, differences, columns, range), range ? [middle!] : []);
        })),
      ]);
      const failed = settled.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
      // Readers keep seeing the old rows until the commit, never an empty or half-written table.
      const [applied] = await transaction.unsafe<[{ added: string; changed: string; removed: string }]>(applyDifferencesStatement(table, differences, columns));
      const counts = { added: Number(applied!.added), changed: Number(applied!.changed), removed: Number(applied!.removed) };
      const [{ newest: watermarkAfter }] = await newest;
      const watermark = await commitPass(transaction, pair, { mode: 'full', loaded: staged, created: 0, updated: 0, deleted: 0, differences: counts }, `SELECT ${watermarkAfter === null ? 'NULL' : quoteLiteral(watermarkAfter)}::timestamp`);
      await transaction.unsafe(`DROP TABLE ${stage}, ${differences}`);
      return { watermark, ...counts };
    });
  });
}

/** The middle of the stage's first key column, from the sample ANALYZE took; null without one. */
async function middleKey(sql: Sql, stage: string, columns: StagedColumn[]): Promise<string | null> {
  const [found] = await sql.unsafe<[{ middle: string | null }?]>(
    `SELECT bounds[(array_length(bounds, 1) + 1) / 2]::text AS middle
     FROM (SELECT histogram_bounds::text::${keyType(columns)}[] AS bounds FROM pg_stats
           WHERE format('%I.%I', schemaname, tablename)::regclass = $1::regclass AND attname = $2) AS sample`,
    [stage, columns.find((column) => column.key)!.name]);
  return found?.middle ?? null;
}

/** Delta: upsert created and updated, delete deleted, and move the watermark, all at once. */
export async function applyStaged(sql: Sql, table: string, columns: StagedColumn[], pair: PassPair): Promise<{ upserted: number; deleted: number; watermark: string | null }> {
  const stage = (kind: StagingKind) => stagingTable(pair.execution, pair.resource, pair.country, kind);
  const statements = deltaStatements(table, columns, stage);
  return guard(`Applying the delta of ${pair.resource}/${pair.country}`, () => sql.begin(async (transaction) => {
    await holdLease(transaction, pair);
    const [created, updated] = await checkStaged(transaction, pair, ['created', 'updated', 'deleted']);
    const upserted = await transaction.unsafe(statements.upsert);
    const deleted = await transaction.unsafe(statements.delete);
    const pass = { mode: 'delta' as const, loaded: 0, created: created!, updated: updated!, deleted: deleted.count, differences: null };
    const watermark = await commitPass(transaction, pair, pass,
      `SELECT greatest(
         (SELECT watermark FROM ${SYNC_SCHEMA}.state WHERE resource = $1 AND country = $2),
         (SELECT max(greatest(created_at, updated_at)) FROM ${stage('created')}),
         (SELECT max(greatest(created_at, updated_at)) FROM ${stage('updated')}))`);
    await transaction.unsafe(`DROP TABLE ${stage('created')}, ${stage('updated')}, ${stage('deleted')}`);
    return { upserted: upserted.count, deleted: deleted.count, watermark };
  }));
}

/** The two statements that apply the staged changes to `table` (the benchmark times them alone). */
export function deltaStatements(table: string, columns: StagedColumn[], stage: (kind: 'created' | 'updated' | 'deleted') => string): { upsert: string; delete: string } {
  const names = columnList(columns);
  const key = columnList(columns.filter((column) => column.key));
  const updates = columns.filter((column) => !column.key).map((column) => `${quoteIdentifier(column.name)} = excluded.${quoteIdentifier(column.name)}`);
  const keyMatch = columns.filter((column) => column.key).map((column) => `t.${quoteIdentifier(column.name)} = d.${quoteIdentifier(column.name)}`).join(' AND ');
  return {
    // Created was read before updated, and deleted last: where an item changed between the
    // reads and shows up twice, the later read wins.
    upsert: `INSERT INTO ${table} (${names})
       SELECT DISTINCT ON (${key}) ${names} FROM (
         SELECT 1 AS read_order, ${names} FROM ${stage('updated')}
         UNION ALL SELECT 2, ${names} FROM ${stage('created')}) AS changed
       ORDER BY ${key}, read_order
       ON CONFLICT (${key}) DO ${updates.length ? `UPDATE SET ${updates.join(', ')}` : 'NOTHING'}`,
    delete: `DELETE FROM ${table} AS t USING ${stage('deleted')} AS d WHERE ${keyMatch}`,
  };
}

/** Drops whatever staging tables an execution left for a pair (after a failure). */
export async function dropStaging(sql: Sql, pair: Pair): Promise<void> {
  await guard(`Dropping the staging tables of ${pair.resource}/${pair.country}`, async () => {
    const kinds = Object.keys(STAGING_STEP) as StagingKind[];
    await sql.unsafe(`DROP TABLE IF EXISTS ${kinds.map((kind) => stagingTable(pair.execution, pair.resource, pair.country, kind)).join(', ')}`);
  });
}

/** Drops the staging tables other runs left for this pair (they died, or lost the pair's lease). */
export async function dropStaleStaging(sql: Sql, pair: Pair): Promise<void> {
  await guard(`Dropping the staging tables other runs left for ${pair.resource}/${pair.country}`, async () => {
    const stale = await sql.unsafe<Array<{ name: string }>>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = '${SYNC_SCHEMA}' AND c.relkind = 'r' AND c.relname LIKE 'stage\\_%'
         AND CASE WHEN obj_description(c.oid, 'pg_class') LIKE '{%' THEN
               obj_description(c.oid, 'pg_class')::jsonb @> jsonb_build_object('resource', $1::text, 'country', $2::text)
               AND obj_description(c.oid, 'pg_class')::jsonb ->> 'execution' <> $3 END`,
      [pair.resource, pair.country, pair.execution],
    );
    for (const { name } of stale) await sql.unsafe(`DROP TABLE IF EXISTS ${SYNC_SCHEMA}.${quoteIdentifier(name)}`);
  });
}

/**
 * Refuses to apply a stage that lost its rows, and returns how many each holds. Staging tables are
 * unlogged (written once, read once, no WAL), and PostgreSQL empties unlogged tables when it
 * crashes or fails over; their comment, in the catalog, keeps how many rows stageLines gave them.
 * Applied, an emptied stage would look like an API that sent nothing: a full reload would delete
 * every row, a delta would move the watermark past changes it never applied. (An emptied table is
 * empty: a crash never leaves part of one.) A stage without that comment (staged by an earlier
 * version) is counted.
 */
async function checkStaged(transaction: Transaction, pair: Pair, kinds: StagingKind[]): Promise<number[]> {
  const tables = kinds.map((kind) => stagingTable(pair.execution, pair.resource, pair.country, kind));
  const [found] = await transaction.unsafe<[Record<string, string | boolean>]>(
    `SELECT ${tables.map((table, index) => `EXISTS (SELECT 1 FROM ${table}) AS held_${index},
       coalesce((obj_description($${index + 1}::regclass, 'pg_class')::jsonb ->> 'rows')::bigint, (SELECT count(*) FROM ${table})) AS staged_${index}`).join(', ')}`,
    tables);
  return kinds.map((kind, index) => {
    const staged = Number(found![`staged_${index}`]);
    if (staged > 0 && found![`held_${index}`] !== true) {
      throw new StagingLost(`${pair.resource}/${pair.country}: ${STAGING_STEP[kind]} staged ${staged} ${kind} lines in ${tables[index]}, which is now empty: PostgreSQL empties unlogged tables when it crashes or fails over. Nothing was applied and the watermark did not move; the next run loads the pair again`);
    }
    return staged;
  });
}

/** Moves the watermark and writes the pass's ledger row, in the caller's transaction. */
async function commitPass(transaction: Transaction, pair: PassPair, pass: Omit<Pass, 'watermarkAfter' | 'reason'>, newest: string): Promise<string | null> {
  const [before] = await transaction.unsafe<[{ watermark: string }?]>(
    `SELECT ${wireTimestampSql('watermark')} AS watermark FROM ${SYNC_SCHEMA}.state WHERE resource = $1 AND country = $2`, [pair.resource, pair.country]);
  const watermarkAfter = await saveWatermark(transaction, pair, pass.mode, newest);
  await recordPass(transaction, pair, { ...pass, reason: pair.reason ?? null, watermarkAfter }, before?.watermark ?? null);
  return watermarkAfter;
}

async function saveWatermark(transaction: Transaction, pair: Pair, mode: string, newest: string): Promise<string | null> {
  const [row] = await transaction.unsafe<[{ watermark: string | null }]>(
    `INSERT INTO ${SYNC_SCHEMA}.state AS s (resource, country, watermark, last_mode, last_run, synced_at)
     VALUES ($1, $2, (${newest}), $3, $4, now())
     ON CONFLICT (resource, country) DO UPDATE
       SET watermark = excluded.watermark, last_mode = excluded.last_mode, last_run = excluded.last_run, synced_at = now(),
           needs_full = s.needs_full AND excluded.last_mode <> 'full'
     RETURNING ${wireTimestampSql('s.watermark')} AS watermark`,
    [pair.resource, pair.country, mode, pair.execution],
  );
  return row!.watermark;
}

function columnList(columns: StagedColumn[]): string {
  return columns.map((column) => quoteIdentifier(column.name)).join(', ');
}

async function guard<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof FocusSyncError) throw error;
    if ((error as { code?: string }).code === '23505') {
      throw new InvalidLine(`${what}: the API sent the same key twice (${(error as Error & { detail?: string }).detail ?? (error as Error).message}); nothing was applied`, { cause: error });
    }
    throw databaseError(what, error);
  }
}
