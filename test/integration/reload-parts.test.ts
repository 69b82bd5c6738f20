// A full reload stages its lines in parts and finds each part's differences while the next loads:
// whatever order the keys come in, and wherever the parts end, the table becomes exactly the lines,
// or (the lines refused, or cut off) stays exactly as it was, with no stage left behind.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { splitLines, type LineBatch } from '../../functions/core/api/ndjson.ts';
import { stagedColumns } from '../../functions/core/db/copy.ts';
import { buildDbSchema } from '../../functions/core/db/ddl.ts';
import { acquireLease } from '../../functions/core/db/leases.ts';
import { reloadTable } from '../../functions/core/db/mirror.ts';
import type { Resource } from '../../functions/core/resources.ts';
import { useTestDatabase } from '../support/database.ts';

const database = useTestDatabase();
const things: Resource = {
  name: 'things',
  attributes: [
    { name: 'id', type: 'int64', primaryKey: true },
    { name: 'name', type: 'string', primaryKey: false },
    { name: 'ratio', type: 'float64', primaryKey: false },
    { name: 'created_at', type: 'time', primaryKey: false },
    { name: 'updated_at', type: 'time', primaryKey: false },
  ],
};
// A key of two columns, the first repeated across many rows: parts end inside one shop's rows.
const stock: Resource = {
  name: 'stock',
  attributes: [
    { name: 'shop', type: 'string', primaryKey: true },
    { name: 'id', type: 'int32', primaryKey: true },
    { name: 'name', type: 'string', primaryKey: false },
    { name: 'created_at', type: 'time', primaryKey: false },
    { name: 'updated_at', type: 'time', primaryKey: false },
  ],
};
const pair = (resource: string) => ({ resource, country: 'de', execution: 'test', reason: 'forced' });
// Parts of 8 lines: the lines below make 6 to 8 of them.
const PART_LINES = 8;

interface Item {
  id: number;
  shop?: string;
  name: string;
  ratio?: number;
  updated_at: string;
}

function lineOf(item: Item): string {
  return JSON.stringify({ ...item, created_at: '2025-07-01T00:00:00.000000' });
}

/** The lines as the API client yields them, a batch of one line each (so that parts can end anywhere). */
function batches(items: Item[], extra: Record<number, string> = {}): () => AsyncGenerator<LineBatch> {
  const text = items.map((item, index) => extra[index] ?? lineOf(item));
  return () => splitLines((async function* () {
    for (const line of text) yield Buffer.from(`${line}\n`);
  })());
}

/** Items 1…n, each with a name and a ratio, changed a little since `version`. */
function numbered(ids: number[], version = 0): Item[] {
  return ids.map((id) => ({ id, name: `thing ${id}${version && id % 7 === 0 ? ` v${version}` : ''}`, ratio: id / 4, updated_at: `2025-07-0${1 + (id % 3)}T00:00:00.000000` }));
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => from + index);

async function table(name: string, key: string): Promise<readonly unknown[]> {
  return database.sql.unsafe(`SELECT to_jsonb(t) - 'created_at' AS row FROM focus_de.${name} t ORDER BY ${key}`);
}

async function insert(table: string, items: Item[]): Promise<void> {
  await database.sql.unsafe(`INSERT INTO ${table} SELECT * FROM jsonb_populate_recordset(NULL::${table}, $1::jsonb)`,
    [items.map((item) => ({ ...item, created_at: '2025-07-01T00:00:00' })) as never]);
}

async function fill(name: string, items: Item[]): Promise<void> {
  await database.sql.unsafe(`TRUNCATE focus_de.${name}`);
  await insert(`focus_de.${name}`, items);
}

/** What the table would hold had it been loaded from these items alone. */
async function expected(name: string, key: string, items: Item[]): Promise<readonly unknown[]> {
  await database.sql.unsafe(`DROP TABLE IF EXISTS public.${name}; CREATE TABLE public.${name} (LIKE focus_de.${name})`);
  await insert(`public.${name}`, items);
  return database.sql.unsafe(`SELECT to_jsonb(t) - 'created_at' AS row FROM public.${name} t ORDER BY ${key}`);
}

async function stagesLeft(): Promise<string[]> {
  const left = await database.sql<Array<{ name: string }>>`SELECT relname AS name FROM pg_class WHERE relkind = 'r' AND relname LIKE 'stage\_%' ORDER BY 1`;
  return left.map(({ name }) => name);
}

