// The mirror's tables and their watermarks. Every change to a table and its watermark is one transaction.
import { databaseError, FocusSyncError, InvalidLine, StagingLost } from '../errors.ts';
import { LoadProgress, type TotalRows } from '../telemetry/progress.ts';
import { wireTimestampSql } from '../timestamps.ts';
import type { Sql, Transaction } from './connection.ts';
import { copyLines, keyNames, keyStage, LineParts, stageLines, stagePart, TextNeeded, type Lines, type StagedColumn } from './copy.ts';
import { quoteIdentifier, quoteLiteral, STAGING_STEP, stagingPrefix, stagingTable, type StagingKind, SYNC_SCHEMA } from './identifiers.ts';
import { recordPass, type Pass } from './ledger.ts';
import { applyDifferencesStatement, boundsStatement, differencesStatement, differencesTable, repeatedKeyStatement, type Differences, type KeyRange } from './reload.ts';
import { Transcoder } from './transcoder/transcoder.ts';
import { log } from '../telemetry/logging.ts';
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

/** Lines in a part of a reload's stage: a part's differences are found while the next part loads. */
export const RELOAD_PART_LINES = 131_072;

/**
 * Full load into a table that has rows: the table's rows become the lines', and the watermark
 * their newest change. Only rows that differ are written (see reload.ts), in one transaction that
 * also moves the watermark. That transaction begins first and locks the table against other
 * writers (readers go on) while the lines are staged in parts (see Reload), so that what the parts'
 * differences say stays what differs until it commits.
 */
export async function reloadTable(sql: Sql, table: string, columns: StagedColumn[], lines: Lines, pair: PassPair, { total, again, partLines = RELOAD_PART_LINES }: { total?: TotalRows; again?: () => Lines; partLines?: number } = {}): Promise<{ loaded: number; watermark: string | null } & Differences> {
  return guard(`Reloading ${pair.resource}/${pair.country}`, () => sql.begin(async (apply) => {
    await lockForReload(apply, table);
    const reload = new Reload(sql, table, columns, pair);
    try {
      await reload.stage(lines, { total, again, partLines });
      return await reload.apply(apply);
    } catch (error) {
      await reload.drop();
      throw error;
    }
  }));
}

/**
 * No other writer until the transaction that applies a reload's differences commits: they stay
 * the differences. The transaction idles while the lines load, a wait PostgreSQL must not end.
 */
async function lockForReload(apply: Transaction, table: string): Promise<void> {
  await apply.unsafe(`SET LOCAL idle_in_transaction_session_timeout = 0; LOCK TABLE ${table} IN SHARE ROW EXCLUSIVE MODE`);
}

/** A part of a reload's stage: its table, its rows, its greatest key (as text, once known). */
interface Part {
  table: string;
  rows: number;
  keyed: boolean;
  greatest?: string[];
}

/**
 * A full reload's staging and differences. The lines go into parts of `partLines` lines, each a
 * table of its own, frozen and unlogged. Behind the loading, on a connection of their own, each
 * part in turn gets its primary key, its greatest key, and its differences with the table's rows
 * between the last part's greatest key and its own: the lines come in key order, and most of the
 * comparing is done by the time they end. A part with a key not above the last part's (an API that
 * does not send its keys in order: the contract does not promise it) turns that off: at the end,
 * every part is merged in key order and compared at once, after a check that no key is in two.
 * A line the binary COPY leaves sends the whole load again as text, into one stage.
 */
class Reload {
  readonly #sql: Sql;
  readonly #table: string;
  readonly #columns: StagedColumn[];
  readonly #pair: PassPair;
  readonly #where: string;
  readonly #differences: string;
  readonly #owner: object;
  readonly #parts: Part[] = [];
  /** The newest change of the parts whose differences are found (null: no rows). */
  readonly #newest: Array<string | null> = [];
  #inOrder = true;
  #behind: Promise<void> = Promise.resolve();
  #failed = false;

  constructor(sql: Sql, table: string, columns: StagedColumn[], pair: PassPair) {
    this.#sql = sql;
    this.#table = table;
    this.#columns = columns;
    this.#pair = pair;
    this.#where = `${pair.resource}/${pair.country} full lines`;
    this.#differences = stagingTable(pair.execution, pair.resource, pair.country, 'differences');
    this.#owner = { execution: pair.execution, resource: pair.resource, country: pair.country };
  }

