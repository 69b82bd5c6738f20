// Values as JSON text, per API type (matched case-insensitively; an unknown type gets strings).
// JSON text, not values: int64 beyond 2^53 cannot pass through a JS number.

import { hashString, Random } from './random.ts';
import { formatDay, formatMicros } from './timestamp.ts';
import { jsonValue, stringArrayValue, stringKey, stringValue } from './text.ts';

type ValueWriter = (random: Random) => string;

export const POOL_SIZE = 1 << 11;

const HEX = Array.from({ length: 256 }, (_, n) => n.toString(16).padStart(2, '0'));
const DAY_2020 = Date.UTC(2020, 0, 1) / 86_400_000;
const TEN_YEARS_DAYS = 3653;
const TEN_YEARS_MICROS = TEN_YEARS_DAYS * 86_400_000_000;
const TIME_FROM = Date.UTC(2020, 0, 1) * 1000;
const MAX_SAFE_HIGH = 2 ** 21;
// 2095944040 * 2^32 is just under 9e18, inside the signed 64-bit range.
const MAX_BIG_HIGH = 2_095_944_040;
const MAGNITUDES = [1, 10, 100, 1000, 1e6];
const KEY_SALT = 0x5f3759df;
const scratch = Buffer.alloc(32);
const INTEGER_TYPES = new Set(['int64', 'int32', 'int16', 'int', 'database.nullint16', 'float64', 'float32']);

const WRITERS: Record<string, ValueWriter> = {
  int64: int64Value,
  int32: int32Value,
  int: int32Value,
  int16: int16Value,
  'database.nullint16': int16Value,
  string: stringValue,
  float64: float64Value,
  float32: (random) => String(Math.fround(float64Number(random))),
  uuid: (random) => '"' + uuid(random.next(), random.next(), random.next(), random.next()) + '"',
  time: timeValue,
  datetime: timeValue,
  date: (random) => '"' + formatDay(DAY_2020 + random.below(TEN_YEARS_DAYS)) + '"',
  '[]string': stringArrayValue,
  bytes: bytesValue,
  bool: (random) => (random.next() & 1 ? 'true' : 'false'),
  json: jsonValue,
};

const pools = new Map<string, readonly string[]>();

/**
 * POOL_SIZE precomputed values of a type. Picking from a pool by an item's hash keeps values a
 * pure function of the item while costing a lookup instead of formatting on every line.
 */
export function valuePool(type: string): readonly string[] {
  const normalised = type.toLowerCase() in WRITERS ? type.toLowerCase() : 'string';
  let pool = pools.get(normalised);
  if (pool === undefined) {
    const write = WRITERS[normalised] as ValueWriter;
    const random = new Random(hashString(normalised));
    pool = Array.from({ length: POOL_SIZE }, () => flattened(write(random)));
    pools.set(normalised, pool);
  }
  return pool;
}

/** Writes a key value unique for the id, in a form that fits the key's type. */
export function keyWriter(type: string): (id: number) => string {
  const normalised = type.toLowerCase();
  if (INTEGER_TYPES.has(normalised)) return String;
  if (normalised === 'uuid') {
    // The same salt for every resource, so a uuid foreign key can point at a uuid key.
    return (id) => '"' + uuid(KEY_SALT, KEY_SALT ^ 0x5bd1e995, Math.floor(id / 4294967296), id >>> 0) + '"';
  }
  return stringKey;
}

/**
 * The same text as one flat string. A concatenated string stays a rope, and every line that
 * contains it would walk its pieces again when encoded; a round trip through a Buffer ends that.
 */
export function flattened(text: string): string {
  return Buffer.from(text).toString();
}

function int64Value(random: Random): string {
  const kind = random.below(100);
  if (kind < 25) {
    const high = MAX_SAFE_HIGH + random.below(MAX_BIG_HIGH - MAX_SAFE_HIGH);
    return ((BigInt(high) << 32n) | BigInt(random.next())).toString();
  }
  if (kind < 35) return String(-random.below(2_000_000_000));
  return String(random.below(2_000_000_000));
}

function int32Value(random: Random): string {
  return String(random.next() | 0);
}

function int16Value(random: Random): string {
  return String((random.next() << 16) >> 16);
}

function float64Value(random: Random): string {
  return String(float64Number(random));
}

function float64Number(random: Random): number {
  const magnitude = MAGNITUDES[random.below(MAGNITUDES.length)] as number;
  return (random.fraction() - 0.25) * magnitude;
}

function timeValue(random: Random): string {
  return '"' + formatMicros(TIME_FROM + Math.floor(random.fraction() * TEN_YEARS_MICROS)) + '"';
}

function bytesValue(random: Random): string {
  const length = random.below(33);
  for (let i = 0; i < length; i += 4) scratch.writeUInt32LE(random.next(), i);
  return '"' + scratch.toString('base64', 0, length) + '"';
}

/** A lowercase version-4 UUID from 128 random bits. */
function uuid(a: number, b: number, c: number, d: number): string {
  const version = (b & 0xffff0fff) | 0x4000;
  const variant = (c & 0x3fffffff) | 0x80000000;
  return (
    hex32(a) + '-' + HEX[(b >>> 24) & 255] + HEX[(b >>> 16) & 255] + '-' +
    HEX[(version >>> 8) & 255] + HEX[version & 255] + '-' +
    HEX[(variant >>> 24) & 255] + HEX[(variant >>> 16) & 255] + '-' +
    HEX[(variant >>> 8) & 255] + HEX[variant & 255] + hex32(d)
  );
}

function hex32(n: number): string {
  return HEX[(n >>> 24) & 255]! + HEX[(n >>> 16) & 255] + HEX[(n >>> 8) & 255] + HEX[n & 255];
}
