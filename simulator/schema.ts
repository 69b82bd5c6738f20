// The resource schema in the API's own format: the built-in one, and the check that any other
// schema can be served (every resource needs a key, created_at and updated_at).

import { SimulatorConfigError } from './errors.ts';

export interface AttributeSpec {
  primary_key: boolean;
  foreign_key: boolean;
  type: string;
}

export type SchemaDocument = {
  resources: Record<string, { allowedQueryModes: string[]; attributes: Array<Record<string, AttributeSpec>> }>;
};

/** One attribute with its name pulled out of the single-key object the API wraps it in. */
export interface Attribute extends AttributeSpec {
  name: string;
}

const MODES = ['full', 'created', 'updated', 'deleted'];

/** Two resources that between them use every type of the contract, in mixed case. */
export function defaultSchema(): SchemaDocument {
  return {
    resources: {
      promotions: resource([
        ['id', 'Int64', 'key'],
        ['name', 'string'],
        ['description', 'string'],
        ['discount', 'float64'],
        ['min_quantity', 'int32'],
        ['priority', 'int16'],
        ['active', 'bool'],
        ['tags', '[]string'],
        ['valid_from', 'date'],
        ['starts_at', 'datetime'],
        ['metadata', 'json'],
        ['created_at', 'time'],
        ['updated_at', 'time'],
      ]),
      promotion_items: resource([
        ['id', 'int64', 'key'],
        ['promotion_id', 'int64', 'foreign'],
        ['external_ref', 'int64'],
        ['sku', 'string'],
        ['product_uuid', 'UUID'],
        ['quantity', 'int'],
        ['max_per_customer', 'database.nullint16'],
        ['unit_price', 'float32'],
        ['image', 'bytes'],
        ['reviewed_at', 'time'],
        ['created_at', 'time'],
        ['updated_at', 'time'],
      ]),
    },
  };
}

/** Checks a schema document and returns its attributes per resource, in column order. */
export function schemaAttributes(document: unknown): Map<string, Attribute[]> {
  if (!isObject(document) || !isObject(document.resources)) {
    throw new SimulatorConfigError('the schema must be an object with a "resources" object');
  }
  const result = new Map<string, Attribute[]>();
  for (const [name, spec] of Object.entries(document.resources)) {
    result.set(name, resourceAttributes(name, spec));
  }
  if (result.size === 0) throw new SimulatorConfigError('the schema has no resources');
  return result;
}

/** The key columns: those marked primary_key, or `id` when none is marked. */
export function keyAttributes(attributes: Attribute[]): Attribute[] {
  const marked = attributes.filter((attribute) => attribute.primary_key);
  return marked.length > 0 ? marked : attributes.filter((attribute) => attribute.name === 'id');
}

function resourceAttributes(resourceName: string, spec: unknown): Attribute[] {
  const where = `schema resource "${resourceName}"`;
  if (!isObject(spec)) throw new SimulatorConfigError(`${where} must be an object`);
  const modes = spec.allowedQueryModes;
  if (!Array.isArray(modes) || !modes.every((mode) => typeof mode === 'string')) {
    throw new SimulatorConfigError(`${where}: allowedQueryModes must be a list of strings`);
  }
  if (!Array.isArray(spec.attributes)) throw new SimulatorConfigError(`${where}: attributes must be a list`);
  const attributes = spec.attributes.map((entry, index) => attribute(`${where} attribute ${index}`, entry));
  const names = new Set(attributes.map((attribute) => attribute.name));
  if (names.size !== attributes.length) throw new SimulatorConfigError(`${where} names a column twice`);
  for (const required of ['created_at', 'updated_at']) {
    if (!names.has(required)) {
      throw new SimulatorConfigError(`${where} has no ${required} column; every resource needs created_at and updated_at`);
    }
  }
  if (keyAttributes(attributes).length === 0) {
    throw new SimulatorConfigError(`${where} has no primary key: mark a column primary_key or name one id`);
  }
  return attributes;
}

function attribute(where: string, entry: unknown): Attribute {
  if (!isObject(entry) || Object.keys(entry).length !== 1) {
    throw new SimulatorConfigError(`${where} must be an object with exactly one key, the column name`);
  }
  const [name, spec] = Object.entries(entry)[0] as [string, unknown];
  if (!isObject(spec) || typeof spec.type !== 'string') {
    throw new SimulatorConfigError(`${where} ("${name}") needs a string "type"`);
  }
  if (spec.primary_key !== undefined && typeof spec.primary_key !== 'boolean') {
    throw new SimulatorConfigError(`${where} ("${name}"): primary_key must be true or false`);
  }
  if (spec.foreign_key !== undefined && typeof spec.foreign_key !== 'boolean') {
    throw new SimulatorConfigError(`${where} ("${name}"): foreign_key must be true or false`);
  }
  return { name, type: spec.type, primary_key: spec.primary_key === true, foreign_key: spec.foreign_key === true };
}

function resource(columns: Array<[string, string, ('key' | 'foreign')?]>) {
  return {
    allowedQueryModes: [...MODES],
    attributes: columns.map(([name, type, role]) => ({
      [name]: { primary_key: role === 'key', foreign_key: role === 'foreign', type },
    })),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