async function state(): Promise<readonly unknown[]> {
  return database.sql`SELECT resource, watermark::text FROM focus_sync.state ORDER BY 1`;
}

beforeAll(async () => {
  await buildDbSchema(database.sql, [things, stock], ['de'], 'focus_');
  for (const resource of ['things', 'stock']) expect(await acquireLease(database.sql, pair(resource), { seconds: 600, waitMs: 0 })).toEqual({ acquired: true });
});

beforeEach(async () => {
  await database.sql`DELETE FROM focus_sync.state`;
});

describe('a full reload in parts', () => {
  // The table: 0…60 and 70; the lines: 1…64 but 9, 16, 17 and 40 (removed at and between the parts'
  // ends, before the first line and after the last), the sevens changed, 61…64 added.
  const before = numbered([...range(0, 60), 70]);
  const after = numbered(range(1, 64).filter((id) => ![9, 16, 17, 40].includes(id)), 2);

  it('with the keys in order, finds each part\'s differences while the next loads, and makes the table the lines', async () => {
    await fill('things', before);
    const unchanged = await database.sql`SELECT id, xmin::text FROM focus_de.things WHERE id IN (1, 2, 60) ORDER BY id`;
    const read = batches(after);
    let behind: unknown;
    // Before the last line: the parts so far are staged, and differences are already found.
    async function* watched(): AsyncGenerator<LineBatch> {
      const all: LineBatch[] = [];
      for await (const batch of read()) all.push(batch);
      for (const [index, batch] of all.entries()) {
        if (index === all.length - 1) {
          for (let waited = 0; waited < 100 && behind === undefined; waited += 1) {
            const [found] = await database.sql.unsafe<[{ rows: string }?]>(`SELECT (SELECT count(*) FROM focus_sync.${(await stagesLeft()).find((name) => name.endsWith('_differences'))}) AS rows`);
            if (Number(found?.rows) > 0) behind = { stages: (await stagesLeft()).length, differences: Number(found!.rows) };
            else await new Promise((resolve) => setTimeout(resolve, 50));
          }
        }
        yield batch;
      }
    }

    const result = await reloadTable(database.sql, 'focus_de.things', stagedColumns(things), watched(), pair('things'), { again: read, partLines: PART_LINES });

    expect(result).toEqual({ loaded: 60, added: 4, changed: 8, removed: 6, watermark: '2025-07-03T00:00:00.000000' });
    // Seven full parts staged, with the differences table; the differences of the first parts found.
    expect(behind).toMatchObject({ stages: 8 });
    expect((behind as { differences: number }).differences).toBeGreaterThan(0);
    expect(await table('things', 'id')).toEqual(await expected('things', 'id', after));
    expect(await database.sql`SELECT id, xmin::text FROM focus_de.things WHERE id IN (1, 2, 60) ORDER BY id`).toEqual(unchanged);
    expect(await stagesLeft()).toEqual([]);
    expect(await state()).toEqual([{ resource: 'things', watermark: '2025-07-03 00:00:00' }]);
  });

  it('with the keys in no order, finds the same differences once every part has loaded', async () => {
    await fill('things', before);
    const shuffled = [...after].sort((a, b) => ((a.id * 37) % 61) - ((b.id * 37) % 61));
    const result = await reloadTable(database.sql, 'focus_de.things', stagedColumns(things), batches(shuffled)(), pair('things'), { again: batches(shuffled), partLines: PART_LINES });
    expect(result).toEqual({ loaded: 60, added: 4, changed: 8, removed: 6, watermark: '2025-07-03T00:00:00.000000' });
    expect(await table('things', 'id')).toEqual(await expected('things', 'id', after));
    expect(await stagesLeft()).toEqual([]);
  });

  it('with a key of two columns, parts ending inside a run of its first, makes the table the lines', async () => {
    const rows = (version: number, ids: number[]) => ['a', 'b', 'c'].flatMap((shop) => numbered(ids, version).map(({ ratio: _, ...item }) => ({ ...item, shop })));
    const old = rows(0, range(1, 12));
    const lines = rows(3, range(2, 13)).filter((item) => !(item.shop === 'b' && item.id === 5));
    await fill('stock', old);
    const result = await reloadTable(database.sql, 'focus_de.stock', stagedColumns(stock), batches(lines)(), pair('stock'), { again: batches(lines), partLines: 5 });
    expect(result).toMatchObject({ loaded: 35, added: 3, changed: 3, removed: 4 });
    expect(await table('stock', 'shop, id')).toEqual(await expected('stock', 'shop, id', lines));
    expect(await stagesLeft()).toEqual([]);
  });

  it('loads the lines again as text when a later part has a line the binary load leaves, and makes the table the lines', async () => {
    await fill('things', before);
    // A float written with an exponent is left to the JavaScript encoders, in the fifth part.
    const unusual = { 35: lineOf(after[35]!).replace(/"ratio":[0-9.]+/, `"ratio":${after[35]!.ratio! * 100}e-2`) };
    const result = await reloadTable(database.sql, 'focus_de.things', stagedColumns(things), batches(after, unusual)(), pair('things'), { again: batches(after, unusual), partLines: PART_LINES });
    expect(result).toEqual({ loaded: 60, added: 4, changed: 8, removed: 6, watermark: '2025-07-03T00:00:00.000000' });
    expect(await table('things', 'id')).toEqual(await expected('things', 'id', after));
    expect(await stagesLeft()).toEqual([]);
  });

  it('refuses a key sent twice, in one part, in two parts next to each other, or far apart, and leaves the table, its watermark and no stage', async () => {
    await fill('things', before);
    const table0 = await table('things', 'id');
    for (const [twice, at] of [[3, 5], [8, 8], [2, 50]] as const) {
      // The key `twice` again as line `at` + 1 (parts of 8: line 9 opens the second part, after the 8 that ended the first).
      const lines = [...after.slice(0, at), after.find((item) => item.id === twice)!, ...after.slice(at)];
      const reload = reloadTable(database.sql, 'focus_de.things', stagedColumns(things), batches(lines)(), pair('things'), { again: batches(lines), partLines: PART_LINES });
      await expect(reload).rejects.toMatchObject({ name: 'InvalidLine' });
      await expect(reload).rejects.toThrow(`things/de full lines: the API sent the key (id)=(${twice}) more than once; nothing of this load was applied`);
      expect(await table('things', 'id')).toEqual(table0);
      expect(await state()).toEqual([]);
      expect(await stagesLeft()).toEqual([]);
    }
  });

  it('cut off in its fourth part, leaves the table and its watermark as they were and no stage', async () => {
    await fill('things', before);
    const table0 = await table('things', 'id');
    async function* cut(): AsyncGenerator<LineBatch> {
      let count = 0;
      for await (const batch of batches(after)()) {
        if ((count += 1) > 28) throw new Error('the API closed the connection');
        yield batch;
      }
    }
    await expect(reloadTable(database.sql, 'focus_de.things', stagedColumns(things), cut(), pair('things'), { again: cut, partLines: PART_LINES }))
      .rejects.toThrow(/the API closed the connection/);
    expect(await table('things', 'id')).toEqual(table0);
    expect(await state()).toEqual([]);
    expect(await stagesLeft()).toEqual([]);
  });

  it('holds the table against other writers from its first part (readers go on), so that what it found still differs when it applies', async () => {
    await fill('things', before);
    const read = batches(after);
    const seen: Array<{ rows: number } | string> = [];
    async function* probing(): AsyncGenerator<LineBatch> {
      let count = 0;
      for await (const batch of read()) {
        if ((count += 1) === 20) {
          const [{ rows }] = await database.sql<[{ rows: number }]>`SELECT count(*)::int AS rows FROM focus_de.things`;
          seen.push({ rows });
          const write = database.sql.begin(async (transaction) => {
            await transaction`SET LOCAL lock_timeout = '200ms'`;
            await transaction`DELETE FROM focus_de.things WHERE id = 30`;
          });
          seen.push(await write.then(() => 'written', (error: Error) => error.message));
        }
        yield batch;
      }
    }
    await reloadTable(database.sql, 'focus_de.things', stagedColumns(things), probing(), pair('things'), { again: read, partLines: PART_LINES });
    expect(seen).toEqual([{ rows: 62 }, 'canceling statement due to lock timeout']);
    expect(await table('things', 'id')).toEqual(await expected('things', 'id', after));
  });
});
