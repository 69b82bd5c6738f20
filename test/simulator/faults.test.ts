import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSimulator, type BodyFault, type DelayFault, type Simulator, type StatusFault } from '../../simulator/index.ts';
import { RequestLog } from '../../simulator/request-log.ts';
import { authenticate, delta, post } from './api.ts';
import { call, type Call, type Received } from './wire.ts';

interface Endpoint {
  name: string;
  match: string;
  lines: boolean;
  call: () => Call;
}

const STALL_MS = 400;
// Timers and the client's clock may differ by a few milliseconds on a busy machine.
const SLACK_MS = 25;
let simulator: Simulator;
let token: string;
let since: string;
const normal = new Map<string, Received>();

const authorized = (path: string): Call => ({ path: `/api/v1/promo${path}`, headers: { authorization: token } });
const ENDPOINTS: Endpoint[] = [
  {
    name: 'auth',
    match: '/auth',
    lines: false,
    call: () => ({ method: 'POST', path: '/api/v1/auth', body: JSON.stringify({ username: 'demo', password: 'demo' }) }),
  },
  { name: 'schema', match: '/resource/schema', lines: false, call: () => authorized('/resource/schema') },
  { name: 'full lines', match: '/full/lines', lines: true, call: () => authorized('/resource/promotions/de/full/lines') },
  ...(['created', 'updated', 'deleted'] as const).map((mode) => ({
    name: `${mode} lines`,
    match: `/${mode}/lines`,
    lines: true,
    call: () => authorized(delta(mode, 'promotions', 'de', since)),
  })),
  { name: 'state', match: '/state', lines: false, call: () => authorized('/resource/promotions/de/state?delta_timestamp=') },
];
const LINES = ENDPOINTS.filter((endpoint) => endpoint.lines);
const JSON_ANSWERS = ENDPOINTS.filter((endpoint) => !endpoint.lines);

beforeAll(async () => {
  simulator = await startSimulator({ items: 300, countries: ['de'] });
  token = await authenticate(simulator);
  since = simulator.clock();
  simulator.mutate({ created: 10, updated: 10, deleted: 10 });
  for (const endpoint of ENDPOINTS) normal.set(endpoint.name, await call(simulator, endpoint.call()));
});

afterEach(() => {
  simulator.clearFaults();
});

afterAll(() => simulator.stop());

async function faulted(endpoint: Endpoint, fault: StatusFault | DelayFault | BodyFault): Promise<Received> {
  simulator.addFault({ match: endpoint.match, ...fault });
  return call(simulator, endpoint.call());
}

function rows(text: string): string[] {
  return text.split('\n').filter((row) => row !== '');
}

/** The answer is what the endpoint answers without a fault: the same lines, or JSON of the same shape. */
function expectNormal(endpoint: Endpoint, received: Received): void {
  const expected = normal.get(endpoint.name)!;
  expect(received.status).toBe(expected.status);
  expect(received.complete).toBe(true);
  if (endpoint.lines) {
    expect(received.text).toBe(expected.text);
  } else {
    expect(Object.keys(JSON.parse(received.text))).toEqual(Object.keys(JSON.parse(expected.text)));
  }
}

