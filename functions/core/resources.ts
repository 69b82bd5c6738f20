// A resource as the sync sees it: its name, its columns in API order, and its key.
import type { SchemaResponse } from './api/responses.ts';
import { SchemaMappingError } from './errors.ts';

export interface Attribute {
  name: string;
  type: string;
  primaryKey: boolean;
}

export interface Resource {
  name: string;
  attributes: Attribute[];
}

export function resourcesFromSchema(document: SchemaResponse): Resource[] {
  return Object.entries(document.resources).map(([name, resource]) => ({
    name,
    attributes: resource.attributes.map((entry) => {
      const [attributeName, definition] = Object.entries(entry)[0]!;
      return { name: attributeName, type: definition.type, primaryKey: definition.primary_key };
    }),
  }));
}

/** The key columns: those the schema flags, else `id` (what the reference client assumes). */
export function primaryKey(resource: Resource): string[] {
  const flagged = resource.attributes.filter((attribute) => attribute.primaryKey).map((attribute) => attribute.name);
  if (flagged.length > 0) return flagged;
  if (resource.attributes.some((attribute) => attribute.name === 'id')) return ['id'];
  throw new SchemaMappingError(`Resource "${resource.name}" has no primary key and no "id" attribute, so updates and deletes cannot be matched; ask the vendor to flag its key`);
}

export function requireTimestamps(resource: Resource): void {
  for (const column of ['created_at', 'updated_at']) {
    if (!resource.attributes.some((attribute) => attribute.name === column)) {
      throw new SchemaMappingError(`Resource "${resource.name}" has no "${column}" attribute, which every resource carries and delta sync needs`);
    }
  }
}
