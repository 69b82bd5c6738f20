// Lines as the API might send them, for the properties of the COPY encoders: values of every
// type a column takes, values at and beyond the edges of each, keys in any order, unknown keys,
// and broken lines. Shared by test/unit/db/transcoder.test.ts and test/integration/binary-copy.test.ts.
import fc from 'fast-check';
import { stagedColumns } from '../../functions/core/db/copy.ts';
import type { Resource } from '../../functions/core/resources.ts';

export const resource: Resource = {
  name: 'things',
  attributes: [
    { name: 'id', type: 'int64', primaryKey: true },
    { name: 'big', type: 'int64', primaryKey: false },
    { name: 'n32', type: 'int32', primaryKey: false },
    { name: 'n16', type: 'int16', primaryKey: false },
    { name: 'ratio', type: 'float64', primaryKey: false },
    { name: 'name', type: 'string', primaryKey: false },
    { name: 'active', type: 'Bool', primaryKey: false },
    { name: 'day', type: 'date', primaryKey: false },
    { name: 'at', type: 'datetime', primaryKey: false },
    { name: 'tags', type: '[]string', primaryKey: false },
    { name: 'Größe 東京', type: 'string', primaryKey: false },
    { name: 'ref', type: 'UUID', primaryKey: false },
    { name: 'image', type: 'bytes', primaryKey: false },
    { name: 'price', type: 'float32', primaryKey: false },
    { name: 'meta', type: 'json', primaryKey: false },
  ],
};
export const columns = stagedColumns(resource);
export const FLOAT = columns.findIndex((column) => column.name === 'ratio');
export const FLOAT32 = columns.findIndex((column) => column.name === 'price');
export const JSON_COLUMN = columns.findIndex((column) => column.name === 'meta');

/**
 * Some characters as JSON escapes, \uXXXX or short, the rest as they are. Some strings are longer
 * than the transcoder's 16-byte blocks, so that an escape or a quote falls anywhere in one.
 */