describe('fault kinds', () => {
  it('serves enough lines in every mode for the line faults to bite', () => {
    for (const endpoint of LINES) expect(rows(normal.get(endpoint.name)!.text).length, endpoint.name).toBeGreaterThanOrEqual(10);
  });

  it.each(ENDPOINTS)('answers the fault status with a small JSON error on $name', async (endpoint) => {
    const received = await faulted(endpoint, { status: 503 });
    expect(received.status).toBe(503);
    expect(received.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(received.text)).toEqual({ error: expect.stringContaining('503') });
    expect(received.headers['retry-after']).toBeUndefined();
  });

  it.each(ENDPOINTS)('answers 429 with a Retry-After header in seconds on $name', async (endpoint) => {
    const received = await faulted(endpoint, { status: 429, retryAfter: 2 });
    expect(received.status).toBe(429);
    expect(received.headers['retry-after']).toBe('2');
    expect(JSON.parse(received.text)).toEqual({ error: expect.any(String) });
  });

  it.each(LINES)('sends that many lines, then destroys the socket, on $name', async (endpoint) => {
    const received = await faulted(endpoint, { dropAfterLines: 3 });
    expect(received.status).toBe(200);
    expect(received.complete).toBe(false);
    expect(received.text).toBe(rows(normal.get(endpoint.name)!.text).slice(0, 3).join('\n') + '\n');
  });

  it.each(JSON_ANSWERS)('sends the headers, then destroys the socket before the body, on $name', async (endpoint) => {
    const received = await faulted(endpoint, { dropAfterLines: 3 });
    expect(received.status).toBe(normal.get(endpoint.name)!.status);
    expect(received.complete).toBe(false);
    expect(received.text).toBe('');
  });

  it.each(LINES)('sends that many lines, pauses, then sends the rest unchanged, on $name', async (endpoint) => {
    const received = await faulted(endpoint, { stallAfterLines: 3, stallMs: STALL_MS });
    expectNormal(endpoint, received);
    expect(received.longestGap.ms).toBeGreaterThanOrEqual(STALL_MS - SLACK_MS);
    expect(rows(received.longestGap.before)).toHaveLength(3);
  });

  it.each(JSON_ANSWERS)('sends the headers, pauses, then sends the body, on $name', async (endpoint) => {
    const received = await faulted(endpoint, { stallAfterLines: 3, stallMs: STALL_MS });
    expectNormal(endpoint, received);
    expect(received.longestGap.ms).toBeGreaterThanOrEqual(STALL_MS - SLACK_MS);
    expect(received.longestGap.before).toBe('');
  });

  it.each(LINES)('makes exactly that line invalid JSON and leaves every other line intact on $name', async (endpoint) => {
    const received = await faulted(endpoint, { malformedAtLine: 4 });
    expect(received.status).toBe(200);
    expect(received.complete).toBe(true);
    const got = rows(received.text);
    const expected = rows(normal.get(endpoint.name)!.text);
    expect(got).toHaveLength(expected.length);
    expect(() => JSON.parse(got[3]!)).toThrow(SyntaxError);
    expect(got.filter((_, index) => index !== 3)).toEqual(expected.filter((_, index) => index !== 3));
  });

  it.each(JSON_ANSWERS)('sends a body that is not valid JSON on $name', async (endpoint) => {
    const received = await faulted(endpoint, { malformedAtLine: 1 });
    expect(received.status).toBe(normal.get(endpoint.name)!.status);
    expect(received.complete).toBe(true);
    expect(() => JSON.parse(received.text)).toThrow(SyntaxError);
  });

  it.each(ENDPOINTS)('waits before answering, then answers normally, on $name', async (endpoint) => {
    const received = await faulted(endpoint, { delayMs: STALL_MS });
    expect(received.headersAfter).toBeGreaterThanOrEqual(STALL_MS - SLACK_MS);
    expectNormal(endpoint, received);
  });

  it('sends exactly the lines before a drop or a stall when the answer is gzipped', async () => {
    const gzip = await startSimulator({ items: 300, countries: ['de'], gzip: true });
    try {
      const headers = { authorization: await authenticate(gzip), 'accept-encoding': 'gzip' };
      const path = '/api/v1/promo/resource/promotion_items/de/full/lines';
      const full = await call(gzip, { path, headers });
      expect(full.headers['content-encoding']).toBe('gzip');
      gzip.addFault({ match: '/full/lines', dropAfterLines: 7 });
      const dropped = await call(gzip, { path, headers });
      expect(dropped.complete).toBe(false);
      expect(dropped.text).toBe(rows(full.text).slice(0, 7).join('\n') + '\n');
      gzip.addFault({ match: '/full/lines', stallAfterLines: 7, stallMs: STALL_MS });
      const stalled = await call(gzip, { path, headers });
      expect(stalled.text).toBe(full.text);
      expect(stalled.longestGap.ms).toBeGreaterThanOrEqual(STALL_MS - SLACK_MS);
      expect(rows(stalled.longestGap.before)).toHaveLength(7);
    } finally {
      await gzip.stop();
    }
  });

  it('sends exactly that many lines before a drop deep into a long stream', async () => {
    const big = await startSimulator({ items: 40_000, countries: ['de'] });
    try {
      const headers = { authorization: await authenticate(big) };
      const path = '/api/v1/promo/resource/promotion_items/de/full/lines';
      const full = rows((await call(big, { path, headers })).text);
      for (const lines of [30_000, 31_333]) {
        big.addFault({ match: '/full/lines', dropAfterLines: lines });
        const dropped = await call(big, { path, headers });
        expect(dropped.complete).toBe(false);
        expect(rows(dropped.text).length, `drop after ${lines}`).toBe(lines);
        expect(dropped.text).toBe(full.slice(0, lines).join('\n') + '\n');
      }
    } finally {
      await big.stop();
    }
  });

  it('stops at once while a stream is stalled and a request is delayed', async () => {
    const target = await startSimulator({ items: 100, countries: ['de'] });
    target.addFault({ match: '/full/lines', stallAfterLines: 1, stallMs: 60_000 });
    target.addFault({ match: '/state', delayMs: 60_000 });
    const headers = { authorization: await authenticate(target) };
    const stalled = call(target, { path: '/api/v1/promo/resource/promotions/de/full/lines', headers });
    const delayed = call(target, { path: '/api/v1/promo/resource/promotions/de/state', headers }).catch((error: Error) => error);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = performance.now();
    await target.stop();
    expect(performance.now() - started).toBeLessThan(1000);
    expect((await stalled).complete).toBe(false);
    expect(await delayed).toBeInstanceOf(Error);
    await vi.waitFor(() => expect(target.requests()).toHaveLength(3));
    expect(target.requests().slice(1)).toEqual(
      expect.arrayContaining([
        { method: 'GET', path: '/api/v1/promo/resource/promotions/de/full/lines', status: 200 },
        { method: 'GET', path: '/api/v1/promo/resource/promotions/de/state', status: 0 },
      ]),
    );
  });
});

