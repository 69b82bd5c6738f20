// How one request is answered: JSON or lines, gzipped when allowed, and spoilt by the request's
// body fault if a test armed one. Also the request body and content negotiation.

import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { SimulatorRequestError } from './errors.ts';
import { malformed, withMalformedLine, type BodyFault } from './faults.ts';
import { onTheWire, pause, streamLines } from './stream.ts';

const MAX_BODY_BYTES = 1024 * 1024;

export class Reply {
  readonly res: ServerResponse;
  private readonly gzip: boolean;
  private readonly fault: BodyFault | undefined;
  private readonly linesPerSecond: number;

  /** `linesPerSecond`: the pace of a lines answer (0: as fast as it can). */
  constructor(res: ServerResponse, gzip: boolean, fault?: BodyFault, linesPerSecond = 0) {
    this.res = res;
    this.gzip = gzip;
    this.fault = fault;
    this.linesPerSecond = linesPerSecond;
  }

  json(status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void | Promise<void> {
    const text = JSON.stringify(body);
    const fault = this.fault;
    const bytes = Buffer.from(fault !== undefined && 'malformedAtLine' in fault ? malformed(text) : text);
    const payload = this.gzip ? gzipSync(bytes) : bytes;
    this.res.writeHead(status, {
      ...headers,
      'content-type': 'application/json; charset=utf-8',
      'content-length': payload.length,
      ...(this.gzip ? { 'content-encoding': 'gzip', vary: 'accept-encoding' } : {}),
    });
    if (fault === undefined || 'malformedAtLine' in fault) {
      this.res.end(payload);
      return;
    }
    return this.breakOff(payload, 'stallMs' in fault ? fault.stallMs : undefined);
  }

  error(status: number, message: string, headers?: OutgoingHttpHeaders): void | Promise<void> {
    return this.json(status, { error: message }, headers);
  }

  lines(lines: Iterable<string>): Promise<void> {
    const fault = this.fault;
    const pace = this.linesPerSecond;
    if (fault === undefined) return streamLines(this.res, lines, this.gzip, undefined, pace);
    if ('malformedAtLine' in fault) return streamLines(this.res, withMalformedLine(lines, fault.malformedAtLine), this.gzip, undefined, pace);
    if ('dropAfterLines' in fault) return streamLines(this.res, lines, this.gzip, { afterLines: fault.dropAfterLines }, pace);
    return streamLines(this.res, lines, this.gzip, { afterLines: fault.stallAfterLines, stallMs: fault.stallMs }, pace);
  }

  // A JSON answer is one piece: a line fault drops or stalls it right after the headers.
  private async breakOff(payload: Buffer, stallMs: number | undefined): Promise<void> {
    if (!(await onTheWire(this.res, undefined))) return;
    if (stallMs === undefined) {
      this.res.destroy();
    } else if (await pause(this.res, stallMs)) {
      this.res.end(payload);
    }
  }
}

/** The request body parsed as JSON; 400 when it is not JSON or too large. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new SimulatorRequestError(413, 'request body too large');
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new SimulatorRequestError(400, 'request body is not valid JSON', { cause: error });
  }
}

/** Whether accept-encoding allows gzip (a q of 0 refuses it). */
export function acceptsGzip(req: IncomingMessage): boolean {
  const header = req.headers['accept-encoding'];
  if (typeof header !== 'string') return false;
  return header.split(',').some((entry) => {
    const [coding = '', ...parameters] = entry.trim().toLowerCase().split(';');
    if (coding.trim() !== 'gzip' && coding.trim() !== '*') return false;
    const quality = parameters.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return quality === undefined || Number(quality.slice(2)) > 0;
  });
}
