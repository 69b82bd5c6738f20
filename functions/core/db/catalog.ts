// The resources BuildDbSchema recorded: later steps read their columns here, not from the state.
import { inDatabase, SchemaMappingError } from '../errors.ts';
import type { Attribute, Resource } from '../resources.ts';
import type { Sql } from './connection.ts';
import { countrySchema, qualified, SYNC_SCHEMA } from './identifiers.ts';

export async function readResource(sql: Sql, name: string): Promise<Resource> {
  const [row] = await inDatabase(`Reading the columns of resource "${name}"`,
    () => sql.unsafe<[{ attributes: Attribute[] }?]>(`SELECT attributes FROM ${SYNC_SCHEMA}.resources WHERE resource = $1`, [name]));
  if (!row) throw new SchemaMappingError(`Resource "${name}" has no tables yet; run the whole state machine (BuildDbSchema creates them) before a single step`);
  return { name, attributes: row.attributes };
}

export function mirrorTable(schemaPrefix: string, resource: string, country: string): string {
  return qualified(countrySchema(schemaPrefix, country), resource);
}
