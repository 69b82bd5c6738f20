// A full reload writes only what differs between the table and the staged rows: unchanged rows are
// not rewritten, so the table does not grow and the WAL stays small. The differences are found in
// parts of the keys (the merge join of two million-row tables is most of a reload's own work): a
// part of the stage each while the next part loads, or side by side at the end (see mirror.ts's
// Reload), then applied in one statement.
import { columnDefinitions, keyNames, type StagedColumn } from './copy.ts';
import { quoteIdentifier, quoteLiteral } from './identifiers.ts';

/** What a full reload found: rows the table lacked, rows that differed, rows the API no longer has. */
export interface Differences {
  added: number;
  changed: number;
  removed: number;
}

// Cannot clash with an attribute: no API name has a dot and a space.
const CHANGE = quoteIdentifier('focus_sync. change');

/**
 * A part of the keys: every condition holds, each comparing the key (or its first columns, as many
 * as the bound has values) row-wise with a bound given as text, as the primary key's index orders
 * them. No condition: every key.
 */
export type KeyRange = Array<['>' | '<=', string[]]>;

/** A statement and its parameters. */
export interface Statement {
  text: string;
  params: string[];
}

/**
 * The rows of `table` and of the stages (which have its primary key, so that both sides are read in
 * key order and merge-joined; several stages are read as one, merged in key order where the
 * planner takes that plan, hashed where it does not) that differ, with what
 * happened to each (added, changed, removed), written into `differences` (made by
 * differencesTable). `range` limits every side to a part of the keys: parts run side by side, each
 * on a connection of its own, or while later stages are still loading.
 */
export function differencesStatement(table: string, stages: string[], differences: string, columns: StagedColumn[], range: KeyRange = []): Statement {
  const params: string[] = [];
  const condition = rangeCondition(columns, range, params);
  const keys = keyNames(columns);
  const firstKey = keys[0]!;
  const differs = columns.filter((column) => !column.key).map(differ);
  const selected = columns.map((column) => {
    const name = quoteIdentifier(column.name);
    return column.key ? `coalesce(s.${name}, t.${name})` : `s.${name}`;
  });
  const staged = stages.length === 1 && !condition ? stages[0] : `(${stages.map((stage) => `SELECT * FROM ${stage}${condition}`).join(' UNION ALL ')})`;
  const current = condition ? `(SELECT * FROM ${table}${condition})` : table;
  return {
    text: `INSERT INTO ${differences}
    SELECT CASE WHEN t.${firstKey} IS NULL THEN 'added' WHEN s.${firstKey} IS NULL THEN 'removed' ELSE 'changed' END, ${selected.join(', ')}
    FROM ${staged} AS s FULL JOIN ${current} AS t ON ${keys.map((key) => `s.${key} = t.${key}`).join(' AND ')}
    WHERE ${[`t.${firstKey} IS NULL`, `s.${firstKey} IS NULL`, ...differs].join(' OR ')}`,
    params,
  };
}

/** ` WHERE` the range's conditions, their bounds added to `params`; empty for every key. */
function rangeCondition(columns: StagedColumn[], range: KeyRange, params: string[]): string {
  const keys = columns.filter((column) => column.key);
  const conditions = range.map(([operator, bound]) => {
    const used = keys.slice(0, bound.length);
    const values = bound.map((value, index) => {
      params.push(value);
      return `$${params.length}::${used[index]!.sqlType}`;
    });
    return `(${used.map((key) => quoteIdentifier(key.name)).join(', ')}) ${operator} (${values.join(', ')})`;
  });
  return conditions.length ? ` WHERE ${conditions.join(' AND ')}` : '';
}

/** The table differencesStatement writes: what happened to the row, then the stage's columns. */
export function differencesTable(differences: string, columns: StagedColumn[]): string {
  return `DROP TABLE IF EXISTS ${differences}; CREATE UNLOGGED TABLE ${differences} (${CHANGE} text, ${columnDefinitions(columns)}) WITH (autovacuum_enabled = false)`;
}

/**
 * A keyed stage's greatest key, as text (`greatest`), and whether every key it holds is above
 * `after` (`above`; with no bound, true): one probe of its index each.
 */
