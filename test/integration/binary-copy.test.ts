// COPY's binary format, which a load takes where the transcoder takes every column: PostgreSQL
// then holds what a text load of the same lines gives it, value for value (floats to the bit,
// timestamps to the microsecond, arrays, bytes, jsonb); and a line the binary encoder cannot take
// sends the whole load back to text, with the text load's rows or error.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FocusApi } from '../../functions/core/api/client.ts';
import { splitLines, type LineBatch } from '../../functions/core/api/ndjson.ts';
import { copyLines, stagedColumns, type StagedColumn } from '../../functions/core/db/copy.ts';
import { quoteIdentifier } from '../../functions/core/db/identifiers.ts';
import { resourcesFromSchema } from '../../functions/core/resources.ts';
import { startSimulator, type Simulator } from '../../simulator/index.ts';
import { useTestDatabase } from '../support/database.ts';
import { columns, EDGES, line, resource } from '../support/lines.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../statemachine/local/npm-scripts.ts';

const database = useTestDatabase();

async function* received(text: string): AsyncGenerator<LineBatch> {
  yield* splitLines((async function* () { yield Buffer.from(text); })());
}

interface Outcome {
  rows?: string[];
  error?: string;
  /** Whether the lines were read a second time (the load went back to text). */
  readAgain: boolean;
}

/**
 * The lines loaded into a fresh table of these columns: by copyLines as loads call it (binary
 * where it can, able to read the lines again), or in text only; then every row as PostgreSQL
 * prints it, which tells apart all a column can hold (a float's every bit, -0 included).
 * `fresh`: the table is created in the loading transaction, as a stage is (its rows go in frozen).
 */
async function load(table: string, of: StagedColumn[], lines: () => AsyncIterable<LineBatch>, binary: boolean, fresh = false): Promise<Outcome> {
  const definitions = of.map((column) => `${quoteIdentifier(column.name)} ${column.sqlType}`).join(', ');
  const create = `DROP TABLE IF EXISTS ${table}; CREATE TABLE ${table} (${definitions})`;
  if (!fresh) await database.sql.unsafe(create);
  let readAgain = false;
  const again = () => {
    readAgain = true;
    return lines();
  };
  try {
    await database.sql.begin(async (transaction) => {
      if (fresh) await transaction.unsafe(create);
      await copyLines(transaction, table, of, lines(), 'things/de full lines', { ...(binary ? { again } : {}), fresh });
    });
    const rows = await database.sql.unsafe<Array<{ row: string }>>(`SELECT t::text AS row FROM ${table} t ORDER BY 1`);
    return { rows: rows.map(({ row }) => row), readAgain };
  } catch (error) {
    // The two loads go to tables of their own: the error names the one.
    return { error: `${(error as Error).name}: ${(error as Error).message.replace(table, 'the table')}`, readAgain };
  }
}

describe('a load in COPY\'s binary format', () => {
  it('gives PostgreSQL what the text load gives it, for any lines; or goes back to text, with its rows or its error', async () => {
    let binaryLoads = 0;
    await fc.assert(fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 6 }), async (lines) => {
      const text = `${lines.join('\n')}\n`;
      const binary = await load('public.binary_rows', columns, () => received(text), true, true);
      const reference = await load('public.text_rows', columns, () => received(text), false);
      expect({ ...binary, readAgain: false }).toEqual(reference);
      if (!binary.readAgain) binaryLoads += 1;
    }), { numRuns: 150 });
    // Most generated lines are valid: if none of the loads stayed binary, this checked text against text.
    expect(binaryLoads).toBeGreaterThan(20);
  });

  it('reads the lines again and loads them as text when one needs the JavaScript encoders, and fails at once on one they refuse', async () => {
    const unusual = '{"id":1,"ratio":1.5}\n{"id":2,"ratio":1e3,"name":"two"}\n';
    // Into a table made before the load (as a first load's), and into one its transaction makes (as a stage).
    for (const fresh of [false, true]) {
      const loaded = await load('public.binary_rows', columns, () => received(unusual), true, fresh);
      expect(loaded.readAgain).toBe(true);
      expect({ ...loaded, readAgain: false }).toEqual(await load('public.text_rows', columns, () => received(unusual), false));
      expect(loaded.rows).toHaveLength(2);
    }
    const broken = await load('public.binary_rows', columns, () => received('{"id":1}\n{"id":2,"ratio":"x"}\n'), true);
    expect(broken).toEqual({ error: expect.stringMatching(/^InvalidLine: things\/de full lines, line 2/), readAgain: false });
  });

  it('takes, or leaves to text, each value at or beyond the edge of its column as the text load reads it', async () => {
    const lines = resource.attributes.filter((attribute) => !attribute.primaryKey)
      .flatMap((attribute) => EDGES[attribute.type.toLowerCase()]!.map((edge) => `{"id":1,${JSON.stringify(attribute.name)}:${edge}}`));
    for (const text of lines) {
      const binary = await load('public.binary_rows', columns, () => received(text), true);
      expect({ ...binary, readAgain: false }, text).toEqual(await load('public.text_rows', columns, () => received(text), false));
    }
  });
});

describe('the benchmark\'s resources, every API type among them', () => {
  const simulators: Simulator[] = [];
  afterAll(async () => {
    await Promise.all(simulators.map((simulator) => simulator.stop()));
  });

  for (const file of ['bench/schema.json', 'bench/every-type.json']) {
    let api: FocusApi;
    let schema: unknown;
    beforeAll(async () => {
      schema = JSON.parse(readFileSync(join(ROOT, file), 'utf8'));
      const simulator = await startSimulator({ items: 2000, seed: 29, schema: schema as never });
      simulators.push(simulator);
      api = new FocusApi({ url: simulator.url, version: '1', businessService: simulator.options.businessService, lang: undefined, username: simulator.options.username, password: simulator.options.password });
    });

    it(`load entirely in binary, with the text load's rows (${file})`, async () => {
      for (const resource of resourcesFromSchema(schema as never)) {
        const of = stagedColumns(resource);
        const lines = () => api.lines(resource.name, 'de', 'full');
        const binary = await load('public.binary_rows', of, lines, true);
        expect(binary.readAgain).toBe(false);
        expect(binary.rows).toHaveLength(2000);
        expect(binary).toEqual(await load('public.text_rows', of, lines, false));
      }
    });
  }
});
