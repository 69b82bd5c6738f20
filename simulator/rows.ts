// Writes one item as a line of JSON text, keys in attribute order. Every value is a pure
// function of (pair seed, id, version, column), so nothing but the change log is stored.

import { hashString, mix, mixNumber } from './random.ts';
import { keyAttributes, type Attribute } from './schema.ts';
import { formatMicros } from './timestamp.ts';
import { flattened, keyWriter, POOL_SIZE, valuePool } from './values.ts';

// Numbers, not strings: the switch over them runs for every value of every line.
const KEY = 0;
const CREATED = 1;
const UPDATED = 2;
const FOREIGN = 3;
const VALUE = 4;

interface Column {
  prefix: string;
  role: number;
  key: (id: number) => string;
  salt: number;
  pool: readonly string[];
}

const NULL_PERCENT = 10;
const POOL_MASK = POOL_SIZE - 1;

export class RowEncoder {
  private readonly columns: Column[];
  private readonly keyColumns: Column[];
  private readonly createdCache = { micros: -1, text: '' };
  private readonly updatedCache = { micros: -1, text: '' };
  private readonly seed: number;
  private readonly foreignRange: number;

  constructor(attributes: Attribute[], seed: number, foreignRange: number) {
    this.seed = seed;
    this.foreignRange = foreignRange;
    const keys = new Set(keyAttributes(attributes));
    this.columns = attributes.map((attribute, index) => ({
      prefix: flattened((index === 0 ? '{' : ',') + JSON.stringify(attribute.name) + ':'),
      role: role(attribute, keys.has(attribute)),
      key: keyWriter(attribute.type),
      salt: hashString(attribute.name),
      pool: valuePool(attribute.type),
    }));
    this.keyColumns = this.columns.filter((column) => column.role === KEY);
  }

  line(id: number, version: number, createdAt: number, updatedAt: number): string {
    const rowSeed = mix(mixNumber(this.seed, id), version);
    let text = '';
    for (const column of this.columns) {
      switch (column.role) {
        case KEY:
          text += column.prefix + column.key(id);
          break;
        case CREATED:
          text += column.prefix + cached(this.createdCache, createdAt);
          break;
        case UPDATED:
          text += column.prefix + cached(this.updatedCache, updatedAt);
          break;
        default:
          text += column.prefix + this.value(column, mix(rowSeed, column.salt));
      }
    }
    return text + '}\n';
  }

  /** A deleted item: its key columns and the time it went. */
  deletedLine(id: number, deletedAt: number): string {
    let text = '';
    this.keyColumns.forEach((column, index) => {
      text += (index === 0 ? '{' : ',') + column.prefix.slice(1) + column.key(id);
    });
    return text + ',"deleted_at":"' + formatMicros(deletedAt) + '"}\n';
  }

  private value(column: Column, hash: number): string {
    if (hash % 100 < NULL_PERCENT) return 'null';
    if (column.role === FOREIGN) return column.key(1 + ((hash >>> 7) % this.foreignRange));
    return column.pool[(hash >>> 7) & POOL_MASK] as string;
  }
}

function role(attribute: Attribute, isKey: boolean): number {
  if (isKey) return KEY;
  if (attribute.name === 'created_at') return CREATED;
  if (attribute.name === 'updated_at') return UPDATED;
  return attribute.foreign_key ? FOREIGN : VALUE;
}

// Items come in groups sharing a timestamp, so a one-entry cache saves most formatting.
function cached(cache: { micros: number; text: string }, micros: number): string {
  if (cache.micros !== micros) {
    cache.micros = micros;
    cache.text = '"' + formatMicros(micros) + '"';
  }
  return cache.text;
}
