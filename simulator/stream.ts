// Streams lines to a response with back-pressure: lines are generated only as fast as the
// client reads them, and generation stops when the client goes away.

import type { ServerResponse } from 'node:http';
import type { Writable } from 'node:stream';
import { setImmediate } from 'node:timers/promises';
import { constants, createGzip, type Gzip } from 'node:zlib';

/** Where a faulty stream breaks off: after `afterLines` lines it pauses `stallMs`, or, without it, the socket is destroyed. */
export interface StreamBreak {
  afterLines: number;
  stallMs?: number;
}

interface Client {
  gone: boolean;
  /** At most this many lines a second (0: as fast as it can), counted from the first chunk. */
  pace: number;
  started?: number;
  lines: number;
}

const CHUNK_BYTES = 64 * 1024;
// A UTF-16 code unit never takes more than 3 bytes of UTF-8.
const MAX_BYTES_PER_CHAR = 3;
const WIRE_POLL_MS = 1;

export async function streamLines(res: ServerResponse, lines: Iterable<string>, gzip: boolean, breaks?: StreamBreak, linesPerSecond = 0): Promise<void> {
  res.writeHead(200, {
    'content-type': 'application/x-ndjson; charset=utf-8',
    ...(gzip ? { 'content-encoding': 'gzip', vary: 'accept-encoding' } : {}),
  });
  const client: Client = { gone: false, pace: linesPerSecond, lines: 0 };
  res.once('close', () => {
    client.gone = true;
  });
  // Fastest level: what matters is that clients decode gzip, not the ratio, and the default
  // level would make compression, not generation, the limit of a benchmark.
  const compressor = gzip ? createGzip({ level: constants.Z_BEST_SPEED }) : undefined;
  const sink: Writable = compressor ?? res;
  if (compressor !== undefined) {
    compressor.pipe(res);
    compressor.on('error', () => res.destroy());
    res.once('close', () => compressor.destroy());
  }
  if (breaks === undefined) {
    const last = await pump(sink, res, client, lines);
    if (last !== undefined) sink.end(last);
    return;
  }
  const iterator = lines[Symbol.iterator]();
  const head = await pump(sink, res, client, take(iterator, breaks.afterLines));
  if (head === undefined || (head.length > 0 && !(await send(sink, res, client, head)))) return;
  if (!(await onTheWire(res, compressor, client))) return;
  if (breaks.stallMs === undefined) {
    res.destroy();
    return;
  }
  if (!(await pause(res, breaks.stallMs))) return;
  const last = await pump(sink, res, client, { [Symbol.iterator]: () => iterator });
  if (last !== undefined) sink.end(last);
}

/** Waits `ms`, or less if the client goes away; false once it has. */
export function pause(res: ServerResponse, ms: number): Promise<boolean> {
  if (gone(res)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      res.off('close', done);
      resolve(!gone(res));
    };
    const timer = setTimeout(done, ms);
    res.once('close', done);
  });
}

/**
 * Everything written so far handed to the operating system: a fault that destroys the socket
 * or pauses must do so after the lines before it have really gone out. False once the client has gone.
 */
export async function onTheWire(res: ServerResponse, compressor: Gzip | undefined, client: Pick<Client, 'gone'> = { gone: false }): Promise<boolean> {
  // headersSent turns true when writeHead stores the headers, not when they go out; flushing
  // headers already sent writes nothing.
  res.flushHeaders();
  if (compressor !== undefined) {
    // A destroyed gzip never calls back: the client leaving ends the wait too.
    await new Promise<void>((resolve) => {
      compressor.flush(constants.Z_SYNC_FLUSH, () => resolve());
      res.once('close', () => resolve());
    });
  }
  // The socket is corked until the next tick, and a piped gzip hands its output on asynchronously,
  // so there is no one event to wait for; this runs only when a fault was asked for.
  do {
    await new Promise((resolve) => setTimeout(resolve, WIRE_POLL_MS));
  } while (!client.gone && !gone(res) && (res.writableLength > 0 || (compressor?.readableLength ?? 0) > 0));
  return !client.gone && !gone(res);
}

/**
 * Writes the lines in chunks; returns the last, unsent chunk, or undefined once the client has gone.
 * Encoding each line straight into a buffer is much faster than joining lines into one big
 * string, which V8 would have to flatten before encoding it.
 */
async function pump(sink: Writable, res: ServerResponse, client: Client, lines: Iterable<string>): Promise<Buffer | undefined> {
  let buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let used = 0;
  let count = 0;
  for (const line of lines) {
    if (line.length * MAX_BYTES_PER_CHAR > buffer.length - used) {
      if (used > 0 && !(await send(sink, res, client, buffer.subarray(0, used), count))) return undefined;
      buffer = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, line.length * MAX_BYTES_PER_CHAR));
      used = 0;
      count = 0;
    }
    used += buffer.write(line, used);
    count += 1;
  }
  if (client.gone || !(await paced(res, client, count))) return undefined;
  return buffer.subarray(0, used);
}

function* take(iterator: Iterator<string>, count: number): Generator<string> {
  for (let taken = 0; taken < count; taken++) {
    const next = iterator.next();
    if (next.done === true) return;
    yield next.value;
  }
}

/**
 * Waits, with a pace, until `lines` more lines are due (the pace's share of the time since the
 * first chunk); false once the client has gone.
 */
async function paced(res: ServerResponse, client: Client, lines: number): Promise<boolean> {
  if (client.pace <= 0) return true;
  client.started ??= performance.now();
  client.lines += lines;
  const wait = (client.lines * 1000) / client.pace - (performance.now() - client.started);
  return wait < 1 || pause(res, wait);
}

/**
 * Writes a chunk, waiting for the reader if it is behind; false once the client has gone. When
 * the socket takes the chunk at once (a reader keeping up), it still lets the event loop run
 * before the next one: otherwise one response would be generated whole while the others wait,
 * and streams served at the same time would come one after the other, not side by side.
 */
async function send(sink: Writable, res: ServerResponse, client: Client, chunk: Buffer, lines = 0): Promise<boolean> {
  if (client.gone || !(await paced(res, client, lines))) return false;
  if (sink.write(chunk)) await setImmediate();
  else await drained(sink, res);
  return !client.gone;
}

function drained(sink: Writable, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      sink.off('drain', done);
      res.off('close', done);
      resolve();
    };
    sink.once('drain', done);
    res.once('close', done);
  });
}

function gone(res: ServerResponse): boolean {
  return res.destroyed || res.socket === null || res.socket.destroyed;
}
