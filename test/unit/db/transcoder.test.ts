// The WebAssembly fast path of a load against the JavaScript encoders it stands in for: for any
// lines (valid, unusual or broken, cut into chunks anywhere) both give the same COPY text, or the
// same error; and wasm.ts is what transcoder.as.ts compiles to.
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitLines, type LineBatch } from '../../../functions/core/api/ndjson.ts';
import { encodeLines, stagedColumns } from '../../../functions/core/db/copy.ts';
import { compileTranscoder } from '../../../functions/core/db/transcoder/build.ts';
import { Transcoder } from '../../../functions/core/db/transcoder/transcoder.ts';
import { TRANSCODER_WASM } from '../../../functions/core/db/transcoder/wasm.ts';
import type { Resource } from '../../../functions/core/resources.ts';
import { ROOT } from '../../../statemachine/local/npm-scripts.ts';

const resource: Resource = {
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
const columns = stagedColumns(resource);
const FLOAT = columns.findIndex((column) => column.name === 'ratio');
const FLOAT32 = columns.findIndex((column) => column.name === 'price');
const JSON_COLUMN = columns.findIndex((column) => column.name === 'meta');

/**
 * Some characters as JSON escapes, \uXXXX or short, the rest as they are. Some strings are longer
 * than the transcoder's 16-byte blocks, so that an escape or a quote falls anywhere in one.
 */
const jsonString = fc.tuple(fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.string({ unit: 'binary', minLength: 13, maxLength: 48 })), fc.boolean()).map(([text, unicodeEscapes]) => {
  const json = JSON.stringify(text);
  return unicodeEscapes ? json.replace(/[^"\\]/gu, (character) => (character.codePointAt(0)! < 0x10000 && character.length === 1 && character !== '"' ? `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}` : character)) : json;
});
/** Values at and beyond the edges of what each column takes, valid or not. */
const EDGES: Record<string, string[]> = {
  int64: ['9223372036854775807', '-9223372036854775808', '9223372036854775808', '-9223372036854775809', '9007199254740993', '-0', '1.0', '1e3', '01', '-', '"12"'],
  int32: ['2147483647', '-2147483648', '2147483648', '-2147483649', '-0', '1.0', '1e3', '9007199254740993'],
  int16: ['32767', '-32768', '32768', '-32769', '-0', '2.5'],
  float64: ['-0', '-0.0', '0.000', '1e400', '1E-400', '1.5e3', '.5', '5.', '9007199254740993', '123456789012345678901234567890.5', '0.1000000000000000055511151231257827', '"1.5"',
    `1${'0'.repeat(309)}`, `0.${'0'.repeat(330)}1`],
  string: ['"\\ud800"', '"\\udc00x"', '"\\ud800\\u0041"', '"\\ud800x"', '"\\ud83c\\udf89"', '"\\u0000"', '"a\tb"', '"\\x"', '"\\u12"', '"\\u005c\\u0022\\u000a\\u0009\\u000d\\u00e9\\u20ac"', '"\\/\\b\\f"', '12', 'true'],
  bool: ['tru', '"true"', '1', 'false '],
  date: ['"2025-7-01"', '"2025-07-01T00:00:00"', '"2025-07-01\\u0020"', '" 2025-07-01"', '"2025-07-0x"', '"20250-07-01"'],
  datetime: ['"2025-07-01T16:01:00."', '"2025-07-01T16:01:00.123456"', '"2025-07-01T16:01:00.1234567"', '"2025-07-01t16:01:00"', '"2025-07-01\\u005416:01:00"', '"2025-07-01T16:01"', '"2025-07-01 16:01:00.1"'],
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
const value = fc.oneof(tricky, number, jsonString, stringArray);
const pad = (digits: number, width: number) => String(digits).padStart(width, '0');
const day = fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 })).map(([year, month, date]) => `${pad(year, 4)}-${pad(month, 2)}-${pad(date, 2)}`);
const time = fc.tuple(day, fc.constantFrom('T', ' '), fc.integer({ min: 0, max: 86399 }), fc.stringMatching(/^(\.\d{1,6})?$/))
  .map(([date, separator, seconds, fraction]) => `${date}${separator}${pad(Math.floor(seconds / 3600), 2)}:${pad(Math.floor(seconds / 60) % 60, 2)}:${pad(seconds % 60, 2)}${fraction}`);
