// Streams lines to a response with back-pressure: lines are generated only as fast as the
// client reads them, and generation stops when the client goes away.

import type { ServerResponse } from 'node:http';
import type { Writable } from 'node:stream';
import { constants, createGzip } from 'node:zlib';

const CHUNK_BYTES = 64 * 1024;
// A UTF-16 code unit never takes more than 3 bytes of UTF-8.
const MAX_BYTES_PER_CHAR = 3;

export async function streamLines(res: ServerResponse, lines: Iterable<string>, gzip: boolean): Promise<void> {
  res.writeHead(200, {
    'content-type': 'application/x-ndjson; charset=utf-8',
    ...(gzip ? { 'content-encoding': 'gzip', vary: 'accept-encoding' } : {}),
  });
  const client = { gone: false };
  res.once('close', () => {
    client.gone = true;
  });
  // Fastest level: what matters is that clients decode gzip, not the ratio, and the default
  // level would make compression, not generation, the limit of a benchmark.
  const sink: Writable = gzip ? createGzip({ level: constants.Z_BEST_SPEED }) : res;
  if (gzip) {
    sink.pipe(res);
    sink.on('error', () => res.destroy());
    res.once('close', () => sink.destroy());
  }
  // Encoding each line straight into a buffer is much faster than joining lines into one
  // big string, which V8 would have to flatten before encoding it.
  let buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let used = 0;
  for (const line of lines) {
    if (line.length * MAX_BYTES_PER_CHAR > buffer.length - used) {
      if (used > 0 && !(await send(sink, res, client, buffer.subarray(0, used)))) return;
      buffer = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, line.length * MAX_BYTES_PER_CHAR));
      used = 0;
    }
    used += buffer.write(line, used);
  }
  if (!client.gone) sink.end(buffer.subarray(0, used));
}

/** Writes a chunk, waiting for the reader if it is behind; false once the client has gone. */
async function send(sink: Writable, res: ServerResponse, client: { gone: boolean }, chunk: Buffer): Promise<boolean> {
  if (client.gone) return false;
  if (!sink.write(chunk)) await drained(sink, res);
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