describe('which requests a fault applies to', () => {
  const state = ENDPOINTS.find((endpoint) => endpoint.name === 'state')!;
  const schema = ENDPOINTS.find((endpoint) => endpoint.name === 'schema')!;
  const statuses = async (endpoint: Endpoint, count: number) => {
    const answers: number[] = [];
    for (let i = 0; i < count; i++) answers.push((await call(simulator, endpoint.call())).status);
    return answers;
  };

  it('applies a fault to the next `times` matching requests, then answers normally', async () => {
    simulator.addFault({ match: '/state', status: 502, times: 3 });
    expect(await statuses(state, 5)).toEqual([502, 502, 502, 200, 200]);
  });

  it('applies a fault once by default, and is not used up by requests that do not match', async () => {
    simulator.addFault({ match: '/state', status: 500 });
    expect(await statuses(schema, 2)).toEqual([200, 200]);
    expect(await statuses(state, 2)).toEqual([500, 200]);
  });

  it('uses faults up in the order they were armed, one per request', async () => {
    simulator.addFault({ match: '/promotions/de/state', status: 503, times: 2 });
    simulator.addFault({ match: '/state', status: 429, retryAfter: 1 });
    simulator.addFault({ match: '/resource/', status: 500 });
    expect(await statuses(state, 5)).toEqual([503, 503, 429, 500, 200]);
  });

  it('matches the path without its query, percent-decoded', async () => {
    simulator.addFault({ match: 'delta_timestamp', status: 500 });
    expect(await statuses(state, 1)).toEqual([200]);
    simulator.clearFaults();
    simulator.addFault({ match: '/resource/promo tions/', status: 500 });
    const encoded = await call(simulator, authorized('/resource/promo%20tions/de/state'));
    expect(encoded.status).toBe(500);
  });

  it('answers the fault status before it checks the token', async () => {
    simulator.addFault({ match: '/state', status: 503 });
    const path = '/api/v1/promo/resource/promotions/de/state';
    expect((await call(simulator, { path })).status).toBe(503);
    expect((await call(simulator, { path })).status).toBe(401);
  });

  it('never applies a fault to the /__simulator hooks', async () => {
    simulator.addFault({ match: '/', status: 503, times: 10 });
    expect((await post(simulator, '/__simulator/mutate', {})).status).toBe(200);
    expect((await post(simulator, '/__simulator/faults', { match: '/state', delayMs: 1 })).status).toBe(201);
    expect((await fetch(`${simulator.url}/__simulator/faults`, { method: 'DELETE' })).status).toBe(200);
    expect(await statuses(state, 1)).toEqual([200]);
  });
});