/** A value its column takes, for each column. */
const VALID: Record<string, fc.Arbitrary<string>> = {
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
const line = fc.oneof(
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

async function* chunked(bytes: Buffer, cuts: number[]): AsyncGenerator<Uint8Array> {
  let from = 0;
  for (const cut of [...new Set(cuts.map((at) => at % (bytes.length + 1)))].sort((a, b) => a - b)) {
    yield bytes.subarray(from, cut);
    from = cut;
  }
  yield bytes.subarray(from);
}

async function* asText(batches: AsyncIterable<LineBatch>): AsyncGenerator<LineBatch> {
  for await (const { first, lines } of batches) yield { first, lines };
}

async function copyText(batches: AsyncIterable<LineBatch>): Promise<{ rows: string[][] } | { error: string }> {
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of encodeLines(batches, columns, 'things/de full lines')) chunks.push(chunk);
    return { rows: Buffer.concat(chunks).toString().split('\n').slice(0, -1).map((row) => row.split('\t')) };
  } catch (error) {
    return { error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

/**
 * A field as PostgreSQL reads it where the two paths may write it differently: a float as its
 * double (a real as its float32); json as jsonb holds it, its numbers as written (jsonb keeps
 * "1.0" and "1" apart), not its spaces, escapes, key order or earlier duplicate keys.
 */
function asRead(field: string, column: number, asDouble: (field: string) => unknown): unknown {
  if (field === '\\N') return field;
  if (column === FLOAT) return asDouble(field);
  if (column === FLOAT32) return float32Of(field);
  if (column === JSON_COLUMN) {
    const text = field.replace(/\\(.)/g, (_, escaped: string) => ({ n: '\n', r: '\r', t: '\t' })[escaped] ?? escaped);
    return JSON.parse(text, (_key, parsed: unknown, context?: { source?: string }) => (typeof parsed === 'number' ? `number ${context?.source}` : parsed));
  }
  return field;
}

/**
 * The real PostgreSQL reads from this text: strtof rounds the decimal once, to the nearest
 * float32 (ties to even). Math.fround(Number(text)) rounds twice, through a double, and can land
 * on the other side of a midpoint; the two paths must agree with the former.
 */
function float32Of(text: string): number {
  const near = Math.fround(Number(text));
  if (near === 0 || !Number.isFinite(near)) return near;
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text)!;
  const exponent = Number(match[4] ?? 0) - (match[3] ?? '').length;
  const digits = BigInt(`${match[2]}${match[3] ?? ''}`);
  // The decimal and each candidate as integers over one scale: × 2^150 (a float32's least bit) and × 10^-exponent.
  const scaled = exponent >= 0 ? digits * 10n ** BigInt(exponent) * 2n ** 150n : digits * 2n ** 150n;
  const over = exponent >= 0 ? 1n : 10n ** BigInt(-exponent);
  const view = new DataView(new ArrayBuffer(4));
  const candidate = (bits: number) => {
    view.setUint32(0, bits);
    const biased = (bits >>> 23) & 0xff;
    const significand = BigInt((bits & 0x7fffff) | (biased === 0 ? 0 : 0x800000));
    const distance = significand * 2n ** BigInt(Math.max(biased, 1)) * over - scaled;
    return { value: view.getFloat32(0), distance: distance < 0n ? -distance : distance, even: (bits & 1) === 0 };
  };
  view.setFloat32(0, Math.abs(near));
  const bits = view.getUint32(0);
  const [best] = [candidate(bits - 1), candidate(bits), candidate(bits + 1)]
    .sort((a, b) => (a.distance === b.distance ? Number(b.even) - Number(a.even) : a.distance < b.distance ? -1 : 1));
  return match[1] ? -best!.value : best!.value;
}

describe('the WebAssembly transcoder', () => {
  it('is what transcoder.as.ts compiles to (run npm run build:wasm after changing it)', async () => {
    expect(Buffer.from(await compileTranscoder()).toString('base64')).toBe(TRANSCODER_WASM);
  }, 60_000);

  it('encodes any lines, cut anywhere, as the JavaScript encoders do, or fails on the same line with the same message', async () => {
    expect(Transcoder.for(columns)).toBeDefined();
    let compared = 0;
    await fc.assert(fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 4 }), fc.boolean(), async (lines, cuts, crlf) => {
      const bytes = Buffer.from(lines.join(crlf ? '\r\n' : '\n') + (cuts.length % 2 ? '\n' : ''));
      const fast = await copyText(splitLines(chunked(bytes, cuts)));
      const slow = await copyText(asText(splitLines(chunked(bytes, []))));
      if ('error' in slow || 'error' in fast) {
        expect(fast).toEqual(slow);
        return;
      }
      expect(fast.rows.length).toBe(slow.rows.length);
      compared += fast.rows.length;
      fast.rows.forEach((row, index) => {
        const expected = slow.rows[index]!;
        // A float travels as the API wrote it ("1.50"), not as JavaScript prints it ("1.5"): the same
        // double for PostgreSQL. Only a zero may be written as zero (PostgreSQL refuses a decimal
        // that underflows, which JavaScript rounds to 0).
        const asDouble = (field: string) => (field === '\\N' ? field : Number(field) === 0 && !/^-?0(\.0*)?$/.test(field) ? `underflow ${field}` : Number(field));
        expect(row.map((field, column) => asRead(field, column, asDouble)))
          .toEqual(expected.map((field, column) => asRead(field, column, asDouble)));
      });
    }), { numRuns: 3000 });
    // Most runs must get as far as rows, or the property says little.
    expect(compared).toBeGreaterThan(2000);
  }, 120_000);

  it('encodes a batch whose COPY text is many times its size (short lines, absent columns) in several passes', async () => {
    const lines = Array.from({ length: 40_000 }, (_, index) => (index % 1000 === 999 ? '{"id":1,"n16":99999}' : `{"id":${index}}`));
    const bytes = Buffer.from(`${lines.slice(0, -1).join('\n')}\n`);
    const fast = await copyText(splitLines(chunked(bytes, [])));
    const slow = await copyText(asText(splitLines(chunked(bytes, []))));
    expect(fast).toEqual(slow);
    expect(fast).toEqual({ error: 'InvalidLine: things/de full lines, line 1000, column "n16": expected an integer from -32768 to 32767, got 99999; nothing of this load was applied' });
    const valid = Buffer.from(`${lines.filter((line) => !line.includes('n16')).join('\n')}\n`);
    const rows = await copyText(splitLines(chunked(valid, [])));
    expect(rows).toEqual(await copyText(asText(splitLines(chunked(valid, [])))));
    expect('rows' in rows && rows.rows.length).toBe(39_960);
  });

  it('leaves every load to JavaScript, with a warning, where WebAssembly has no SIMD', async () => {
    // V8 compiles WebAssembly's 128-bit SIMD on x86-64 only with SSE4.1: without it, the module does not compile.
    const script = `
      import { Transcoder } from './functions/core/db/transcoder/transcoder.ts';
      import { encodeLines, stagedColumns } from './functions/core/db/copy.ts';
      const columns = stagedColumns({ name: 'x', attributes: [{ name: 'id', type: 'int64', primaryKey: true }, { name: 'name', type: 'string', primaryKey: false }] });
      const lines = (async function* () { yield { first: 1, lines: ['{"id":1,"name":"é"}'], bytes: Buffer.from('{"id":1,"name":"é"}' + String.fromCharCode(10)) }; })();
      const chunks = [];
      for await (const chunk of encodeLines(lines, columns, 'x/de full lines')) chunks.push(chunk);
      console.log(JSON.stringify({ transcoder: Transcoder.for(columns) !== undefined, copy: Buffer.concat(chunks).toString() }));`;
    const child = spawnSync(process.execPath, ['--no-enable-sse4-1', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(child.status, child.stderr).toBe(0);
    expect(JSON.parse(child.stdout)).toEqual({ transcoder: false, copy: '1\té\n' });
    expect(child.stderr).toContain('The COPY transcoder cannot run here');
  });

  it('leaves a load with a column type it does not know to JavaScript', () => {
    expect(Transcoder.for(stagedColumns({ name: 'x', attributes: [{ name: 'id', type: 'int64', primaryKey: true }, { name: 'meta', type: 'decimal', primaryKey: false }] }))).toBeUndefined();
  });
});
