// What a client sees on the wire, chunk by chunk and when: for faults that cut, stall or delay
// an answer, which fetch would hide behind one error or one awaited body.

import { request, type IncomingHttpHeaders } from 'node:http';
import { constants, gunzipSync } from 'node:zlib';
import type { Simulator } from '../../simulator/index.ts';

export interface Received {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body as received, gunzipped as far as it got when gzipped. */
  text: string;
  /** False when the connection ended before the body did. */
  complete: boolean;
  /** Milliseconds from the request to the headers. */
  headersAfter: number;
  /** The longest silence between the headers and the end, in ms, and the body received before it. */
  longestGap: { ms: number; before: string };
}

export interface Call {
  method?: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export function call(target: Simulator, { method = 'GET', path, headers = {}, body }: Call): Promise<Received> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(`${target.url}${path}`, { method, headers }, async (res) => {
      const headersAt = performance.now();
      const chunks: Buffer[] = [];
      let longestGap = { ms: 0, before: '' };
      let last = headersAt;
      try {
        for await (const chunk of res) {
          const now = performance.now();
          if (now - last > longestGap.ms) longestGap = { ms: now - last, before: decode(chunks, res.headers) };
          chunks.push(chunk as Buffer);
          last = now;
        }
      } catch {
        // The connection was cut: what arrived until then is the point.
      }
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        text: decode(chunks, res.headers),
        complete: res.complete,
        headersAfter: headersAt - started,
        longestGap,
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

// A sync flush lets a cut-off gzip stream decode up to where it stopped.
function decode(chunks: Buffer[], headers: IncomingHttpHeaders): string {
  const bytes = Buffer.concat(chunks);
  if (headers['content-encoding'] !== 'gzip' || bytes.length === 0) return bytes.toString('utf8');
  return gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8');
}