export const jsonString = fc.tuple(fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.string({ unit: 'binary', minLength: 13, maxLength: 48 })), fc.boolean()).map(([text, unicodeEscapes]) => {
  const json = JSON.stringify(text);
  return unicodeEscapes ? json.replace(/[^"\\]/gu, (character) => (character.codePointAt(0)! < 0x10000 && character.length === 1 && character !== '"' ? `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}` : character)) : json;
});
/** Values at and beyond the edges of what each column takes, valid or not. */
export const EDGES: Record<string, string[]> = {
  int64: ['9223372036854775807', '-9223372036854775808', '9223372036854775808', '-9223372036854775809', '9007199254740993', '-0', '1.0', '1e3', '01', '-', '"12"'],
  int32: ['2147483647', '-2147483648', '2147483648', '-2147483649', '-0', '1.0', '1e3', '9007199254740993'],
  int16: ['32767', '-32768', '32768', '-32769', '-0', '2.5'],
  float64: ['-0', '-0.0', '0.000', '1e400', '1E-400', '1.5e3', '.5', '5.', '9007199254740993', '123456789012345678901234567890.5', '0.1000000000000000055511151231257827', '"1.5"',
    `1${'0'.repeat(309)}`, `0.${'0'.repeat(330)}1`],
  string: ['"\\ud800"', '"\\udc00x"', '"\\ud800\\u0041"', '"\\ud800x"', '"\\ud83c\\udf89"', '"\\u0000"', '"a\tb"', '"\\x"', '"\\u12"', '"\\u005c\\u0022\\u000a\\u0009\\u000d\\u00e9\\u20ac"', '"\\/\\b\\f"', '12', 'true'],
  bool: ['tru', '"true"', '1', 'false '],
  date: ['"2024-02-29"', '"2023-02-29"', '"2025-04-31"', '"0000-01-01"', '"0001-01-01"', '"9999-12-31"', '"2025-7-01"', '"2025-07-01T00:00:00"', '"2025-07-01\\u0020"', '" 2025-07-01"', '"2025-07-0x"', '"20250-07-01"'],
  datetime: ['"2025-07-01T24:00:00"', '"2025-07-01T24:00:01"', '"2025-07-01T23:59:60"', '"2025-07-01T23:60:00"', '"1999-12-31T23:59:59.999999"', '"2000-01-01T00:00:00"', '"0001-01-01T00:00:00.000001"', '"2025-07-01T16:01:00."', '"2025-07-01T16:01:00.123456"', '"2025-07-01T16:01:00.1234567"', '"2025-07-01t16:01:00"', '"2025-07-01\\u005416:01:00"', '"2025-07-01T16:01"', '"2025-07-01 16:01:00.1"'],
  '[]string': ['["a",]', '[1]', '[["a"]]', '[null]', '["\\\\\\""]', '[ "a" , "b" ]', '["\\u005c"]', '["x\\ny\\tz"]', '{}', '"[]"'],
  uuid: ['"A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"', '"a0eebc999c0b4ef8bb6d6bb9bd380a11"', '"a0eebc99-9c0b4ef8-bb6d-6bb9bd380a11"', '"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1"', '"a0eebc99--9c0b-4ef8-bb6d-6bb9bd380a11"',
    '"g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"', '"\\u00610eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"', '"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11-"', '12'],
  bytes: ['""', '"="', '"=="', '"==="', '"a"', '"ab"', '"abc"', '"abcd"', '"abcde"', '"ab=="', '"abc="', '"ab=c"', '"-_+/"', '"YWJj\\/"', '"a b"', '"AP8="', '"//8"', '[1]'],
  float32: ['-0', '0.0', '1e3', '3.4028235e38', '340282356779733661637539395458142568448', '3.5e38', '0.00000000000000000000000000000000000001', '1.1754943508222875e-38', '16777217', '0.1',
    '1.00000005960464477539062500001', '1.0000000596046447753906249999', '1.000000059604644775390625', '33554434.5', '"1.5"',
    '16777217.0000000001', '16777216.9999999999', '16777217', '-16777217.0000000001'],
  json: ['{"a":[1,{"b":"x"}],"c":null}', '[]', '{}', '"text"', '12', '-0', '1.0', '1.5', '1e3', '0.000001', '0.0000001', '123456789012345', '1234567890123456', '9007199254740993', '0.1000000000000000055511151231257827',
    '{"a":1,"a":2}', '{"2":1,"1":2}', '{ "a" : [ 1 , 2 ] }', '["\\u0000"]', '["\\ud800"]', '["\\ud83c\\udf89"]', '["\\u00e9\\/\\n\\t\\\\"]', '[01]', '[1,]', '{"a"}', '[true,false,null]', '{"a":tru}',
    `${'['.repeat(70)}${']'.repeat(70)}`, '"a\tb"', '[-0.5, 100, 0.25]'],
};
const tricky = fc.constantFrom('null', '{}', '[]', '{"a":1}', ...Object.values(EDGES).flat());
const number = fc.oneof(fc.integer().map(String), fc.double({ noNaN: true, noDefaultInfinity: true }).map(String), fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }).map(String),
  fc.tuple(fc.integer({ min: -1000, max: 1000 }), fc.stringMatching(/^\d{1,12}$/)).map(([whole, fraction]) => `${whole}.${fraction}`));
const stringArray = fc.array(fc.oneof(jsonString, fc.constant('null')), { maxLength: 3 }).map((items) => `[${items.join(',')}]`);
export const value = fc.oneof(tricky, number, jsonString, stringArray);
const pad = (digits: number, width: number) => String(digits).padStart(width, '0');
const day = fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 })).map(([year, month, date]) => `${pad(year, 4)}-${pad(month, 2)}-${pad(date, 2)}`);
const time = fc.tuple(day, fc.constantFrom('T', ' '), fc.integer({ min: 0, max: 86399 }), fc.stringMatching(/^(\.\d{1,6})?$/))
  .map(([date, separator, seconds, fraction]) => `${date}${separator}${pad(Math.floor(seconds / 3600), 2)}:${pad(Math.floor(seconds / 60) % 60, 2)}:${pad(seconds % 60, 2)}${fraction}`);
