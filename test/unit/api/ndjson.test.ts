import { describe, expect, it } from 'vitest';
import { isBlankLine, isRawJson, parseLineExactly, readAhead, splitLines } from '../../../functions/core/api/ndjson.ts';

const encoder = new TextEncoder();

async function* chunked(bytes: Uint8Array, sizes: number[]): AsyncGenerator<Uint8Array> {
  let offset = 0;
  for (const size of sizes) {
    yield bytes.slice(offset, offset + size);
    offset += size;
  }
  if (offset < bytes.length) yield bytes.slice(offset);
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Array<{ line: string; number: number }>> {
  const lines: Array<{ line: string; number: number }> = [];
  for await (const { first, lines: batch } of splitLines(chunks)) {
    batch.forEach((line, index) => { if (!isBlankLine(line)) lines.push({ line, number: first + index }); });
  }
  return lines;
}

describe('splitLines', () => {
  const body = '{"id":1,"name":"Grüße 🎉"}\r\n\n{"id":2,"name":"a\\nb"}\n   \n{"id":3,"name":"終わり"}';
  const bytes = encoder.encode(body);
  const expected = [
    { line: '{"id":1,"name":"Grüße 🎉"}', number: 1 },
    { line: '{"id":2,"name":"a\\nb"}', number: 3 },
    { line: '{"id":3,"name":"終わり"}', number: 5 },
  ];

  it('yields the same lines whichever byte the body is split at, even inside a character', async () => {
    for (let cut = 0; cut <= bytes.length; cut += 1) {
      expect(await collect(chunked(bytes, [cut]))).toEqual(expected);
    }
  });

  it('yields the same lines when every byte arrives alone', async () => {
    expect(await collect(chunked(bytes, Array(bytes.length).fill(1)))).toEqual(expected);
  });

  it('reads a final line with or without a trailing newline, and an empty body as no lines', async () => {
    expect(await collect(chunked(encoder.encode('{"id":1}\n'), []))).toEqual([{ line: '{"id":1}', number: 1 }]);
    expect(await collect(chunked(encoder.encode('{"id":1}'), []))).toEqual([{ line: '{"id":1}', number: 1 }]);
    expect(await collect(chunked(new Uint8Array(), []))).toEqual([]);
  });

  it('refuses bytes that are not UTF-8', async () => {
    await expect(collect(chunked(new Uint8Array([0x7b, 0xff, 0x7d, 0x0a]), []))).rejects.toThrow(TypeError);
  });
});

describe('parseLineExactly', () => {
  it('keeps integers beyond 2^53 exact, as raw JSON numbers, and leaves other numbers alone', () => {
    const line = '{"id":9223372036854775807,"small":42,"ratio":0.1,"nested":{"n":-9007199254740993}}';
    const item = parseLineExactly(line) as { id: unknown; small: unknown; ratio: unknown; nested: { n: unknown } };
    expect([isRawJson(item.id), isRawJson(item.nested.n), item.small, item.ratio]).toEqual([true, true, 42, 0.1]);
    expect(JSON.stringify(item)).toBe(line);
  });

  it('keeps a long digit run inside a string as a string', () => {
    expect(parseLineExactly('{"code":"12345678901234567890","n":1}')).toEqual({ code: '12345678901234567890', n: 1 });
  });
});

describe('readAhead', () => {
  async function* numbers(events: string[], fail = false): AsyncGenerator<number> {
    events.push('asked');
    try {
      if (fail) throw new Error('refused');
      yield 1;
      yield 2;
      yield 3;
    } finally {
      events.push('ended');
    }
  }
  const read = async (lines: AsyncIterable<number>, until = Infinity) => {
    const seen: number[] = [];
    for await (const value of lines) {
      seen.push(value);
      if (seen.length >= until) break;
    }
    return seen;
  };

  it('asks for the first batch at once, then gives every batch once', async () => {
    const events: string[] = [];
    const lines = readAhead(numbers(events));
    expect(events).toEqual(['asked']);
    expect(await read(lines)).toEqual([1, 2, 3]);
    expect(events).toEqual(['asked', 'ended']);
    await lines.close();
    expect(events).toEqual(['asked', 'ended']);
  });

  it('ends the source when its lines are never read, or when the reader stops early', async () => {
    const unread: string[] = [];
    await readAhead(numbers(unread)).close();
    expect(unread).toEqual(['asked', 'ended']);
    const stopped: string[] = [];
    expect(await read(readAhead(numbers(stopped)), 2)).toEqual([1, 2]);
    expect(stopped).toEqual(['asked', 'ended']);
  });

  it('keeps the first request\'s error for the reader, and closes quietly', async () => {
    const events: string[] = [];
    const failing = readAhead(numbers(events, true));
    await new Promise((resolve) => setImmediate(resolve));
    await expect(read(failing)).rejects.toThrow('refused');
    const unread = readAhead(numbers([], true));
    await expect(unread.close()).resolves.toBeUndefined();
  });
});
