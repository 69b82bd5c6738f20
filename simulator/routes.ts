// The HTTP surface: the contract's endpoints under /api/v1 and the test hook
// POST /__simulator/mutate. Anything else is a JSON 404.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DeltaMode } from './collection.ts';
import type { Dataset } from './dataset.ts';
import { SimulatorRequestError } from './errors.ts';
import type { SimulatorOptions } from './options.ts';
import { acceptsGzip, readJson, sendError, sendJson } from './replies.ts';
import { streamLines } from './stream.ts';
import { parseTimestamp } from './timestamp.ts';
import type { TokenStore } from './tokens.ts';

export interface RouteContext {
  options: SimulatorOptions;
  dataset: Dataset;
  tokens: TokenStore;
  schemaJson: unknown;
}

const MODES = new Set(['full', 'created', 'updated', 'deleted']);
const UNAUTHORIZED = {
  missing: 'missing authorization header: send the token from POST /api/v1/auth',
  unknown: 'unknown token: authenticate again',
  expired: 'token expired: authenticate again',
};

export function requestHandler(context: RouteContext) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    route(context, req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
      } else if (error instanceof SimulatorRequestError) {
        sendError(res, error.status, error.message);
      } else {
        sendError(res, 500, error instanceof Error ? error.message : String(error));
      }
    });
  };
}

async function route(context: RouteContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://simulator');
  const parts = url.pathname.split('/').slice(1).map(decode);
  const method = req.method ?? 'GET';
  const gzip = context.options.gzip && acceptsGzip(req);

  if (method === 'POST' && parts.join('/') === '__simulator/mutate') {
    return sendJson(res, 200, context.dataset.mutate(await readJson(req)), gzip);
  }
  if (parts[0] !== 'api' || parts[1] !== 'v1') return notFound(req, res);
  if (parts.length === 3 && parts[2] === 'auth') {
    if (method !== 'POST') return notFound(req, res);
    return authenticate(context, await readJson(req), res);
  }

  const check = context.tokens.check(header(req, 'authorization'));
  if (check !== 'valid') return sendError(res, 401, UNAUTHORIZED[check]);
  const [, , service, resourceWord, resource, country, mode, last] = parts;
  if (method !== 'GET' || service !== context.options.businessService || resourceWord !== 'resource') {
    return notFound(req, res);
  }
  if (parts.length === 5 && resource === 'schema') return sendJson(res, 200, context.schemaJson, gzip);
  const collection = context.dataset.collection(resource ?? '', country ?? '');
  if (collection === undefined || resource === undefined || country === undefined) return notFound(req, res);

  if (parts.length === 7 && mode === 'state') {
    timestampParameter(url, 'optional', 'state');
    const state = { total_items: collection.total };
    return sendJson(res, 200, context.options.stateShape === 'payload' ? { payload: state } : state, gzip);
  }
  if (parts.length !== 8 || last !== 'lines' || mode === undefined || !MODES.has(mode)) return notFound(req, res);
  const lines =
    mode === 'full'
      ? collection.fullLines()
      : collection.deltaLines(mode as DeltaMode, timestampParameter(url, 'required', mode) as number);
  await streamLines(res, lines, gzip);
}

function authenticate(context: RouteContext, body: unknown, res: ServerResponse): void {
  const { username, password } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (typeof username !== 'string' || typeof password !== 'string') {
    return sendError(res, 400, 'auth expects a JSON body {"username": "...", "password": "..."}');
  }
  if (username !== context.options.username || password !== context.options.password) {
    return sendError(res, 401, 'wrong username or password');
  }
  sendJson(res, 201, { token: context.tokens.issue() });
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

function notFound(req: IncomingMessage, res: ServerResponse): void {
  sendError(res, 404, `no such endpoint: ${req.method ?? 'GET'} ${req.url ?? '/'}`);
}