/** A value its column takes, for each column. */
export const VALID: Record<string, fc.Arbitrary<string>> = {
  int64: fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String), fc.integer().map(String)),
  int32: fc.integer().map(String),
  int16: fc.integer({ min: -32768, max: 32767 }).map(String),
  float64: number,
  string: jsonString,
  bool: fc.constantFrom('true', 'false'),
  date: day.map((text) => `"${text}"`),
  datetime: time.map((text) => `"${text}"`),
  '[]string': stringArray,
  uuid: fc.uuid().chain((text) => fc.constantFrom(text, text.toUpperCase(), text.replace(/-/g, ''))).map((text) => `"${text}"`),
  bytes: fc.uint8Array({ maxLength: 12 }).chain((bytes) => fc.constantFrom(Buffer.from(bytes).toString('base64'), Buffer.from(bytes).toString('base64url'))).map((text) => `"${text}"`),
  float32: fc.oneof(number, fc.float({ noNaN: true, noDefaultInfinity: true }).map(String)),
  json: fc.oneof(fc.json({ maxDepth: 3 }), fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value, null, 1)?.replace(/\n/g, ' ') ?? 'null'), value),
};
const valid = fc.constantFrom(...resource.attributes).chain((attribute) => fc.tuple(fc.constant(JSON.stringify(attribute.name)), fc.oneof(
  { weight: 12, arbitrary: VALID[attribute.type.toLowerCase()]! },
  { weight: 1, arbitrary: fc.constantFrom('null', ...EDGES[attribute.type.toLowerCase()]!) },
)));
const anything = fc.tuple(fc.constantFrom(...columns.map((column) => JSON.stringify(column.name)), '"other"', '"i\\u0064"'), value);
const space = fc.constantFrom('', '', '', ' ', '\t', ' \r ');

const object = (members: fc.Arbitrary<Array<[string, string]>>) => fc.tuple(VALID.int64!, members, space, fc.boolean()).map(([id, chosen, gap, duplicates]) =>
  `${gap}{${[`"id":${id}`, ...chosen.filter(([name]) => duplicates || name !== '"id"').map(([name, text]) => `${gap}${name}${gap}:${gap}${text}${gap}`)].join(',')}}${gap}`);
const columnOrder = (name: string) => columns.findIndex((column) => JSON.stringify(column.name) === name);
export const line = fc.oneof(
  { weight: 40, arbitrary: object(fc.uniqueArray(valid, { maxLength: 12, selector: ([name]) => name })) },
  // Keys in the columns' order (the usual line), some absent, with a key no column has here and there.
  { weight: 20, arbitrary: object(fc.uniqueArray(valid, { maxLength: 15, selector: ([name]) => name }).chain((members) => fc.array(fc.tuple(fc.nat(), value), { maxLength: 2 })
    .map((others) => {
      const ordered = members.sort(([a], [b]) => columnOrder(a) - columnOrder(b));
      for (const [at, text] of others) ordered.splice(at % (ordered.length + 1), 0, ['"other"', text]);
      return ordered;
    }))) },
  { weight: 4, arbitrary: object(fc.array(fc.oneof(valid, anything), { maxLength: 12 })) },
  { weight: 1, arbitrary: fc.constantFrom('', '   ', '{', '{"id":1', '{"id":1}x', '[1]', '{"id":1,}', '{"id":null}', '{"name":"x"}', '{"id":1,"other":{"deep":[1]}}', '{"id":1,"other":"\\q"}', '{"id":1,"other":"a\tb"}', '{"id":1,"other":"\\u12"}') },
);
