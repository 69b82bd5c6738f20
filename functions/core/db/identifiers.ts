// Names from the API reach SQL only through these functions: always quoted, never pasted.
import { createHash } from 'node:crypto';
import { SchemaMappingError } from '../errors.ts';

export const SYNC_SCHEMA = 'focus_sync';
const MAX_IDENTIFIER_BYTES = 63;

export function quoteIdentifier(name: string): string {
  if (name.length === 0 || name.includes('\0')) throw new SchemaMappingError(`"${name}" cannot be a PostgreSQL name`);
  if (Buffer.byteLength(name) > MAX_IDENTIFIER_BYTES) {
    // PostgreSQL would silently truncate it, and two names could then collide.
    throw new SchemaMappingError(`The name "${name}" is longer than PostgreSQL's ${MAX_IDENTIFIER_BYTES} bytes; ask the vendor for a shorter one`);
  }
  return `"${name.replace(/"/g, '""')}"`;
}

export function qualified(schema: string, table: string): string {
  return `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`;
}

/** The schema holding a country's tables: prefix plus the lower-cased country code. */
export function countrySchema(prefix: string, country: string): string {
  return `${prefix}${country.toLowerCase()}`;
}

export type StagingKind = 'full' | 'created' | 'updated' | 'deleted' | 'differences';

/** The step that fills each kind of staging table (a full reload's differences: see reload.ts). */
export const STAGING_STEP: Readonly<Record<StagingKind, string>> = { full: 'FullLoad', created: 'LoadCreated', updated: 'LoadUpdated', deleted: 'ApplyDelta', differences: 'FullLoad' };

/**
 * A staging table name unique to one execution and pair, and derivable again from them alone; a
 * full reload stages its lines in parts, the first `_full`, then `_full_1`, `_full_2`…
 */
export function stagingTable(execution: string, resource: string, country: string, kind: StagingKind, part = 0): string {
  return qualified(SYNC_SCHEMA, `${stagingPrefix(execution, resource, country)}${kind}${part > 0 ? `_${part}` : ''}`);
}

/** What every staging table name of one execution and pair begins with (unquoted). */
export function stagingPrefix(execution: string, resource: string, country: string): string {
  const id = createHash('sha256').update(`${execution}\0${resource}\0${country}`).digest('hex').slice(0, 16);
  return `stage_${id}_`;
}

/** A string as an SQL literal (for the statements that take no parameters, such as COMMENT). */
export function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
