// The HTTP surface: the contract's endpoints under /api/v1 and the test hooks under /__simulator.
// Anything else is a JSON 404.
//
// POST /__simulator/mutate   {"created": N, "updated": N, "deleted": N, "resource"?, "country"?}
// POST /__simulator/pace     {"linesPerSecond": N}: each lines answer from now on at most N lines a
//                            second, as a remote API sends them (0: as fast as it can)
// POST /__simulator/faults   arms a fault (201, echoes it); DELETE /__simulator/faults disarms all
//   {"match": "/created/lines", "status": 503}                 that status (400-599), JSON error body
//   {"match": "/state", "status": 429, "retryAfter": 2}        plus Retry-After: 2 (seconds; any status)
//   {"match": "/updated/lines", "dropAfterLines": 100}         100 lines, then the socket is destroyed
//   {"match": "/full/lines", "stallAfterLines": 5000, "stallMs": 10000}  5000 lines, a 10 s pause, the rest
//   {"match": "/full/lines", "malformedAtLine": 777}           line 777 (1-based) cut in half, the rest intact
//   {"match": "/lines", "delayMs": 3000}                       waits 3 s, then answers normally
// A fault applies to the next `times` requests (default 1) to any /api/v1 endpoint, auth included,
// whose percent-decoded path (no query) contains `match`; the first armed fault that matches is
// used up, before the token is checked. On a JSON answer, a line fault spoils the body as a whole:
// dropped or stalled right after the headers, or cut in half. Past the last line, drop still
// cuts the stream before its end and malformedAtLine does nothing. The same faults, and a log of
// the requests served, are on the Simulator object (index.ts); /__simulator requests are in neither.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DeltaMode } from './collection.ts';
import type { Dataset } from './dataset.ts';
import { SimulatorRequestError } from './errors.ts';
import type { BodyFault, Fault, FaultList } from './faults.ts';
import type { SimulatorOptions } from './options.ts';
import { acceptsGzip, readJson, Reply } from './replies.ts';
import type { RequestLog } from './request-log.ts';
import { pause } from './stream.ts';
import { parseTimestamp } from './timestamp.ts';
import type { TokenStore } from './tokens.ts';

export interface RouteContext {
  options: SimulatorOptions;
  dataset: Dataset;
  tokens: TokenStore;
  schemaJson: unknown;
  faults: FaultList;
  requests: RequestLog;
}

const HOOKS = '/__simulator';

const MODES = new Set(['full', 'created', 'updated', 'deleted']);
const UNAUTHORIZED = {
  missing: 'missing authorization header: send the token from POST /api/v1/auth',
  unknown: 'unknown token: authenticate again',
  expired: 'token expired: authenticate again',
};

export function requestHandler(context: RouteContext) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const path = requestPath(req.url ?? '/');
    const hook = path === HOOKS || path.startsWith(`${HOOKS}/`);
    const fault = hook ? undefined : context.faults.take(path);
    const reply = new Reply(res, context.options.gzip && acceptsGzip(req), fault !== undefined && isBodyFault(fault) ? fault : undefined, context.options.linesPerSecond);
    answer(context, req, reply, fault)
      .catch((error: unknown) => {
        if (res.headersSent) {
          res.destroy();
        } else if (error instanceof SimulatorRequestError) {
          return reply.error(error.status, error.message);
        } else {
          return reply.error(500, error instanceof Error ? error.message : String(error));
        }
      })
      .finally(() => {
        if (!hook) context.requests.add(req.method ?? 'GET', path, res.headersSent ? res.statusCode : 0);
      });
  };
}

// A fault's status comes before the token check, as it would from a proxy or an overloaded server.
async function answer(context: RouteContext, req: IncomingMessage, reply: Reply, fault: Fault | undefined): Promise<void> {
  if (fault !== undefined && 'delayMs' in fault && !(await pause(reply.res, fault.delayMs))) return;
  if (fault !== undefined && 'status' in fault) {
    const headers = fault.retryAfter === undefined ? {} : { 'retry-after': String(fault.retryAfter) };
    return reply.error(fault.status, `simulated fault: status ${fault.status} for ${fault.match}`, headers);
  }
  return route(context, req, reply);
}

