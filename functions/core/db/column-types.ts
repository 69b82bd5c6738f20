// API attribute types → PostgreSQL column types, and how a JSON value becomes COPY text.
import { isRawJson } from '../api/ndjson.ts';
import { isWireTimestamp } from '../timestamps.ts';

export type Encode = (value: unknown) => string;

export interface ColumnType {
  sql: string;
  encode: Encode;
  /** True when the API type was not in the contract's table and the column falls back to JSONB. */
  unknown?: boolean;
  /** What a reader of docs/ledger.md's type table should know (npm run docs writes it from TYPES). */
  note?: string;
}

export const NULL = '\\N';

/** Thrown by an encoder; the caller adds resource, country, line and column. */
export class ValueMismatch extends Error {
  override name = 'ValueMismatch';
}

/** Thrown by an encoder given an integer that JSON.parse rounded: parse the line exactly, then retry. */
export class InexactNumber extends Error {
  override name = 'InexactNumber';
}

const integer = (min: number, max: number): Encode => (value) => {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return String(value);
  throw new ValueMismatch(`expected an integer from ${min} to ${max}`);
};

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const int64: Encode = (value) => {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'number' && Number.isInteger(value)) throw new InexactNumber();
  // The exact parse keeps integers beyond 2^53 as written; the API may also send digits as a string.
  const digits = isRawJson(value) ? value.rawJSON : value;
  if (typeof digits === 'string' && /^-?\d+$/.test(digits) && BigInt(digits) >= INT64_MIN && BigInt(digits) <= INT64_MAX) return digits;
  throw new ValueMismatch('expected a 64-bit integer');
};

const float: Encode = (value) => {
  // String(-0) is "0": a negative zero keeps its sign, as PostgreSQL keeps it.
  if (Object.is(value, -0)) return '-0';
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  // An integer beyond 2^53 in a line parsed exactly (for another column's sake): PostgreSQL rounds it as JSON.parse would.
  if (isRawJson(value)) return value.rawJSON;
  throw new ValueMismatch('expected a number');
};

const text: Encode = (value) => {
  if (typeof value === 'string') return escapeCopy(value);
  throw new ValueMismatch('expected a string');
};

const matching = (pattern: RegExp, expected: string): Encode => (value) => {
  if (typeof value === 'string' && pattern.test(value)) return value;
  throw new ValueMismatch(`expected ${expected}`);
};

const timestamp: Encode = (value) => {
  if (typeof value === 'string' && isWireTimestamp(value)) return value;
  throw new ValueMismatch('expected a timestamp like 2025-07-01T16:01:00.827904');
};

const bool: Encode = (value) => {
  if (typeof value === 'boolean') return value ? 't' : 'f';
  throw new ValueMismatch('expected true or false');
};

const json: Encode = (value) => {
  if (hasInexactInteger(value)) throw new InexactNumber();
  return escapeCopy(JSON.stringify(value));
};

function hasInexactInteger(value: unknown): boolean {
  if (typeof value === 'number') return Number.isInteger(value) && !Number.isSafeInteger(value);
  if (typeof value !== 'object' || value === null) return false;
  for (const nested of Array.isArray(value) ? value : Object.values(value)) if (hasInexactInteger(nested)) return true;
  return false;
}

const ARRAY_QUOTED = /[\\"]/;
const ARRAY_QUOTED_ALL = /[\\"]/g;
const textArray: Encode = (value) => {
  if (!Array.isArray(value)) throw new ValueMismatch('expected an array of strings');
  let literal = '{';
  for (let index = 0; index < value.length; index += 1) {
    const element: unknown = value[index];
    if (index > 0) literal += ',';
    if (element === null) {
      literal += 'NULL';
    } else if (typeof element === 'string') {
      literal += `"${ARRAY_QUOTED.test(element) ? element.replace(ARRAY_QUOTED_ALL, '\\$&') : element}"`;
    } else {
      throw new ValueMismatch('expected an array of strings');
    }
  }
  return escapeCopy(`${literal}}`);
};

// The wire encoding of bytes is unknown (contract, section 2); base64 is the usual JSON form.
const bytes: Encode = (value) => {
  if (typeof value === 'string' && /^[A-Za-z0-9+/_-]*={0,2}$/.test(value)) return `\\\\x${Buffer.from(value, 'base64').toString('hex')}`;
  throw new ValueMismatch('expected base64 bytes');
};

export const TYPES: Readonly<Record<string, ColumnType>> = {
  int64: { sql: 'BIGINT', encode: int64 },
  int32: { sql: 'INTEGER', encode: integer(-2147483648, 2147483647) },
  int: { sql: 'INTEGER', encode: integer(-2147483648, 2147483647) },
  int16: { sql: 'INTEGER', encode: integer(-32768, 32767) },
  'database.nullint16': { sql: 'INTEGER', encode: integer(-32768, 32767) },
  string: { sql: 'VARCHAR', encode: text },
  float64: { sql: 'DOUBLE PRECISION', encode: float, note: 'the reference client\'s `REAL` loses precision' },
  float32: { sql: 'REAL', encode: float },
  uuid: { sql: 'UUID', encode: matching(/^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i, 'a UUID') },
  time: { sql: 'TIMESTAMP', encode: timestamp, note: 'microseconds kept' },
  datetime: { sql: 'TIMESTAMP', encode: timestamp, note: 'microseconds kept' },
  date: { sql: 'DATE', encode: matching(/^\d{4}-\d{2}-\d{2}$/, 'a date like 2025-07-01') },
  '[]string': { sql: 'TEXT[]', encode: textArray },
  bytes: { sql: 'BYTEA', encode: bytes, note: 'sent as base64' },
  bool: { sql: 'BOOLEAN', encode: bool },
  json: { sql: 'JSONB', encode: json },
};

/** Type names match case-insensitively; an unknown type is kept losslessly as JSONB. */
export function columnType(apiType: string): ColumnType {
  return TYPES[apiType.toLowerCase()] ?? { sql: 'JSONB', encode: json, unknown: true };
}

/** COPY text format: backslash, newline, carriage return and tab are escaped. */
export function escapeCopy(value: string): string {
  return /[\\\n\r\t]/.test(value) ? value.replace(/[\\\n\r\t]/g, escapeCharacter) : value;
}

function escapeCharacter(character: string): string {
  switch (character) {
    case '\\': return '\\\\';
    case '\n': return '\\n';
    case '\r': return '\\r';
    default: return '\\t';
  }
}
