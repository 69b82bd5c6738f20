import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../simulator/index.ts';
import { authenticate, delta, get, ids, lines, post, WIRE_TIMESTAMP } from './api.ts';

const MODES = ['created', 'updated', 'deleted'] as const;
let simulator: Simulator;
let token: string;

beforeAll(async () => {
  simulator = await startSimulator({ items: 300 });
  token = await authenticate(simulator);
});

afterAll(() => simulator.stop());

async function deltas(resource: string, country: string, since: string, target = simulator, key = token) {
  const [created, updated, deleted] = await Promise.all(
    MODES.map((mode) => lines(target, key, delta(mode, resource, country, since))),
  );
  return { created: created!, updated: updated!, deleted: deleted! };
}

async function stateTotal(target: Simulator, resource: string, country: string, query = '') {
  const response = await get(target, await authenticate(target), `/resource/${resource}/${country}/state${query}`);
  expect(response.status).toBe(200);
  return response.json();
}

describe('mutations and deltas', () => {
  it('lists created, updated and deleted items strictly after the timestamp, each in one list only', async () => {
    const since = simulator.clock();
    expect(since).toMatch(WIRE_TIMESTAMP);
    const result = simulator.mutate({ created: 4, updated: 5, deleted: 6 });
    expect(result.clock > since).toBe(true);
    for (const resource of ['promotions', 'promotion_items']) {
      for (const country of ['de', 'at']) {
        const { created, updated, deleted } = await deltas(resource, country, since);
        expect(ids(created)).toEqual([301, 302, 303, 304]);
        expect(updated).toHaveLength(5);
        expect(deleted).toHaveLength(6);
        const all = [...ids(created), ...ids(updated), ...ids(deleted)];
        expect(new Set(all).size).toBe(all.length);
        for (const list of [created, updated, deleted]) expect(ids(list)).toEqual([...ids(list)].sort((a, b) => a - b));
        expect(created.every((item) => item.created_at === item.updated_at && (item.created_at as string) > since)).toBe(true);
        expect(updated.every((item) => (item.updated_at as string) > since && (item.created_at as string) <= since)).toBe(true);
        expect(deleted.every((item) => Object.keys(item).join() === 'id,deleted_at' && (item.deleted_at as string) > since)).toBe(true);
        const live = simulator.items(resource, country);
        expect(ids(live)).toEqual(expect.arrayContaining([...ids(created), ...ids(updated)]));
        expect(ids(live).filter((id) => ids(deleted).includes(id))).toEqual([]);
        for (const item of updated) expect(live.find((row) => row.id === item.id)).toEqual(item);
      }
    }
  });

  it('lists, after several mutations, exactly what the full lines show changed since the timestamp', async () => {
    const simulator = await startSimulator({ items: 60, seed: 5 });
    try {
      const token = await authenticate(simulator);
      const full = async () => new Map((await lines(simulator, token, '/resource/promotions/de/full/lines')).map((item) => [item.id as number, JSON.stringify(item)]));
      simulator.mutate({ created: 5, updated: 10, deleted: 10, resource: 'promotions', country: 'de' });
      const [since, before] = [simulator.clock(), await full()];
      // Mostly the same few items again: updated twice, updated then deleted, created then updated.
      for (let round = 0; round < 3; round++) simulator.mutate({ created: 2, updated: 8, deleted: 3, resource: 'promotions', country: 'de' });
      const after = await full();
      const { created, updated, deleted } = await deltas('promotions', 'de', since, simulator, token);
      const ascending = (list: number[]) => list.sort((a, b) => a - b);
      expect(ids(created)).toEqual(ascending([...after.keys()].filter((id) => !before.has(id))));
      expect(ids(updated)).toEqual(ascending([...after.keys()].filter((id) => before.has(id) && before.get(id) !== after.get(id))));
      // Deleted also lists what was created since and deleted again, which no full lines showed.
      expect(ids(deleted).filter((id) => before.has(id))).toEqual(ascending([...before.keys()].filter((id) => !after.has(id))));
      expect(ids(deleted).filter((id) => after.has(id))).toEqual([]);
    } finally {
      await simulator.stop();
    }
  });

  it('gives changes of one call shared timestamps, and excludes changes exactly at the timestamp', async () => {
    const since = simulator.clock();
    simulator.mutate({ deleted: 9, resource: 'promotions', country: 'at' });
    const deleted = await lines(simulator, token, delta('deleted', 'promotions', 'at', since));
    const times = deleted.map((item) => item.deleted_at as string);
    const distinct = [...new Set(times)].sort();
    expect(distinct.length).toBeGreaterThanOrEqual(3);
    expect(distinct.length).toBeLessThan(times.length);
    const middle = distinct[1]!;
    const after = await lines(simulator, token, delta('deleted', 'promotions', 'at', middle));
    expect(after.map((item) => item.deleted_at)).toEqual(times.filter((time) => time > middle));
  });

  it('gives new values to every column but the key and created_at when an item is updated', async () => {
    const before = new Map(simulator.items('promotion_items', 'de').map((item) => [item.id, item]));
    const since = simulator.clock();
    simulator.mutate({ updated: 20, resource: 'promotion_items', country: 'de' });
    const updated = await lines(simulator, token, delta('updated', 'promotion_items', 'de', since));
    expect(updated).toHaveLength(20);
    for (const item of updated) {
      const old = before.get(item.id)!;
      expect(item.created_at).toBe(old.created_at);
      expect(item.updated_at).not.toBe(old.updated_at);
    }
    const changed = (column: string) => updated.filter((item) => item[column] !== before.get(item.id)![column]).length;
    for (const column of ['sku', 'product_uuid', 'quantity', 'unit_price', 'image']) expect(changed(column), column).toBeGreaterThan(10);
  });

  it('accepts the timestamp with T or a space, and with 0 to 6 fractional digits', async () => {
    const since = simulator.clock();
    simulator.mutate({ created: 1, updated: 2, deleted: 3, resource: 'promotions', country: 'de' });
    const withT = await deltas('promotions', 'de', since);
    expect(await deltas('promotions', 'de', since.replace('T', ' '))).toEqual(withT);
    for (const encoded of [since.replace('T', '+'), since.replace('T', '%20')]) {
      const response = await get(simulator, token, `/resource/promotions/de/updated/lines?delta_timestamp=${encoded}`);
      expect(response.status).toBe(200);
      expect(ids((await response.text()).split('\n').filter(Boolean).map((line) => JSON.parse(line)))).toEqual(ids(withT.updated));
    }
    for (const digits of [0, 1, 3, 5]) {
      const shorter = digits === 0 ? since.slice(0, 19) : since.slice(0, 20 + digits);
      const { created, updated, deleted } = await deltas('promotions', 'de', shorter);
      expect(created.length + updated.length + deleted.length).toBeGreaterThanOrEqual(6);
    }
  });

  it('classifies base items by created_at and updated_at for an early timestamp', async () => {
    const fresh = await startSimulator({ items: 120, countries: ['de'] });
    try {
      const freshToken = await authenticate(fresh);
      const items = fresh.items('promotions', 'de');
      const since = items[40]!.created_at as string;
      const got = await Promise.all(MODES.map((mode) => lines(fresh, freshToken, delta(mode, 'promotions', 'de', since))));
      expect(ids(got[0]!)).toEqual(ids(items.filter((item) => (item.created_at as string) > since)));
      expect(ids(got[1]!)).toEqual(
        ids(items.filter((item) => (item.created_at as string) <= since && (item.updated_at as string) > since)),
      );
      expect(got[2]).toEqual([]);
      expect(ids(got[1]!).length).toBeGreaterThan(5);
      const everything = await lines(fresh, freshToken, delta('created', 'promotions', 'de', '2025-06-30 00:00:00'));
      expect(everything).toEqual(items);
    } finally {
      await fresh.stop();
    }
  });

  it('picks the same items for the same seed and the same calls', async () => {
    const [first, second] = await Promise.all([startSimulator({ items: 500 }), startSimulator({ items: 500 })]);
    try {
      const picks = async (target: Simulator) => {
        const since = target.clock();
        target.mutate({ updated: 7, deleted: 7 });
        const targetToken = await authenticate(target);
        return Promise.all(['updated', 'deleted'].map(async (mode) => ids(await lines(target, targetToken, delta(mode, 'promotions', 'de', since)))));
      };
      expect(await picks(second)).toEqual(await picks(first));
    } finally {
      await Promise.all([first.stop(), second.stop()]);
    }
  });

  it('never updates or deletes more items than are live', async () => {
    const small = await startSimulator({ items: 10 });
    try {
      const result = small.mutate({ updated: 6, deleted: 100, resource: 'promotions' });
      expect(result.totals).toEqual({ promotions: { de: 6, at: 6 }, promotion_items: { de: 10, at: 10 } });
      expect(small.mutate({ updated: 100, resource: 'promotions' }).totals.promotions).toEqual({ de: 6, at: 6 });
      expect(small.mutate({ deleted: 100, resource: 'promotions' }).totals.promotions).toEqual({ de: 0, at: 0 });
      expect(small.items('promotions', 'de')).toEqual([]);
      expect(small.mutate({ created: 2, resource: 'promotions', country: 'at' }).totals.promotions).toEqual({ de: 0, at: 2 });
      expect(small.items('promotions', 'at').map((item) => item.id)).toEqual([11, 12]);
    } finally {
      await small.stop();
    }
  });
});

