// Newline-delimited JSON, split as it streams: constant memory whatever the body's size.
import { isUtf8 } from 'node:buffer';

/** The lines of one received chunk: `lines[i]` is line number `first + i` (1-based), blank ones included. */
export interface LineBatch {
  first: number;
  lines: string[];
  /** The same lines as they arrived, UTF-8 checked, each ending in LF but perhaps the stream's last. */
  bytes?: Uint8Array;
}

const LF = 10;
const BYTE_ORDER_MARK = [0xef, 0xbb, 0xbf];

/**
 * Splits a byte stream into lines, a batch per received chunk (so that nothing downstream pays a
 * promise per line). Lines may be split across chunks (even inside a multi-byte character), end in
 * LF or CRLF, or lack a final newline; skip blank ones with isBlankLine. A batch keeps its bytes
 * and decodes its lines only when asked: the COPY transcoder reads the bytes.
 */
export async function* splitLines(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<LineBatch> {
  let pending: Uint8Array[] = [];
  let next = 1;
  let start = true;
  for await (const received of chunks) {
    let chunk = Buffer.from(received.buffer, received.byteOffset, received.byteLength);
    // As TextDecoder does: a byte order mark opens the stream, it is not part of the first line.
    if (start && chunk.length > 0) {
      start = false;
      if (BYTE_ORDER_MARK.every((byte, index) => chunk[index] === byte)) chunk = chunk.subarray(BYTE_ORDER_MARK.length);
    }
    const last = chunk.lastIndexOf(LF);
    if (last === -1) {
      pending.push(chunk);
      continue;
    }
    const head = chunk.subarray(0, last + 1);
    const bytes = pending.length > 0 ? Buffer.concat([...pending, head]) : head;
    pending = last + 1 < chunk.length ? [chunk.subarray(last + 1)] : [];
    const batch = new ReceivedLines(next, checkedUtf8(bytes), countLines(bytes));
    next += batch.count;
    yield batch;
  }
  const rest = checkedUtf8(Buffer.concat(pending));
  if (rest.length > 0 && !isBlankLine(decodeLine(rest))) yield new ReceivedLines(next, rest, 1);
}

/** One line's bytes (without its LF) as text, without a trailing CR. */
export function decodeLine(bytes: Uint8Array): string {
  return trimCarriageReturn(DECODER.decode(bytes));
}

const DECODER = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

class ReceivedLines implements LineBatch {
  readonly first: number;
  readonly bytes: Uint8Array;
  readonly count: number;
  #lines: string[] | undefined;

  constructor(first: number, bytes: Uint8Array, count: number) {
    this.first = first;
    this.bytes = bytes;
    this.count = count;
  }

  get lines(): string[] {
    if (this.#lines === undefined) {
      const lines = DECODER.decode(this.bytes).split('\n');
      // Complete lines end in LF, which leaves an empty last piece; the stream's last may not.
      if (this.bytes[this.bytes.length - 1] === LF) lines.pop();
      this.#lines = lines.map(trimCarriageReturn);
    }
    return this.#lines;
  }
}

function countLines(bytes: Buffer): number {
  let count = 0;
  for (let at = bytes.indexOf(LF); at !== -1; at = bytes.indexOf(LF, at + 1)) count += 1;
  return count;
}

/** The bytes, if they are UTF-8; else the error TextDecoder throws, which the API client reports. */
function checkedUtf8(bytes: Buffer): Buffer {
  if (!isUtf8(bytes)) throw new TypeError('The encoded data was not valid for encoding utf-8');
  return bytes;
}

/** True for a line of nothing but whitespace (which NDJSON readers skip); cheap for the usual `{…`. */
export function isBlankLine(line: string): boolean {
  return line.charCodeAt(0) !== OPEN_BRACE && line.trim() === '';
}

/**
 * Parses one line at full speed. Integers beyond 2^53 come back rounded: the column encoders
 * notice (they throw InexactNumber) and the line is parsed again with parseLineExactly.
 */
export function parseLine(line: string): unknown {
  return JSON.parse(line);
}

/** A number the exact parse kept as written: JSON.stringify writes it back as it was. */
export interface RawJson {
  readonly rawJSON: string;
}

// JSON.rawJSON and JSON.isRawJSON (Node.js 21 and later), which the ES2023 typings lack.
const rawJson = JSON as unknown as { rawJSON(text: string): RawJson; isRawJSON(value: unknown): value is RawJson };

export function isRawJson(value: unknown): value is RawJson {
  return rawJson.isRawJSON(value);
}

/**
 * Parses one line keeping every number that JavaScript would print differently (an integer beyond
 * 2^53, "1.0", "1e3", "-0", a decimal with more digits than a double needs) as written, as a raw
 * JSON number (several times slower). JSON.stringify writes them back as they came.
 */
export function parseLineExactly(line: string): unknown {
  return JSON.parse(line, keepNumbersAsWritten);
}

/** What parseLine gives for a number parseLineExactly kept: the same double, but an integer beyond 2^53 stays exact. */
export function asParsed(value: RawJson): unknown {
  const number = Number(value.rawJSON);
  return /^-?\d+$/.test(value.rawJSON) && !Number.isSafeInteger(number) ? value : number;
}

function keepNumbersAsWritten(this: unknown, _key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value !== 'number' || context?.source === undefined) return value;
  if (context.source !== String(value) || (Number.isInteger(value) && !Number.isSafeInteger(value))) return rawJson.rawJSON(context.source);
  return value;
}

const OPEN_BRACE = 123;

function trimCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/** Lines whose request has been sent: read them once, or close them if they will not be read. */
export interface LinesAhead<T> extends AsyncIterable<T> {
  close(): Promise<void>;
}

/**
 * Sends a stream's request now (its first batch is asked for at once), so that the API works on
 * its answer while the caller makes the table ready. An error of that request surfaces when the
 * lines are read. `close` ends the request when they never are (the caller failed first); once
 * they are read, ending them is the reader's.
 */
export function readAhead<T>(source: AsyncGenerator<T>): LinesAhead<T> {
  const first = source.next();
  first.catch(() => {});
  let read = false;
  return {
    async *[Symbol.asyncIterator]() {
      read = true;
      const head = await first;
      if (head.done) return;
      yield head.value;
      yield* source;
    },
    async close() {
      if (read) return;
      read = true;
      await first.catch(() => {});
      await source.return(undefined);
    },
  };
}
