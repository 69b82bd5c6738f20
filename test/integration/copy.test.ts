// A value PostgreSQL refuses during COPY is reported by API line and column, not by COPY row; a
// load keeps its connection to itself; a failed full load into an empty table leaves it empty.
import { describe, expect, it } from 'vitest';
import type { LineBatch } from '../../functions/core/api/ndjson.ts';
import { stageLines, stagedColumns } from '../../functions/core/db/copy.ts';
import { connect } from '../../functions/core/db/connection.ts';
import { buildDbSchema } from '../../functions/core/db/ddl.ts';
import { acquireLease } from '../../functions/core/db/leases.ts';
import { loadEmptyTable } from '../../functions/core/db/mirror.ts';
import type { Resource } from '../../functions/core/resources.ts';
import { useTestDatabase } from '../support/database.ts';

const database = useTestDatabase();
const resource: Resource = {
  name: 'things',
  attributes: [
    { name: 'id', type: 'int64', primaryKey: true },
    { name: 'valid_from', type: 'date', primaryKey: false },
    { name: 'created_at', type: 'time', primaryKey: false },
    { name: 'updated_at', type: 'time', primaryKey: false },
  ],
};

/** The lines as the API client yields them: in batches (here of two), blank lines included. */
async function* numbered(lines: string[]): AsyncGenerator<LineBatch> {
  for (let index = 0; index < lines.length; index += 2) yield { first: index + 1, lines: lines.slice(index, index + 2) };
}

describe('stageLines', () => {
  it('names the API line and column of a value PostgreSQL refuses, counting the blank lines it skipped', async () => {
    const lines = ['{"id":1,"valid_from":"2025-02-28"}', '', '', '{"id":2,"valid_from":"2025-03-01"}', '{"id":3,"valid_from":"2025-02-30"}'];
    const staging = stageLines(database.sql, 'public.staged', stagedColumns(resource), numbered(lines), 'things/de full lines', {});
    await expect(staging).rejects.toMatchObject({ name: 'InvalidLine' });
    await expect(staging).rejects.toThrow(/^things\/de full lines, line 5, column "valid_from": PostgreSQL refused the value \(date\/time field value out of range: "2025-02-30"\)/);
  });

  it('names the line of a value that does not fit its column before PostgreSQL sees it', async () => {
    const lines = ['{"id":1,"valid_from":"2025-02-28"}', '{"id":"two","valid_from":null}'];
    await expect(stageLines(database.sql, 'public.staged', stagedColumns(resource), numbered(lines), 'things/de full lines', {}))
      .rejects.toThrow('things/de full lines, line 2, column "id": expected a 64-bit integer, got "two"; nothing of this load was applied');
  });

  it('names the line of an integer column given a number it cannot hold exactly, also as a key sent twice', async () => {
    // JSON.parse makes 1e30 an integer beyond 2^53: the exact parse that follows must refuse it too, by name.
    for (const line of ['{"id":1e30}', '{"id":0,"id":3.4028235e38}']) {
      await expect(stageLines(database.sql, 'public.staged', stagedColumns(resource), numbered([line]), 'things/de full lines', {}))
        .rejects.toThrow(/^things\/de full lines, line 1, column "id": expected an integer it can hold, got /);
    }
  });
});

describe('a keyed stage (a full reload\'s)', () => {
  it('refuses a key the API sent twice, naming it, and leaves no stage', async () => {
    const lines = ['{"id":1}', '{"id":2}', '{"id":1}'];
    const load = stageLines(database.sql, 'public.staged', stagedColumns(resource), numbered(lines), 'things/de full lines', {}, { keyed: true });
    await expect(load).rejects.toMatchObject({ name: 'InvalidLine' });
    await expect(load).rejects.toThrow('things/de full lines: the API sent the key (id)=(1) more than once; nothing of this load was applied');
    expect(await database.sql`SELECT to_regclass('public.staged') AS stage`).toEqual([{ stage: null }]);
  });

  it('holds the lines under the resource\'s primary key', async () => {
    expect(await stageLines(database.sql, 'public.staged', stagedColumns(resource), numbered(['{"id":2}', '{"id":1}']), 'things/de full lines', {}, { keyed: true })).toBe(2);
    expect(await database.sql`SELECT a.attname AS key FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey) WHERE i.indrelid = 'public.staged'::regclass AND i.indisprimary`).toEqual([{ key: 'id' }]);
    expect(await database.sql`SELECT id FROM public.staged ORDER BY id`).toEqual([{ id: '1' }, { id: '2' }]);
  });
});

describe('a load holding the only connection of its pool', () => {
  it('makes another query of the process wait for it, where postgres.js would send that query into the COPY and fail it', async () => {
    const pool = connect(database.url, { max: 1 });
    try {
      let copying!: () => void;
      const started = new Promise<void>((resolve) => { copying = resolve; });
      let resume!: () => void;
      const paused = new Promise<void>((resolve) => { resume = resolve; });
      async function* pausing(): AsyncGenerator<LineBatch> {
        yield { first: 1, lines: ['{"id":1,"valid_from":"2025-02-28"}'] };
        copying();
        await paused;
        yield { first: 2, lines: ['{"id":2,"valid_from":"2025-03-01"}'] };
      }
      const staging = stageLines(pool, 'public.staged', stagedColumns(resource), pausing(), 'things/de full lines', {});
      await started;
      const other = pool`SELECT count(*)::int AS rows FROM public.staged`.execute();
      await new Promise((resolve) => setImmediate(resolve));
      resume();
      expect(await staging).toBe(2);
      expect(await other).toEqual([{ rows: 2 }]);
    } finally {
      await pool.end();
    }
  });
});

describe('a full load into an empty table', () => {
  it('fails on a key the API sent twice, naming the line, and leaves the table empty and the connection usable', async () => {
    await buildDbSchema(database.sql, [resource], ['de'], 'focus_');
    expect(await acquireLease(database.sql, { resource: 'things', country: 'de', execution: 'test' }, { seconds: 60, waitMs: 0 })).toEqual({ acquired: true });
    const lines = ['{"id":1,"created_at":"2025-07-01T00:00:00.000001","updated_at":"2025-07-01T00:00:00.000001"}', '{"id":1,"created_at":"2025-07-01T00:00:00.000002","updated_at":"2025-07-01T00:00:00.000002"}'];
    const load = loadEmptyTable(database.sql, '"focus_de"."things"', stagedColumns(resource), numbered(lines), { resource: 'things', country: 'de', execution: 'test' });
    await expect(load).rejects.toMatchObject({ name: 'InvalidLine' });
    await expect(load).rejects.toThrow(/things\/de full lines, line 2: PostgreSQL refused the value \(duplicate key value violates unique constraint/);
    expect(await database.sql`SELECT count(*)::int AS rows FROM focus_de.things`).toEqual([{ rows: 0 }]);
    expect(await database.sql`SELECT * FROM focus_sync.state`).toEqual([]);
  });
});