describe('state', () => {
  it('reports the live items, matching the full line count before and after mutations, in both shapes', async () => {
    const payload = await startSimulator({ items: 200, stateShape: 'payload' });
    try {
      for (const [target, wrap] of [
        [simulator, (n: number) => ({ total_items: n })],
        [payload, (n: number) => ({ payload: { total_items: n } })],
      ] as const) {
        for (let round = 0; round < 2; round++) {
          const full = await lines(target, await authenticate(target), '/resource/promotion_items/at/full/lines');
          expect(await stateTotal(target, 'promotion_items', 'at')).toEqual(wrap(full.length));
          expect(target.totalItems('promotion_items', 'at')).toBe(full.length);
          target.mutate({ created: 3, updated: 1, deleted: 5 });
        }
      }
    } finally {
      await payload.stop();
    }
  });

  it('accepts an empty or an isoformat delta_timestamp and refuses one that does not parse', async () => {
    const expected = { total_items: simulator.totalItems('promotions', 'de') };
    expect(await stateTotal(simulator, 'promotions', 'de', '?delta_timestamp=')).toEqual(expected);
    expect(await stateTotal(simulator, 'promotions', 'de', '?delta_timestamp=2025-07-01T16:01:00.827904&lang=')).toEqual(expected);
    expect((await get(simulator, token, '/resource/promotions/de/state?delta_timestamp=yesterday')).status).toBe(400);
  });
});

