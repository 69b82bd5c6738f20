// The Focus API client against the simulator: tokens, errors by name, both state shapes, gzip, encoding.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FocusApi, type ApiSettings } from '../../functions/core/api/client.ts';
import { isBlankLine, readAhead, type LineBatch } from '../../functions/core/api/ndjson.ts';
import { defaultSchema, keepBigIntegers, startSimulator, type Simulator, type SimulatorOptions } from '../../simulator/index.ts';

const simulators: Simulator[] = [];

async function simulator(options: Partial<SimulatorOptions> = {}): Promise<Simulator> {
  const started = await startSimulator({ items: 40, ...options });
  simulators.push(started);
  return started;
}

function settings(from: Simulator, overrides: Partial<ApiSettings> = {}): ApiSettings {
  return {
    url: from.url, version: '1', businessService: from.options.businessService, lang: undefined,
    username: from.options.username, password: from.options.password, ...overrides,
  };
}

async function readAll(batches: AsyncIterable<LineBatch>): Promise<unknown[]> {
  const items = [];
  for await (const { lines } of batches) items.push(...lines.filter((line) => !isBlankLine(line)).map((line) => JSON.parse(line, keepBigIntegers as never)));
  return items;
}

let plain: Simulator;

beforeAll(async () => {
  plain = await simulator();
});

afterAll(async () => {
  await Promise.all(simulators.map((started) => started.stop()));
});

describe('FocusApi', () => {
  it('reads the schema into resources with their columns in API order', async () => {
    const resources = await new FocusApi(settings(plain)).resources();
    expect(resources.map((resource) => resource.name)).toEqual(['promotions', 'promotion_items']);
    expect(resources[0]!.attributes[0]).toEqual({ name: 'id', type: 'Int64', primaryKey: true });
    expect(resources[0]!.attributes.map((attribute) => attribute.name)).toEqual(
      Object.values(defaultSchema().resources.promotions!.attributes).map((entry) => Object.keys(entry)[0]),
    );
  });

  it('streams every live item of a full load, exactly as the server has them', async () => {
    const items = await readAll(new FocusApi(settings(plain)).lines('promotions', 'de', 'full'));
    expect(items).toEqual(plain.items('promotions', 'de'));
  });

  it('reads only the changes strictly after a timestamp, given with microseconds', async () => {
    const api = new FocusApi(settings(plain));
    const before = plain.clock();
    plain.mutate({ created: 2, updated: 3, deleted: 1, resource: 'promotions', country: 'at' });
    expect(await readAll(api.lines('promotions', 'at', 'created', before))).toHaveLength(2);
    expect(await readAll(api.lines('promotions', 'at', 'updated', before))).toHaveLength(3);
    expect(await readAll(api.lines('promotions', 'at', 'deleted', before))).toHaveLength(1);
    expect(await readAll(api.lines('promotions', 'at', 'created', plain.clock()))).toHaveLength(0);
  });

  it('reads total_items at the top level and under payload', async () => {
    const payload = await simulator({ stateShape: 'payload' });
    expect(await new FocusApi(settings(plain)).totalItems('promotions', 'de', null)).toBe(40);
    expect(await new FocusApi(settings(payload)).totalItems('promotions', 'de', '2025-07-01T00:00:00.000000')).toBe(40);
  });

  it('keeps working when its token expires, by authenticating again once', async () => {
    const shortLived = await simulator({ tokenTtlSeconds: 1 });
    const api = new FocusApi(settings(shortLived));
    expect(await api.totalItems('promotions', 'de', null)).toBe(40);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await api.totalItems('promotions', 'de', null)).toBe(40);
    expect(await readAll(api.lines('promotions', 'de', 'full'))).toHaveLength(40);
  });

  it('renews its token before it gets old', async () => {
    const api = new FocusApi(settings(plain), { tokenRefreshMs: 0 });
    expect(await api.totalItems('promotions', 'de', null)).toBe(40);
    expect(await api.totalItems('promotions', 'de', null)).toBe(40);
  });

  it('fails with AuthenticationFailed on wrong credentials, naming the user and not the password', async () => {
    const attempt = new FocusApi(settings(plain, { password: 'wrong-password-123' })).resources();
    await expect(attempt).rejects.toMatchObject({ name: 'AuthenticationFailed' });
    await expect(attempt).rejects.toThrow(/user "demo"/);
    await expect(attempt).rejects.not.toThrow(/wrong-password-123/);
  });

  it('fails with ApiRequestFailed on an unknown business service, naming the path', async () => {
    const attempt = new FocusApi(settings(plain, { businessService: 'nope' })).resources();
    await expect(attempt).rejects.toMatchObject({ name: 'ApiRequestFailed' });
    await expect(attempt).rejects.toThrow('HTTP 404 for /api/v1/nope/resource/schema');
  });

  it('fails with ApiUnavailable, after its retries, when nothing listens', async () => {
    const closed = await simulator();
    await closed.stop();
    const attempt = new FocusApi(settings(closed), { attempts: 2, backoffMs: 1 }).resources();
    await expect(attempt).rejects.toMatchObject({ name: 'ApiUnavailable' });
    await expect(attempt).rejects.toThrow(/ECONNREFUSED/);
  });

  it('sends a stream\'s request before its lines are read, and ends it when they never are (readAhead)', async () => {
    const served = await simulator({ items: 200_000 });
    const api = new FocusApi(settings(served));
    const answered = (mode: string) => served.requests().filter((request) => request.path.endsWith(`/${mode}/lines`)).map((request) => request.status);
    served.addFault({ match: '/created/lines', status: 400 });
    const refused = readAhead(api.lines('promotions', 'de', 'created', '2025-01-01T00:00:00.000000'));
    await vi.waitFor(() => expect(answered('created')).toEqual([400]));
    await expect(readAll(refused)).rejects.toMatchObject({ name: 'ApiRequestFailed' });
    // 200,000 lines do not fit in the sockets' buffers: the answer waits for a reader until closed.
    const unread = readAhead(api.lines('promotions', 'de', 'full'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(answered('full')).toEqual([]);
    await unread.close();
    await vi.waitFor(() => expect(answered('full')).toEqual([200]));
  });

  it('reads gzip-encoded answers', async () => {
    const gzip = await simulator({ gzip: true, seed: 3 });
    const same = await simulator({ seed: 3 });
    expect(await readAll(new FocusApi(settings(gzip)).lines('promotion_items', 'de', 'full'))).toEqual(same.items('promotion_items', 'de'));
  });

  it('encodes resource and country names in the path, and sends the language when configured', async () => {
    const schema = { resources: { 'Aktionen & Rabatte': defaultSchema().resources.promotions! } };
    const odd = await simulator({ schema, countries: ['de-CH'] });
    const api = new FocusApi(settings(odd, { lang: 'de' }));
    expect(await readAll(api.lines('Aktionen & Rabatte', 'de-CH', 'full'))).toHaveLength(40);
    expect(await api.totalItems('Aktionen & Rabatte', 'de-CH', null)).toBe(40);
  });
});
