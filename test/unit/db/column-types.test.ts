import { describe, expect, it } from 'vitest';
import { columnType, escapeCopy, ValueMismatch } from '../../../functions/core/db/column-types.ts';

describe('columnType', () => {
  it('maps the contract table, with float64 as DOUBLE PRECISION and json as JSONB', () => {
    const mapped = Object.fromEntries(
      ['int64', 'int32', 'int16', 'int', 'database.nullint16', 'string', 'float64', 'float32', 'uuid', 'time', 'datetime', 'date', '[]string', 'bytes', 'bool', 'json']
        .map((type) => [type, columnType(type).sql]),
    );
    expect(mapped).toEqual({
      int64: 'BIGINT', int32: 'INTEGER', int16: 'INTEGER', int: 'INTEGER', 'database.nullint16': 'INTEGER',
      string: 'VARCHAR', float64: 'DOUBLE PRECISION', float32: 'REAL', uuid: 'UUID', time: 'TIMESTAMP',
      datetime: 'TIMESTAMP', date: 'DATE', '[]string': 'TEXT[]', bytes: 'BYTEA', bool: 'BOOLEAN', json: 'JSONB',
    });
  });

  it('matches type names case-insensitively', () => {
    expect(columnType('Int64').sql).toBe('BIGINT');
    expect(columnType('UUID').sql).toBe('UUID');
    expect(columnType('Database.NullInt16').sql).toBe('INTEGER');
  });

  it('keeps an unknown type as JSONB instead of failing', () => {
    expect(columnType('geometry')).toMatchObject({ sql: 'JSONB', unknown: true });
    expect(columnType('geometry').encode({ lat: 1 })).toBe('{"lat":1}');
  });

  it('refuses a value of the wrong type, naming what it expected', () => {
    expect(() => columnType('int64').encode('12a')).toThrow(ValueMismatch);
    expect(() => columnType('int16').encode(40_000)).toThrow('expected an integer from -32768 to 32767');
    expect(() => columnType('time').encode('2025-13-01')).toThrow('expected a timestamp');
    expect(() => columnType('bool').encode('true')).toThrow('expected true or false');
    expect(() => columnType('[]string').encode(['a', 1])).toThrow('expected an array of strings');
  });
});

describe('escapeCopy', () => {
  it('escapes exactly the characters COPY text treats specially', () => {
    expect(escapeCopy('plain "quoted" text')).toBe('plain "quoted" text');
    expect(escapeCopy('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
  });
});