describe('requests the simulator refuses', () => {
  it('accepts an empty lang on lines', async () => {
    const response = await get(simulator, token, '/resource/promotions/de/full/lines?lang=');
    expect(response.status).toBe(200);
    expect((await get(simulator, token, `${delta('created', 'promotions', 'de', simulator.clock())}&lang=en`)).status).toBe(200);
  });

  it('answers 400 when a delta has no, an empty or a malformed delta_timestamp', async () => {
    for (const query of ['', '?delta_timestamp=', '?delta_timestamp=2025-13-01T00:00:00', '?delta_timestamp=2025-07-01T00:00:00.1234567']) {
      const response = await get(simulator, token, `/resource/promotions/de/updated/lines${query}`);
      expect(response.status, query).toBe(400);
      expect(await response.json()).toEqual({ error: expect.stringContaining('delta_timestamp') });
    }
  });

  it('answers 404 with a JSON error for unknown service, resource, country, mode or path', async () => {
    const paths = [
      '/resource/unknown/de/full/lines',
      '/resource/promotions/fr/full/lines',
      '/resource/promotions/de/partial/lines',
      '/resource/promotions/de/full',
      '/resource/promotions/de/full/lines/more',
      '/resource/promotions',
    ];
    for (const path of paths) {
      const response = await get(simulator, token, path);
      expect(response.status, path).toBe(404);
      expect(await response.json()).toEqual({ error: expect.any(String) });
    }
    for (const url of ['/api/v1/other/resource/schema', '/api/v2/promo/resource/schema', '/nothing', '/']) {
      expect((await fetch(simulator.url + url, { headers: { authorization: token } })).status, url).toBe(404);
    }
    expect((await fetch(`${simulator.url}/api/v1/auth`)).status).toBe(404);
  });

  it('answers the mutate hook over HTTP, and 400 for a bad body', async () => {
    const response = await post(simulator, '/__simulator/mutate', { created: 1, resource: 'promotions', country: 'de' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { clock: string; totals: Record<string, Record<string, number>> };
    expect(body.clock).toBe(simulator.clock());
    expect(body.totals.promotions!.de).toBe(simulator.totalItems('promotions', 'de'));
    for (const bad of ['nope', '[]', { created: -1 }, { updated: 1.5 }, { resource: 'unknown' }, { country: 'fr' }, { create: 1 }]) {
      expect((await post(simulator, '/__simulator/mutate', bad)).status, JSON.stringify(bad)).toBe(400);
    }
  });
});
