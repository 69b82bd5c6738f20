// Faults a test arms to make the next matching requests fail the way real networks and vendors do:
// an error status, a cut or stalled stream, a line that is not JSON, a slow answer.

import { SimulatorRequestError } from './errors.ts';

/** Where a fault applies: requests whose path contains `match`, the next `times` of them (default 1). */
export interface FaultTarget {
  match: string;
  times?: number;
}

/** Answer this 4xx/5xx status with a small JSON error body; `retryAfter` seconds go in Retry-After. */
export interface StatusFault {
  status: number;
  retryAfter?: number;
}

/** Wait before answering. */
export interface DelayFault {
  delayMs: number;
}

/**
 * Spoils the body, whatever the answer is: on lines, after that many lines (or at that 1-based
 * line); on a JSON answer, the body as a whole (dropped or stalled after the headers, or cut short).
 */
export type BodyFault =
  | { dropAfterLines: number }
  | { stallAfterLines: number; stallMs: number }
  | { malformedAtLine: number };

export type Fault = FaultTarget & (StatusFault | DelayFault | BodyFault);

const KINDS = ['status', 'dropAfterLines', 'stallAfterLines', 'malformedAtLine', 'delayMs'] as const;
const FIELDS = new Set<string>(['match', 'times', 'retryAfter', 'stallMs', ...KINDS]);
// Longer waits are mistakes, and a timer beyond 2^31 ms fires at once.
const MAX_MS = 3_600_000;
const EXAMPLE = 'a fault is a JSON object like {"match": "/full/lines", "status": 503}';

/** The armed faults, in the order they were added; the first that matches a request applies. */
export class FaultList {
  private armed: Array<{ fault: Fault; left: number }> = [];

  add(value: unknown): Fault {
    const fault = parseFault(value);
    this.armed.push({ fault, left: fault.times ?? 1 });
    return fault;
  }

  clear(): number {
    const cleared = this.armed.length;
    this.armed = [];
    return cleared;
  }

  /** The fault for a request to `path`, used up by one request; undefined when none matches. */
  take(path: string): Fault | undefined {
    if (this.armed.length === 0) return undefined;
    const index = this.armed.findIndex((entry) => path.includes(entry.fault.match));
    if (index === -1) return undefined;
    const entry = this.armed[index] as { fault: Fault; left: number };
    if (--entry.left === 0) this.armed.splice(index, 1);
    return entry.fault;
  }
}

/** A checked copy of a fault; a 400 naming the field when it is not one. */
export function parseFault(value: unknown): Fault {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(EXAMPLE);
  const body = value as Record<string, unknown>;
  const unknown = Object.keys(body).filter((key) => !FIELDS.has(key));
  if (unknown.length > 0) throw invalid(`unknown field(s) ${unknown.join(', ')}; ${EXAMPLE}`);
  if (typeof body.match !== 'string' || body.match === '') {
    throw invalid(`match must be a non-empty string, part of the request path, got ${JSON.stringify(body.match)}`);
  }
  const target: FaultTarget = { match: body.match, times: integer(body, 'times', 1, Number.MAX_SAFE_INTEGER, 1) };
  const kinds = KINDS.filter((kind) => body[kind] !== undefined);
  if (kinds.length !== 1) {
    throw invalid(`a fault needs exactly one of ${KINDS.join(', ')}; got ${kinds.length === 0 ? 'none' : kinds.join(' and ')}`);
  }
  const kind = kinds[0];
  only(body, 'retryAfter', kind === 'status', 'status');
  only(body, 'stallMs', kind === 'stallAfterLines', 'stallAfterLines');
  switch (kind) {
    case 'status': {
      const retryAfter = body.retryAfter === undefined ? undefined : integer(body, 'retryAfter', 0, 86_400);
      const status = integer(body, 'status', 400, 599);
      return { ...target, status, ...(retryAfter === undefined ? {} : { retryAfter }) };
    }
    case 'dropAfterLines':
      return { ...target, dropAfterLines: integer(body, kind, 0, Number.MAX_SAFE_INTEGER) };
    case 'stallAfterLines':
      if (body.stallMs === undefined) throw invalid('stallAfterLines needs stallMs, how long to pause in milliseconds');
      return { ...target, stallAfterLines: integer(body, kind, 0, Number.MAX_SAFE_INTEGER), stallMs: integer(body, 'stallMs', 0, MAX_MS) };
    case 'malformedAtLine':
      return { ...target, malformedAtLine: integer(body, kind, 1, Number.MAX_SAFE_INTEGER) };
    default:
      return { ...target, delayMs: integer(body, 'delayMs', 0, MAX_MS) };
  }
}

/** The text cut in half, so it is not valid JSON; a line keeps its newline. */
export function malformed(text: string): string {
  const newline = text.endsWith('\n') ? '\n' : '';
  const content = newline === '' ? text : text.slice(0, -1);
  return content.slice(0, Math.max(1, Math.floor(content.length / 2))) + newline;
}

/** The lines with the one at the 1-based `lineNumber` made malformed. */
export function* withMalformedLine(lines: Iterable<string>, lineNumber: number): Generator<string> {
  let number = 0;
  for (const line of lines) yield ++number === lineNumber ? malformed(line) : line;
}

function integer(body: Record<string, unknown>, name: string, min: number, max: number, fallback?: number): number {
  const value = body[name] === undefined ? fallback : body[name];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(body[name])}`);
  }
  return value;
}

function only(body: Record<string, unknown>, name: string, allowed: boolean, companion: string): void {
  if (body[name] !== undefined && !allowed) throw invalid(`${name} only goes with ${companion}`);
}

function invalid(message: string): SimulatorRequestError {
  return new SimulatorRequestError(400, `fault: ${message}`);
}
