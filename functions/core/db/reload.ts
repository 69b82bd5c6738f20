// A full reload writes only what differs between the table and the staged rows: unchanged rows are
// not rewritten, so the table does not grow and the WAL stays small. The differences are found in
// parts of the keys side by side (the merge join of two million-row tables is most of a reload's
// own work), then applied in one statement.
import type { StagedColumn } from './copy.ts';
import { quoteIdentifier } from './identifiers.ts';

/** What a full reload found: rows the table lacked, rows that differed, rows the API no longer has. */
export interface Differences {
  added: number;
  changed: number;
  removed: number;
}

// Cannot clash with an attribute: no API name has a dot and a space.
const CHANGE = quoteIdentifier('focus_sync. change');

/**
 * The rows of `table` and `stage` (which has the same primary key, so both are read in key order
 * by a merge join) that differ, with what happened to each (added, changed, removed), written into
 * `differences` (made by differencesTable). `range`, an SQL condition on the first key column with
 * `$1` as its bound (such as `< $1`), limits both sides to a part of the keys: parts run side by
 * side, each on a connection of its own.
 */
export function differencesStatement(table: string, stage: string, differences: string, columns: StagedColumn[], range?: string): string {
  const keys = columns.filter((column) => column.key).map((column) => quoteIdentifier(column.name));
  const firstKey = keys[0]!;
  const differs = columns.filter((column) => !column.key).map(differ);
  const selected = columns.map((column) => {
    const name = quoteIdentifier(column.name);
    return column.key ? `coalesce(s.${name}, t.${name})` : `s.${name}`;
  });
  const part = (from: string) => (range ? `(SELECT * FROM ${from} WHERE ${firstKey} ${range.replace('$1', `$1::${keyType(columns)}`)})` : from);
  return `INSERT INTO ${differences}
    SELECT CASE WHEN t.${firstKey} IS NULL THEN 'added' WHEN s.${firstKey} IS NULL THEN 'removed' ELSE 'changed' END, ${selected.join(', ')}
    FROM ${part(stage)} AS s FULL JOIN ${part(table)} AS t ON ${keys.map((key) => `s.${key} = t.${key}`).join(' AND ')}
    WHERE ${[`t.${firstKey} IS NULL`, `s.${firstKey} IS NULL`, ...differs].join(' OR ')}`;
}

/** The table differencesStatement writes: what happened to the row, then the stage's columns. */
export function differencesTable(differences: string, stage: string): string {
  return `DROP TABLE IF EXISTS ${differences}; CREATE UNLOGGED TABLE ${differences} WITH (autovacuum_enabled = false) AS SELECT ''::text AS ${CHANGE}, * FROM ${stage} WITH NO DATA`;
}

/**
 * The statement that makes `table` hold exactly the staged rows, from their differences: it
 * deletes the removed and upserts the others, and returns one row of added, changed and removed
 * counts. Removed keys are absent from the stage and upserted ones present, so the two writes never
 * touch the same row.
 */
export function applyDifferencesStatement(table: string, differences: string, columns: StagedColumn[]): string {
  const names = columns.map((column) => quoteIdentifier(column.name));
  const keys = columns.filter((column) => column.key).map((column) => quoteIdentifier(column.name));
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

/** The SQL type of the first key column, for a bound given as text. */
export function keyType(columns: StagedColumn[]): string {
  return columns.find((column) => column.key)!.sqlType;
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
