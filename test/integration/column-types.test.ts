// Every API type survives the trip through COPY into its PostgreSQL column, exactly.
import { describe, expect, it } from 'vitest';
import { columnType, NULL } from '../../functions/core/db/column-types.ts';
import { wireTimestampSql } from '../../functions/core/timestamps.ts';
import { useTestDatabase } from '../support/database.ts';

const database = useTestDatabase();

async function roundTrip(apiType: string, values: unknown[], read = 'value'): Promise<unknown[]> {
  const type = columnType(apiType);
  await database.sql.unsafe('DROP TABLE IF EXISTS round_trip');
  await database.sql.unsafe(`CREATE TABLE round_trip (position int, value ${type.sql})`);
  const writable = await database.sql.unsafe('COPY round_trip (position, value) FROM STDIN').writable();
  const text = values.map((value, position) => `${position}\t${value === null ? NULL : type.encode(value)}\n`).join('');
  await new Promise<void>((resolve, reject) => writable.end(text, () => resolve()).on('error', reject));
  const rows = await database.sql.unsafe<Array<{ value: unknown }>>(`SELECT ${read} AS value FROM round_trip ORDER BY position`);
  return rows.map((row) => row.value);
}

describe('COPY encoding against PostgreSQL', () => {
  it('stores strings with quotes, backslashes, tabs, newlines and unicode unchanged', async () => {
    const values = ['it\'s "quoted"', 'back\\slash \\N', 'tab\there\nnew line\r\n', 'Grüße 東京 🎉', '', null];
    expect(await roundTrip('string', values)).toEqual(values);
  });

  it('keeps 64-bit integers exact, beyond 2^53', async () => {
    expect(await roundTrip('int64', [0, -1, 9007199254740991, '9223372036854775807', '-9223372036854775808'], 'value::text'))
      .toEqual(['0', '-1', '9007199254740991', '9223372036854775807', '-9223372036854775808']);
  });

  it('keeps float64 at full double precision and float32 at single precision', async () => {
    const doubles = [0.1, 1 / 3, 123456789.12345679, -2.5e-300, 1.7976931348623157e308];
    expect((await roundTrip('float64', doubles, 'value::text')).map(Number)).toEqual(doubles);
    const singles = [Math.fround(0.1), Math.fround(3.4e38), Math.fround(-1.17549435e-38)];
    expect((await roundTrip('float32', singles, 'value::text')).map((value) => Math.fround(Number(value)))).toEqual(singles);
    // A zero keeps its sign, which String(-0) drops.
    expect(await roundTrip('float64', [-0, 0], 'value::text')).toEqual(['-0', '0']);
    expect(await roundTrip('float32', [-0, 0], 'value::text')).toEqual(['-0', '0']);
  });

  it('keeps timestamps to the microsecond, with either separator', async () => {
    expect(await roundTrip('time', ['2025-07-01T16:01:00.827904', '2025-07-01 16:01:00.000001', '1999-12-31T23:59:59.999999'], wireTimestampSql('value')))
      .toEqual(['2025-07-01T16:01:00.827904', '2025-07-01T16:01:00.000001', '1999-12-31T23:59:59.999999']);
  });

  it('stores arrays of strings with the characters array literals treat specially', async () => {
    const arrays = [[], ['a'], ['with "quotes"', 'back\\slash', 'comma, {brace}', ' spaced ', 'NULL', ''], ['line\nbreak', 'tab\t']];
    expect(await roundTrip('[]string', arrays)).toEqual(arrays);
  });

  it('decodes base64 bytes', async () => {
    const bytes = Buffer.from([0, 1, 2, 253, 254, 255, 92, 10]);
    expect(await roundTrip('bytes', [bytes.toString('base64'), ''], "encode(value, 'hex')")).toEqual([bytes.toString('hex'), '']);
  });

  it('stores any JSON value, nested, as JSONB', async () => {
    const documents = [{ a: [1, 'two', null, { b: 'say "hi"\n' }] }, [], 'just a string', 42, true];
    expect(await roundTrip('json', documents)).toEqual(documents);
  });

  it('stores uuids, dates, booleans and small integers', async () => {
    expect(await roundTrip('uuid', ['0f8fad5b-d9cb-469f-a165-70867728950e'], 'value::text')).toEqual(['0f8fad5b-d9cb-469f-a165-70867728950e']);
    expect(await roundTrip('date', ['2025-02-28'], 'value::text')).toEqual(['2025-02-28']);
    expect(await roundTrip('bool', [true, false])).toEqual([true, false]);
    expect(await roundTrip('database.nullint16', [-32768, null, 32767])).toEqual([-32768, null, 32767]);
  });
});