export function boundsStatement(stage: string, columns: StagedColumn[], after: string[] | undefined): Statement {
  const params: string[] = [];
  const keys = keyNames(columns);
  const above = after ? `NOT EXISTS (SELECT 1 FROM ${stage}${rangeCondition(columns, [['<=', after]], params)})` : 'true';
  return {
    text: `SELECT (SELECT array[${keys.map((key) => `${key}::text`).join(', ')}] FROM ${stage} ORDER BY ${keys.map((key) => `${key} DESC`).join(', ')} LIMIT 1) AS greatest, ${above} AS above`,
    params,
  };
}

/**
 * One key that more than one of the (keyed) stages holds, written as PostgreSQL's errors write a
 * key, `(id)=(7)`; no row when none does. The stages are merged in key order: with sorts and hash
 * aggregation off, a walk through their indexes.
 */
export function repeatedKeyStatement(stages: string[], columns: StagedColumn[]): string {
  const keys = keyNames(columns);
  const list = keys.join(', ');
  const names = columns.filter((column) => column.key).map((column) => `quote_ident(${quoteLiteral(column.name)})`);
  return `SELECT '(' || concat_ws(', ', ${names.join(', ')}) || ')=(' || concat_ws(', ', ${keys.map((key) => `${key}::text`).join(', ')}) || ')' AS key
    FROM (${stages.map((stage) => `SELECT ${list} FROM ${stage}`).join(' UNION ALL ')}) AS staged
    GROUP BY ${list} HAVING count(*) > 1 LIMIT 1`;
}

/**
 * The statement that makes `table` hold exactly the staged rows, from their differences: it
 * deletes the removed and upserts the others, and returns one row of added, changed and removed
 * counts. Removed keys are absent from the stage and upserted ones present, so the two writes never
 * touch the same row.
 */
export function applyDifferencesStatement(table: string, differences: string, columns: StagedColumn[]): string {
  const names = columns.map((column) => quoteIdentifier(column.name));
  const keys = keyNames(columns);
  const updates = columns.filter((column) => !column.key).map((column) => `${quoteIdentifier(column.name)} = excluded.${quoteIdentifier(column.name)}`);
  return `WITH removed AS (
      DELETE FROM ${table} AS t USING ${differences} AS d
      WHERE d.${CHANGE} = 'removed' AND ${keys.map((key) => `t.${key} = d.${key}`).join(' AND ')}),
    upserted AS (
      INSERT INTO ${table} (${names.join(', ')}) SELECT ${names.join(', ')} FROM ${differences} WHERE ${CHANGE} <> 'removed'
      ON CONFLICT (${keys.join(', ')}) DO ${updates.length ? `UPDATE SET ${updates.join(', ')}` : 'NOTHING'})
    SELECT count(*) FILTER (WHERE ${CHANGE} = 'added') AS added,
           count(*) FILTER (WHERE ${CHANGE} = 'changed') AS changed,
           count(*) FILTER (WHERE ${CHANGE} = 'removed') AS removed
    FROM ${differences}`;
}

/**
 * Whether a column's value differs, exactly: jsonb's equality calls 1 and 1.0 equal, and a
 * float's calls 0 and -0 equal, though each is stored and read back as sent. jsonb is compared as
 * its text; a float by its bits, but only where it is zero, the one value whose bits equality
 * does not tell (the API has no NaN); a bytea per row for every float made the difference of
 * 1,000,000 rows 7% slower.
 */
function differ(column: StagedColumn): string {
  const [t, s] = [`t.${quoteIdentifier(column.name)}`, `s.${quoteIdentifier(column.name)}`];
  switch (column.sqlType) {
    case 'JSONB': return `${t}::text IS DISTINCT FROM ${s}::text`;
    case 'DOUBLE PRECISION': return `(${t} IS DISTINCT FROM ${s} OR (${t} = 0 AND float8send(${t}) <> float8send(${s})))`;
    case 'REAL': return `(${t} IS DISTINCT FROM ${s} OR (${t} = 0 AND float4send(${t}) <> float4send(${s})))`;
    default: return `${t} IS DISTINCT FROM ${s}`;
  }
}
