import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSchema, startSimulator, type SchemaDocument, type Simulator } from '../../simulator/index.ts';
import { ALL_TYPES, authenticate, get, lines, WIRE_TIMESTAMP } from './api.ts';

const TWO_TO_53 = 2n ** 53n;
let simulator: Simulator;
let token: string;

beforeAll(async () => {
  simulator = await startSimulator({ items: 1500 });
  token = await authenticate(simulator);
});

afterAll(() => simulator.stop());

async function fullText(target: Simulator, resource: string, country = 'de'): Promise<string> {
  const response = await get(target, await authenticate(target), `/resource/${resource}/${country}/full/lines`);
  expect(response.status).toBe(200);
  return response.text();
}

function columns(resource: string): Array<[string, { primary_key: boolean; foreign_key: boolean; type: string }]> {
  return defaultSchema().resources[resource]!.attributes.map((entry) => Object.entries(entry)[0]!);
}

describe('schema', () => {
  it('serves the schema document in the API format', async () => {
    const response = await get(simulator, token, '/resource/schema');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(defaultSchema());
  });

  it('uses every type of the contract, with some names in mixed case', () => {
    const types = Object.values(defaultSchema().resources).flatMap((resource) =>
      resource.attributes.map((entry) => Object.values(entry)[0]!.type),
    );
    expect(new Set(types.map((type) => type.toLowerCase()))).toEqual(new Set(ALL_TYPES));
    expect(types.some((type) => type !== type.toLowerCase())).toBe(true);
  });

  it('gives every resource an id key, created_at and updated_at', () => {
    for (const resource of Object.keys(defaultSchema().resources)) {
      const names = columns(resource).map(([name]) => name);
      expect(names).toEqual(expect.arrayContaining(['id', 'created_at', 'updated_at']));
      expect(columns(resource).find(([name]) => name === 'id')![1].primary_key).toBe(true);
    }
  });
});

describe('full lines', () => {
  it('streams NDJSON, one valid JSON object per line, keys in attribute order', async () => {
    for (const resource of ['promotions', 'promotion_items']) {
      const response = await get(simulator, token, `/resource/${resource}/de/full/lines`);
      expect(response.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
      const text = await response.text();
      expect(text.endsWith('}\n')).toBe(true);
      const rows = text.slice(0, -1).split('\n');
      expect(rows).toHaveLength(1500);
      const names = columns(resource).map(([name]) => name);
      for (const row of rows) expect(Object.keys(JSON.parse(row))).toEqual(names);
    }
  });

  it('serves items 1..N in id order', async () => {
    const items = await lines(simulator, token, '/resource/promotions/at/full/lines');
    expect(items.map((item) => item.id)).toEqual(Array.from({ length: 1500 }, (_, i) => i + 1));
  });

  it('is the same for the same seed and different for another seed or country', async () => {
    const [same, other] = await Promise.all([startSimulator({ items: 1500 }), startSimulator({ items: 1500, seed: 7 })]);
    try {
      const text = await fullText(simulator, 'promotion_items');
      expect(await fullText(same, 'promotion_items')).toBe(text);
      expect(await fullText(other, 'promotion_items')).not.toBe(text);
      expect(await fullText(simulator, 'promotion_items', 'at')).not.toBe(text);
    } finally {
      await Promise.all([same.stop(), other.stop()]);
    }
  });

  it('matches what items() returns', async () => {
    expect(await lines(simulator, token, '/resource/promotions/de/full/lines')).toEqual(simulator.items('promotions', 'de'));
  });

  it('round-trips quotes, backslashes, control characters and unicode through JSON', async () => {
    const text = await fullText(simulator, 'promotions');
    expect(text).not.toContain('\u0000');
    const strings: string[] = [];
    for (const row of text.slice(0, -1).split('\n')) {
      const item = JSON.parse(row) as Record<string, unknown>;
      expect(JSON.stringify(item)).toBe(row);
      for (const value of [item.name, item.description, ...((item.tags as string[] | null) ?? [])]) {
        if (typeof value === 'string') strings.push(value);
      }
    }
    for (const special of ['"', "'", '\\', '\n', '\t', '\r', 'é', 'ß']) {
      expect(strings.some((value) => value.includes(special)), JSON.stringify(special)).toBe(true);
    }
    expect(strings.some((value) => /\p{Script=Han}/u.test(value))).toBe(true);
    expect(strings.some((value) => /\p{Extended_Pictographic}/u.test(value))).toBe(true);
    expect(strings).toContain('');
  });

  it('writes int64 values beyond 2^53 as their exact digits', async () => {
    const text = await fullText(simulator, 'promotion_items');
    const digits = [...text.matchAll(/"external_ref":(-?\d+)/g)].map((match) => match[1]!);
    const big = digits.filter((value) => BigInt(value) > TWO_TO_53);
    expect(big.length).toBeGreaterThan(100);
    expect(big.every((value) => BigInt(value) < 2n ** 63n)).toBe(true);
    expect(big.some((value) => !Number.isSafeInteger(Number(value)) && String(Number(value)) !== value)).toBe(true);
    const fromItems = simulator.items('promotion_items', 'de').map((item) => item.external_ref);
    expect(fromItems.filter((value) => typeof value === 'string')).toEqual(big);
  });

  it('gives groups of items the exact same created_at and updated_at', () => {
    const items = simulator.items('promotions', 'de');
    const repeated = (key: string) => {
      const counts = new Map<unknown, number>();
      for (const item of items) counts.set(item[key], (counts.get(item[key]) ?? 0) + 1);
      return [...counts.values()].filter((count) => count > 1).length;
    };
    expect(repeated('created_at')).toBeGreaterThan(100);
    expect(repeated('updated_at')).toBeGreaterThan(100);
    const created = items.map((item) => item.created_at as string);
    expect(created).toEqual([...created].sort());
    expect(items.some((item) => item.updated_at === item.created_at)).toBe(true);
    expect(items.some((item) => (item.updated_at as string) > (item.created_at as string))).toBe(true);
    expect(items.every((item) => (item.updated_at as string) >= (item.created_at as string))).toBe(true);
    expect(items.every((item) => (item.updated_at as string) < simulator.clock())).toBe(true);
    expect(created[0]!.startsWith('2025-07-01T00:00:0')).toBe(true);
  });

  it('writes every type in its wire form', () => {
    const seen = new Map<string, unknown[]>();
    for (const resource of ['promotions', 'promotion_items']) {
      const items = simulator.items(resource, 'de');
      for (const [name, spec] of columns(resource)) {
        const values = items.map((item) => item[name]);
        seen.set(spec.type.toLowerCase(), values.filter((value) => value !== null));
        if (spec.primary_key || name === 'created_at' || name === 'updated_at') {
          expect(values.every((value) => value !== null), name).toBe(true);
        } else {
          const nulls = values.filter((value) => value === null).length / values.length;
          expect(nulls, name).toBeGreaterThan(0.05);
          expect(nulls, name).toBeLessThan(0.15);
        }
      }
    }
    const all = <T>(type: string, check: (value: T) => boolean) =>
      expect((seen.get(type) as T[]).filter((value) => !check(value)), type).toEqual([]);
    const inRange = (bits: number) => (value: number) => Number.isInteger(value) && Math.abs(value) <= 2 ** (bits - 1);
    all('int32', inRange(32));
    all('int', inRange(32));
    all('int16', inRange(16));
    all('database.nullint16', inRange(16));
    all('float64', (value: number) => Number.isFinite(value));
    expect((seen.get('float64') as number[]).some((value) => Math.fround(value) !== value)).toBe(true);
    all('float32', (value: number) => Number.isFinite(value) && Math.fround(value) === value);
    all('uuid', (value: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(value));
    all('time', (value: string) => WIRE_TIMESTAMP.test(value));
    all('datetime', (value: string) => WIRE_TIMESTAMP.test(value));
    all('date', (value: string) => /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value)));
    all('[]string', (value: unknown) => Array.isArray(value) && value.length <= 3 && value.every((e) => typeof e === 'string'));
    expect((seen.get('[]string') as string[][]).filter((value) => value.length === 0).length).toBeGreaterThan(100);
    all('bytes', (value: string) => Buffer.from(value, 'base64').toString('base64') === value && Buffer.from(value, 'base64').length <= 32);
    all('bool', (value: unknown) => typeof value === 'boolean');
    const json = seen.get('json')!;
    expect(json.some((value) => typeof value === 'object' && !Array.isArray(value))).toBe(true);
    expect(json.some((value) => Array.isArray(value))).toBe(true);
    expect(json.some((value) => typeof value !== 'object')).toBe(true);
  });

  it('points foreign keys at existing ids', () => {
    const ids = simulator.items('promotion_items', 'de').map((item) => item.promotion_id).filter((id) => id !== null);
    expect(ids.every((id) => Number.isInteger(id) && (id as number) >= 1 && (id as number) <= 1500)).toBe(true);
  });
});