async function route(context: RouteContext, req: IncomingMessage, reply: Reply): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://simulator');
  const parts = url.pathname.split('/').slice(1).map(decode);
  const method = req.method ?? 'GET';

  if (parts[0] === '__simulator') return hook(context, req, reply, parts.slice(1).join('/'));
  if (parts[0] !== 'api' || parts[1] !== 'v1') return notFound(req, reply);
  if (parts.length === 3 && parts[2] === 'auth') {
    if (method !== 'POST') return notFound(req, reply);
    return authenticate(context, await readJson(req), reply);
  }

  const check = context.tokens.check(header(req, 'authorization'));
  if (check !== 'valid') return reply.error(401, UNAUTHORIZED[check]);
  const [, , service, resourceWord, resource, country, mode, last] = parts;
  if (method !== 'GET' || service !== context.options.businessService || resourceWord !== 'resource') {
    return notFound(req, reply);
  }
  if (parts.length === 5 && resource === 'schema') return reply.json(200, context.schemaJson);
  const collection = context.dataset.collection(resource ?? '', country ?? '');
  if (collection === undefined || resource === undefined || country === undefined) return notFound(req, reply);

  if (parts.length === 7 && mode === 'state') {
    timestampParameter(url, 'optional', 'state');
    const state = { total_items: collection.total };
    return reply.json(200, context.options.stateShape === 'payload' ? { payload: state } : state);
  }
  if (parts.length !== 8 || last !== 'lines' || mode === undefined || !MODES.has(mode)) return notFound(req, reply);
  const lines =
    mode === 'full'
      ? collection.fullLines()
      : collection.deltaLines(mode as DeltaMode, timestampParameter(url, 'required', mode) as number);
  await reply.lines(lines);
}

/** Sets the pace of lines answers from a {"linesPerSecond": N} body; returns it. */
function pace(options: SimulatorOptions, body: unknown): number {
  const value = (body as { linesPerSecond?: unknown } | null)?.linesPerSecond;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new SimulatorRequestError(400, `linesPerSecond must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  options.linesPerSecond = value;
  return value;
}

async function hook(context: RouteContext, req: IncomingMessage, reply: Reply, name: string): Promise<void> {
  const method = req.method ?? 'GET';
  if (method === 'POST' && name === 'mutate') return reply.json(200, context.dataset.mutate(await readJson(req)));
  if (method === 'POST' && name === 'faults') return reply.json(201, { fault: context.faults.add(await readJson(req)) });
  if (method === 'POST' && name === 'pace') return reply.json(200, { linesPerSecond: pace(context.options, await readJson(req)) });
  if (method === 'DELETE' && name === 'faults') return reply.json(200, { cleared: context.faults.clear() });
  return notFound(req, reply);
}

function authenticate(context: RouteContext, body: unknown, reply: Reply): void | Promise<void> {
  const { username, password } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (typeof username !== 'string' || typeof password !== 'string') {
    return reply.error(400, 'auth expects a JSON body {"username": "...", "password": "..."}');
  }
  if (username !== context.options.username || password !== context.options.password) {
    return reply.error(401, 'wrong username or password');
  }
  return reply.json(201, { token: context.tokens.issue() });
}

// Empty means absent: the reference client sends `delta_timestamp=` after a full load.
function timestampParameter(url: URL, need: 'optional' | 'required', mode: string): number | undefined {
  const text = url.searchParams.get('delta_timestamp') ?? '';
  if (text === '') {
    if (need === 'required') throw new SimulatorRequestError(400, `delta_timestamp is required for ${mode} lines`);
    return undefined;
  }
  const micros = parseTimestamp(text);
  if (micros === undefined) {
    throw new SimulatorRequestError(400, `delta_timestamp "${text}" is not a timestamp like 2025-07-01T16:01:00.827904`);
  }
  return micros;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch (error) {
    throw new SimulatorRequestError(400, `path part "${part}" is not valid percent-encoding`, { cause: error });
  }
}

function notFound(req: IncomingMessage, reply: Reply): void | Promise<void> {
  return reply.error(404, `no such endpoint: ${req.method ?? 'GET'} ${req.url ?? '/'}`);
}

/** The path without the query, percent-decoded when it can be: what faults match and the log shows. */
function requestPath(target: string): string {
  const query = target.indexOf('?');
  const path = query === -1 ? target : target.slice(0, query);
  if (!path.includes('%')) return path;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function isBodyFault(fault: Fault): fault is Fault & BodyFault {
  return 'dropAfterLines' in fault || 'stallAfterLines' in fault || 'malformedAtLine' in fault;
}
