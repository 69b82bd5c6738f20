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
import { ROOT } from '../../../statemachine/local/npm-scripts.ts';
import { columns, FLOAT, FLOAT32, JSON_COLUMN, line, resource, VALID } from '../../support/lines.ts';


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