describe('a schema of its own', () => {
  const custom: SchemaDocument = {
    resources: {
      'Aktionen & Rabatte': {
        allowedQueryModes: ['full'],
        attributes: [
          { code: { primary_key: true, foreign_key: false, type: 'String' } },
          { ref: { primary_key: false, foreign_key: false, type: 'UUID' } },
          { shape: { primary_key: false, foreign_key: false, type: 'geometry' } },
          { created_at: { primary_key: false, foreign_key: false, type: 'datetime' } },
          { updated_at: { primary_key: false, foreign_key: false, type: 'datetime' } },
        ],
      },
    },
  };

  it('serves any schema, unique string keys and unknown types as strings', async () => {
    const own = await startSimulator({ items: 50, schema: custom, countries: ['de-CH'] });
    try {
      const ownToken = await authenticate(own);
      expect(await (await get(own, ownToken, '/resource/schema')).json()).toEqual(custom);
      const items = await lines(own, ownToken, `/resource/${encodeURIComponent('Aktionen & Rabatte')}/de-CH/full/lines`);
      expect(items).toHaveLength(50);
      expect(new Set(items.map((item) => item.code)).size).toBe(50);
      expect(items.every((item) => item.shape === null || typeof item.shape === 'string')).toBe(true);
      expect(Object.keys(items[0]!)).toEqual(['code', 'ref', 'shape', 'created_at', 'updated_at']);
    } finally {
      await own.stop();
    }
  });

  it('refuses a resource without created_at or updated_at, naming it', async () => {
    const broken = structuredClone(custom);
    broken.resources['Aktionen & Rabatte']!.attributes.splice(3, 1);
    await expect(startSimulator({ schema: broken })).rejects.toThrow(/Aktionen & Rabatte.*created_at/);
  });

  it('refuses unknown options and impossible values', async () => {
    await expect(startSimulator({ itmes: 5 } as never)).rejects.toThrow(/itmes/);
    await expect(startSimulator({ items: -1 })).rejects.toThrow(/items/);
    await expect(startSimulator({ countries: [] })).rejects.toThrow(/countries/);
  });
});
