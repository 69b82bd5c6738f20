// A delta costs what its changes cost, whatever the size of the table: its deletions look their keys
// up, with or without statistics on the stage, never reading the whole table.
import { describe, expect, it } from 'vitest';
import type { LineBatch } from '../../functions/core/api/ndjson.ts';
import { stagedColumns, stageLines } from '../../functions/core/db/copy.ts';
import { deltaStatements } from '../../functions/core/db/mirror.ts';
import { useTestDatabase } from '../support/database.ts';
import { keyAndTimes } from '../support/resources.ts';

const database = useTestDatabase();
const resource = keyAndTimes;
const ROWS = 50_000;

async function* deletedLines(ids: number[]): AsyncGenerator<LineBatch> {
  yield { first: 1, lines: ids.map((id) => JSON.stringify({ id })) };
}

describe('a delta\'s deletions', () => {
  it.each([
    { case: 'a few, from a stage without statistics (as the load steps leave it)', ids: [7, 70, 7000], analyze: false },
    { case: 'a tenth of the table, from a stage with statistics', ids: Array.from({ length: ROWS / 10 }, (_, index) => index * 10 + 1), analyze: true },
  ])('look each key up in the table, never reading it whole: $case', async ({ ids, analyze }) => {
    const { sql } = database;
    await sql.unsafe(`CREATE TABLE public.big (id bigint PRIMARY KEY, created_at timestamp, updated_at timestamp);
      INSERT INTO public.big SELECT n, '2025-01-01', '2025-01-01' FROM generate_series(1, ${ROWS}) AS n; ANALYZE public.big`);
    try {
      await stageLines(sql, 'public.deleted_stage', stagedColumns(resource, true), deletedLines(ids), 'things/de deleted lines', {});
      if (analyze) await sql.unsafe('ANALYZE public.deleted_stage');
      const statements = deltaStatements('public.big', stagedColumns(resource), () => 'public.deleted_stage');
      await sql.begin(async (transaction) => {
        await transaction.unsafe(statements.plan);
        const plan = (await transaction.unsafe<Array<{ 'QUERY PLAN': string }>>(`EXPLAIN ${statements.delete}`)).map((row) => row['QUERY PLAN']).join('\n');
        expect(plan).toContain('Index Scan using big_pkey on big t');
        expect(plan).not.toContain('Seq Scan on big');
        expect((await transaction.unsafe(statements.delete)).count).toBe(ids.length);
      });
      const [{ left, gone }] = await sql.unsafe<[{ left: number; gone: number }]>(
        `SELECT count(*)::int AS left, count(*) FILTER (WHERE id = ANY($1::bigint[]))::int AS gone FROM public.big`, [ids]);
      expect({ left, gone }).toEqual({ left: ROWS - ids.length, gone: 0 });
    } finally {
      await sql.unsafe('DROP TABLE IF EXISTS public.big, public.deleted_stage');
    }
  });
});