describe('arming and clearing faults over HTTP', () => {
  const state = ENDPOINTS.find((endpoint) => endpoint.name === 'state')!;

  it('arms a fault with 201 and echoes it with its times', async () => {
    const response = await post(simulator, '/__simulator/faults', { match: '/state', status: 429, retryAfter: 3 });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ fault: { match: '/state', times: 1, status: 429, retryAfter: 3 } });
    const received = await call(simulator, state.call());
    expect([received.status, received.headers['retry-after']]).toEqual([429, '3']);
  });

  it('disarms every fault with DELETE /__simulator/faults, answering how many it cleared', async () => {
    await post(simulator, '/__simulator/faults', { match: '/state', status: 503, times: 5 });
    await post(simulator, '/__simulator/faults', { match: '/full/lines', dropAfterLines: 1 });
    const response = await fetch(`${simulator.url}/__simulator/faults`, { method: 'DELETE' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ cleared: 2 });
    expectNormal(state, await call(simulator, state.call()));
    expectNormal(LINES[0]!, await call(simulator, LINES[0]!.call()));
  });

  it('disarms every fault with clearFaults()', async () => {
    simulator.addFault({ match: '/state', status: 503, times: 5 });
    simulator.clearFaults();
    expectNormal(state, await call(simulator, state.call()));
  });

  it.each([
    ['not JSON', '{match', 'JSON'],
    ['a list', '[]', 'fault'],
    ['no match', { status: 503 }, 'match'],
    ['an empty match', { match: '', status: 503 }, 'match'],
    ['no kind', { match: '/state' }, 'exactly one of'],
    ['two kinds', { match: '/state', status: 503, delayMs: 5 }, 'status and delayMs'],
    ['a 2xx status', { match: '/state', status: 200 }, 'status'],
    ['a fractional status', { match: '/state', status: 503.5 }, 'status'],
    ['zero times', { match: '/state', status: 503, times: 0 }, 'times'],
    ['null times', { match: '/state', status: 503, times: null }, 'times'],
    ['a negative retryAfter', { match: '/state', status: 429, retryAfter: -1 }, 'retryAfter'],
    ['retryAfter without a status', { match: '/state', dropAfterLines: 3, retryAfter: 2 }, 'retryAfter'],
    ['a stall without stallMs', { match: '/full/lines', stallAfterLines: 3 }, 'stallMs'],
    ['stallMs as a string', { match: '/full/lines', stallAfterLines: 3, stallMs: '10' }, 'stallMs'],
    ['stallMs without a stall', { match: '/full/lines', delayMs: 3, stallMs: 10 }, 'stallMs'],
    ['line 0 malformed', { match: '/full/lines', malformedAtLine: 0 }, 'malformedAtLine'],
    ['a negative drop', { match: '/full/lines', dropAfterLines: -1 }, 'dropAfterLines'],
    ['a delay of days', { match: '/lines', delayMs: 1e9 }, 'delayMs'],
    ['an unknown field', { match: '/lines', delayMs: 1, colour: 'red' }, 'colour'],
  ] as const)('refuses %s with 400 naming the field', async (_, body, field) => {
    const response = await post(simulator, '/__simulator/faults', body);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toContain(field);
    if (typeof body === 'object' && !Array.isArray(body)) expect(() => simulator.addFault(body as never)).toThrow(field);
  });
});

describe('the request log', () => {
  it('lists each API request with its method, path without the query and status, leaving out the hooks', async () => {
    simulator.clearRequests();
    await authenticate(simulator);
    await post(simulator, '/__simulator/faults', { match: '/state', status: 503 });
    await call(simulator, ENDPOINTS.find((endpoint) => endpoint.name === 'state')!.call());
    await call(simulator, authorized(delta('created', 'promotions', 'de', since)));
    await call(simulator, authorized('/resource/nowhere/de/full/lines'));
    await call(simulator, { path: '/api/v1/promo/resource/schema' });
    expect(simulator.requests()).toEqual([
      { method: 'POST', path: '/api/v1/auth', status: 201 },
      { method: 'GET', path: '/api/v1/promo/resource/promotions/de/state', status: 503 },
      { method: 'GET', path: '/api/v1/promo/resource/promotions/de/created/lines', status: 200 },
      { method: 'GET', path: '/api/v1/promo/resource/nowhere/de/full/lines', status: 404 },
      { method: 'GET', path: '/api/v1/promo/resource/schema', status: 401 },
    ]);
  });

  it('counts what a client did, e.g. how often it authenticated', async () => {
    simulator.clearRequests();
    for (let i = 0; i < 3; i++) await authenticate(simulator);
    expect(simulator.requests().filter((request) => request.path === '/api/v1/auth')).toHaveLength(3);
    simulator.clearRequests();
    expect(simulator.requests()).toEqual([]);
  });

  it('keeps the last 10,000 requests, oldest first', () => {
    const log = new RequestLog();
    for (let i = 1; i <= 25_000; i++) log.add('GET', `/${i}`, 200);
    const kept = log.list();
    expect(kept).toHaveLength(10_000);
    expect([kept[0]!.path, kept.at(-1)!.path]).toEqual(['/15001', '/25000']);
  });
});
