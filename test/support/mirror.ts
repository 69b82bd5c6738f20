// Reads a mirror table and a simulator dataset into one comparable form, column by column.
import { columnType } from '../../functions/core/db/column-types.ts';
import type { Sql } from '../../functions/core/db/connection.ts';
import { mirrorTable } from '../../functions/core/db/catalog.ts';
import { quoteIdentifier } from '../../functions/core/db/identifiers.ts';
import type { Attribute } from '../../functions/core/resources.ts';
import { toWireTimestamp, wireTimestampSql } from '../../functions/core/timestamps.ts';

export type Row = Record<string, unknown>;

/** Every row of the mirror table, ordered by key, each value in its comparable form. */
export async function readMirror(sql: Sql, resource: string, country: string, attributes: Attribute[], prefix = 'focus_'): Promise<Row[]> {
  const select = attributes.map((attribute) => `${readExpression(attribute)} AS ${quoteIdentifier(attribute.name)}`).join(', ');
  // Ordered by the table's own key columns, not the text the select turns them into.
  const keys = attributes.filter((attribute) => attribute.primaryKey).map((attribute) => `t.${quoteIdentifier(attribute.name)}`).join(', ') || 't."id"';
  const rows = await sql.unsafe<Row[]>(`SELECT ${select} FROM ${mirrorTable(prefix, resource, country)} AS t ORDER BY ${keys}`);
  return rows.map((row) => Object.fromEntries(attributes.map((attribute) => [attribute.name, fromDatabase(attribute, row[attribute.name])])));
}

/** The simulator's items in the same form (they come ordered by key). */
export function comparableItems(items: Row[], attributes: Attribute[]): Row[] {
  return items.map((item) => Object.fromEntries(attributes.map((attribute) => [attribute.name, fromApi(attribute, item[attribute.name])])));
}

function readExpression(attribute: Attribute): string {
  const column = quoteIdentifier(attribute.name);
  switch (columnType(attribute.type).sql) {
    case 'TIMESTAMP': return wireTimestampSql(column);
    case 'BYTEA': return `translate(encode(${column}, 'base64'), E'\\n', '')`;
    case 'BIGINT': case 'DOUBLE PRECISION': case 'REAL': case 'UUID': case 'DATE': return `${column}::text`;
    default: return column;
  }
}

function fromDatabase(attribute: Attribute, value: unknown): unknown {
  if (value === null) return null;
  switch (columnType(attribute.type).sql) {
    case 'DOUBLE PRECISION': return Number(value);
    case 'REAL': return Math.fround(Number(value));
    default: return value;
  }
}

function fromApi(attribute: Attribute, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (columnType(attribute.type).sql) {
    case 'BIGINT': return String(value);
    case 'REAL': return Math.fround(value as number);
    case 'TIMESTAMP': return toWireTimestamp(value as string);
    case 'UUID': return (value as string).toLowerCase();
    case 'BYTEA': return Buffer.from(value as string, 'base64').toString('base64');
    default: return value;
  }
}