  /** Stages the lines in parts, each part's differences found behind the next one's loading. */
  async stage(lines: Lines, { total, again, partLines }: { total?: TotalRows; again?: () => Lines; partLines: number }): Promise<void> {
    await this.#createDifferences();
    const parts = new LineParts(lines, partLines);
    const progress = new LoadProgress(this.#where, total);
    const binary = again !== undefined && Transcoder.takes(this.#columns);
    let loaded = 0;
    try {
      do {
        const table = stagingTable(this.#pair.execution, this.#pair.resource, this.#pair.country, 'full', this.#parts.length);
        const rows = await stagePart(this.#sql, table, this.#columns, parts.part(), this.#where, this.#owner, { progress: progress.after(loaded), binary });
        loaded += rows;
        const part = { table, rows, keyed: false };
        this.#parts.push(part);
        if (!(await parts.more())) break;
        this.#findBehind(part);
      } while (!this.#failed);
      progress.finish(loaded);
    } catch (error) {
      progress.finish(loaded);
      await this.#behind.catch(() => undefined);
      if (!(error instanceof TextNeeded)) throw error;
      log().info(`${this.#where}: loading the lines again, as COPY text`, { reason: error.message });
      await this.drop();
      await this.#createDifferences();
      this.#parts.length = 0;
      this.#newest.length = 0;
      this.#inOrder = true;
      const table = stagingTable(this.#pair.execution, this.#pair.resource, this.#pair.country, 'full');
      const rows = await stageLines(this.#sql, table, this.#columns, again!(), this.#where, this.#owner, { total, keyed: true });
      this.#parts.push({ table, rows, keyed: true });
    }
    await this.#behind;
    await this.#findRest();
  }

  /**
   * In the transaction that locked the table: refuses stages PostgreSQL emptied (see
   * checkStaged), writes the differences, moves the watermark, records the pass and drops the stages.
   */
  async apply(apply: Transaction): Promise<{ loaded: number; watermark: string | null } & Differences> {
    const pair = this.#pair;
    // The lease first, then the rest sent together, as a delta's apply is (see applyStaged).
    // Readers keep seeing the old rows until the commit, never an empty or half-written table.
    await holdLease(apply, pair);
    const [, [applied]] = await Promise.all([
      checkStaged(apply, pair, this.#parts.map(({ table }) => ({ kind: 'full', table }))),
      apply.unsafe<[{ added: string; changed: string; removed: string }]>(applyDifferencesStatement(this.#table, this.#differences, this.#columns)).execute(),
    ]);
    const counts = { added: Number(applied!.added), changed: Number(applied!.changed), removed: Number(applied!.removed) };
    const loaded = this.#parts.reduce((sum, part) => sum + part.rows, 0);
    const newest = `SELECT greatest(NULL::timestamp${this.#newest.map((value) => (value === null ? '' : `, ${quoteLiteral(value)}::timestamp`)).join('')})`;
    const watermark = await commitPass(apply, pair, { mode: 'full', loaded, created: 0, updated: 0, deleted: 0, differences: counts }, newest,
      `DROP TABLE ${[...this.#parts.map(({ table }) => table), this.#differences].join(', ')}`);
    return { loaded, watermark, ...counts };
  }

  /** Drops what a failed reload staged, once nothing works on it; a failure here is left to the run's clean-up. */
  async drop(): Promise<void> {
    await this.#behind.catch(() => undefined);
    await dropStaging(this.#sql, this.#pair).catch(() => undefined);
  }

  async #createDifferences(): Promise<void> {
    await this.#sql.unsafe(`${differencesTable(this.#differences, this.#columns)}; COMMENT ON TABLE ${this.#differences} IS ${quoteLiteral(JSON.stringify(this.#owner))}`);
  }

  /** The part's key, and while the keys come in order, its differences, after the last part's. */
  #findBehind(part: Part): void {
    const index = this.#parts.length - 1;
    this.#behind = this.#behind.then(async () => {
      await this.#key(part, index);
      if (!this.#inOrder || part.rows === 0) return;
      const after = this.#parts[index - 1]?.greatest;
      const range: KeyRange = after ? [['>', after], ['<=', part.greatest!]] : [['<=', part.greatest!]];
      await this.#find([part.table], range);
      await this.#findNewest([part]);
    });
    // Read when the lines end; meanwhile a failure stops the loading at the next part.
    this.#behind.catch(() => {
      this.#failed = true;
    });
  }

  /** Builds a part's primary key; while the keys come in order, reads its greatest and checks they still do. */
  async #key(part: Part, index: number): Promise<void> {
    if (!part.keyed) await keyStage(this.#sql, part.table, this.#columns, this.#where);
    part.keyed = true;
    if (!this.#inOrder) return;
    const previous = this.#parts[index - 1]?.greatest;
    const bounds = boundsStatement(part.table, this.#columns, previous);
    const [{ greatest, above }] = await this.#sql.unsafe<[{ greatest: string[] | null; above: boolean }]>(bounds.text, bounds.params);
    if (!above) {
      this.#inOrder = false;
      log().info(`${this.#where}: the keys do not come in order; the parts' differences are found once all have loaded`, { part: part.table });
    }
    part.greatest = greatest ?? previous;
  }

  /**
   * The differences not yet found, once every part has loaded: the last part's, above the part
   * before it; or, the keys out of order, every part's at once, merged in key order, once no key
   * is in two of them. In two halves of the keys side by side (the middle from a sample of the
   * last part's keys), beside the newest change of the parts they cover.
   */
  async #findRest(): Promise<void> {
    const last = this.#parts.at(-1)!;
    await this.#key(last, this.#parts.length - 1);
    let rest = [last];
    let range: KeyRange = [];
    if (this.#inOrder) {
      const after = this.#parts.at(-2)?.greatest;
      if (after) range = [['>', after]];
    } else {
      rest = this.#parts;
      this.#newest.length = 0;
      await this.#sql.unsafe(`TRUNCATE ${this.#differences}`);
      if (rest.length > 1) await this.#refuseRepeatedKeys(rest);
    }
    const middle = await middleKey(this.#sql, last.table, this.#columns);
    const halves: KeyRange[] = middle === null ? [range] : [[...range, ['<=', [middle]]], [...range, ['>', [middle]]]];
    const stages = rest.map(({ table }) => table);
    const settled = await Promise.allSettled([...halves.map((half) => this.#find(stages, half)), this.#findNewest(rest)]);
    const failed = settled.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** The stages' differences in `range`, into the differences table. */
  async #find(stages: string[], range: KeyRange): Promise<void> {
    const differences = differencesStatement(this.#table, stages, this.#differences, this.#columns, range);
    // Both sides are read in key order through their primary keys and merge-joined: a hash join
    // of two tables this size spills to disk in batches (twice as slow), and so does the sort the
    // planner picks for a table autovacuum has not analyzed since its first load (it then takes
    // the table for about 325,000 rows in no order).
    await this.#sql.begin(async (part) => {
      await part.unsafe('SET LOCAL enable_hashjoin = off; SET LOCAL enable_sort = off');
      await part.unsafe(differences.text, differences.params);
    });
  }

  /** The newest change the parts hold, kept for the watermark. */
  async #findNewest(parts: Part[]): Promise<void> {
    const newest = parts.map(({ table }) => `(SELECT max(greatest(created_at, updated_at)) FROM ${table})`);
    const [found] = await this.#sql.unsafe<[{ newest: string | null }]>(`SELECT ${wireTimestampSql(`greatest(${newest.join(', ')})`)} AS newest`);
    this.#newest.push(found!.newest);
  }

  async #refuseRepeatedKeys(parts: Part[]): Promise<void> {
    const [repeated] = await this.#sql.begin(async (transaction) => {
      await transaction.unsafe('SET LOCAL enable_hashagg = off; SET LOCAL enable_sort = off');
      return transaction.unsafe<[{ key: string }?]>(repeatedKeyStatement(parts.map(({ table }) => table), this.#columns));
    });
    if (repeated) throw new InvalidLine(`${this.#where}: the API sent the key ${repeated.key} more than once; nothing of this load was applied`);
  }
}

/**
 * The middle of a keyed stage's first key column, from a sample of them (3,000 rows take
 * milliseconds, and tell the planner the keys are in order too); null without one.
 */
async function middleKey(sql: Sql, stage: string, columns: StagedColumn[]): Promise<string | null> {
  const first = columns.find((column) => column.key)!;
  await sql.begin((transaction) => transaction.unsafe(`SET LOCAL default_statistics_target = 10; ANALYZE ${stage} (${quoteIdentifier(first.name)})`));
  const [found] = await sql.unsafe<[{ middle: string | null }?]>(
    `SELECT bounds[(array_length(bounds, 1) + 1) / 2]::text AS middle
     FROM (SELECT histogram_bounds::text::${first.sqlType}[] AS bounds FROM pg_stats
           WHERE format('%I.%I', schemaname, tablename)::regclass = $1::regclass AND attname = $2) AS sample`,
    [stage, first.name]);
  return found?.middle ?? null;
}

/**
 * Delta: upsert created and updated, delete deleted, and move the watermark, all at once.
 * `stageDeleted` stages the deleted items (on a connection of its own, and committed, as the load
 * steps stage theirs) while the transaction upserts the others; the delete waits for it.
 */
export async function applyStaged(sql: Sql, table: string, columns: StagedColumn[], pair: PassPair, stageDeleted: () => Promise<number>): Promise<{ upserted: number; deleted: number; watermark: string | null }> {
  const stage = (kind: StagingKind) => stagingTable(pair.execution, pair.resource, pair.country, kind);
  const statements = deltaStatements(table, columns, stage);
  const staging = stageDeleted();
  // Its failure surfaces where the transaction awaits it; and it has settled before this returns,
  // whatever failed first, so that nothing of the step works on after it.
  staging.catch(() => {});
  try {
    return await guard(`Applying the delta of ${pair.resource}/${pair.country}`, () => sql.begin(async (transaction) => {
      // The lease first: a run that lost the pair must not take row locks the new holder waits on.
      await holdLease(transaction, pair);
      // Then the rest sent together (postgres.js pipelines a transaction's queries): an emptied
      // stage is found before the commit all the same, and only rolls back what ran.
      const [[created, updated], , upserted] = await Promise.all([
        checkStaged(transaction, pair, (['created', 'updated'] as const).map((kind) => ({ kind, table: stage(kind) }))),
        transaction.unsafe(statements.plan).execute(),
        transaction.unsafe(statements.upsert).execute(),
      ]);
      // The deleted stage is this step's own, committed just now: no crash can have emptied it
      // without ending this transaction too.
      await staging;
      const deleted = await transaction.unsafe(statements.delete);
      const pass = { mode: 'delta' as const, loaded: 0, created: created!, updated: updated!, deleted: deleted.count, differences: null };
      const watermark = await commitPass(transaction, pair, pass,
        `SELECT greatest(
           (SELECT watermark FROM ${SYNC_SCHEMA}.state WHERE resource = $1 AND country = $2),
           (SELECT max(greatest(created_at, updated_at)) FROM ${stage('created')}),
           (SELECT max(greatest(created_at, updated_at)) FROM ${stage('updated')}))`,
        `DROP TABLE ${stage('created')}, ${stage('updated')}, ${stage('deleted')}`);
      return { upserted: upserted.count, deleted: deleted.count, watermark };
    }));
  } finally {
    await staging.catch(() => {});
  }
}

/**
 * The statements that apply the staged changes to `table`, in this order (the benchmark times them
 * alone): `plan`, then the two that change rows.
 */
export function deltaStatements(table: string, columns: StagedColumn[], stage: (kind: 'created' | 'updated' | 'deleted') => string): { plan: string; upsert: string; delete: string } {
  const names = columnList(columns);
  const key = keyNames(columns).join(', ');
  const updates = columns.filter((column) => !column.key).map((column) => `${quoteIdentifier(column.name)} = excluded.${quoteIdentifier(column.name)}`);
  const keyMatch = keyNames(columns).map((name) => `t.${name} = d.${name}`).join(' AND ');
  return {
    // A delta costs what its changes cost, whatever the table's size: each deleted key is looked
    // up. Left to its estimates, the planner read whole tables to delete a few keys from them: a
    // stage it has no statistics for is some thousands of rows to it (30 ms for 3 keys of 100,000
    // rows), and with them it still preferred reading 1,000,000 rows to 3,333 lookups (210
    // against 30 ms), taking each lookup for a read from disk.
    plan: 'SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off',
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

/** Drops whatever staging tables an execution left for a pair (after a failure), every part of them. */
export async function dropStaging(sql: Sql, pair: Pair): Promise<void> {
  await guard(`Dropping the staging tables of ${pair.resource}/${pair.country}`, async () => {
    const prefix = stagingPrefix(pair.execution, pair.resource, pair.country).replace(/_/g, '\\_');
    await dropStages(sql, 'c.relname LIKE $1', [`${prefix}%`]);
  });
}

/** Drops the staging tables other runs left for this pair (they died, or lost the pair's lease). */
export async function dropStaleStaging(sql: Sql, pair: Pair): Promise<void> {
  await guard(`Dropping the staging tables other runs left for ${pair.resource}/${pair.country}`, async () => {
    await dropStages(sql, `c.relname LIKE 'stage\\_%'
         AND CASE WHEN obj_description(c.oid, 'pg_class') LIKE '{%' THEN
               obj_description(c.oid, 'pg_class')::jsonb @> jsonb_build_object('resource', $1::text, 'country', $2::text)
               AND obj_description(c.oid, 'pg_class')::jsonb ->> 'execution' <> $3 END`,
    [pair.resource, pair.country, pair.execution]);
  });
}

/** Drops, in one statement, the tables of the sync's schema that `which` (on pg_class `c`) picks. */
async function dropStages(sql: Sql, which: string, params: string[]): Promise<void> {
  const tables = await sql.unsafe<Array<{ name: string }>>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = '${SYNC_SCHEMA}' AND c.relkind = 'r' AND ${which}`, params);
  if (tables.length > 0) await sql.unsafe(`DROP TABLE IF EXISTS ${tables.map(({ name }) => `${SYNC_SCHEMA}.${quoteIdentifier(name)}`).join(', ')}`);
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
async function checkStaged(transaction: Transaction, pair: Pair, stages: Array<{ kind: StagingKind; table: string }>): Promise<number[]> {
  const [found] = await transaction.unsafe<[Record<string, string | boolean>]>(
    `SELECT ${stages.map(({ table }, index) => `EXISTS (SELECT 1 FROM ${table}) AS held_${index},
       coalesce((obj_description($${index + 1}::regclass, 'pg_class')::jsonb ->> 'rows')::bigint, (SELECT count(*) FROM ${table})) AS staged_${index}`).join(', ')}`,
    stages.map(({ table }) => table));
  return stages.map(({ kind, table }, index) => {
    const staged = Number(found![`staged_${index}`]);
    if (staged > 0 && found![`held_${index}`] !== true) {
      throw new StagingLost(`${pair.resource}/${pair.country}: ${STAGING_STEP[kind]} staged ${staged} ${kind} lines in ${table}, which is now empty: PostgreSQL empties unlogged tables when it crashes or fails over. Nothing was applied and the watermark did not move; the next run loads the pair again`);
    }
    return staged;
  });
}

/**
 * Moves the watermark and writes the pass's ledger row, in the caller's transaction; `after` (the
 * stages' drop) is sent with the ledger's row. Two round trips: the watermark before is read in
 * the one that moves it, sent first.
 */
async function commitPass(transaction: Transaction, pair: PassPair, pass: Omit<Pass, 'watermarkAfter' | 'reason'>, newest: string, after?: string): Promise<string | null> {
  const [[before], watermarkAfter] = await Promise.all([
    transaction.unsafe<[{ watermark: string }?]>(
      `SELECT ${wireTimestampSql('watermark')} AS watermark FROM ${SYNC_SCHEMA}.state WHERE resource = $1 AND country = $2`, [pair.resource, pair.country]).execute(),
    saveWatermark(transaction, pair, pass.mode, newest),
  ]);
  await Promise.all([
    recordPass(transaction, pair, { ...pass, reason: pair.reason ?? null, watermarkAfter }, before?.watermark ?? null),
    ...(after ? [transaction.unsafe(after).execute()] : []),
  ]);
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
