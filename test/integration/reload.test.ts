// A full reload compares values exactly, type by type: a value that PostgreSQL's own equality
// calls equal but that reads back differently (jsonb 1 and 1.0, float 0 and -0) is a change.
import { describe, expect, it } from 'vitest';
import { stagedColumns } from '../../functions/core/db/copy.ts';
import { buildDbSchema } from '../../functions/core/db/ddl.ts';
import { stagingTable } from '../../functions/core/db/identifiers.ts';
import { acquireLease } from '../../functions/core/db/leases.ts';
import { replaceWithStaged } from '../../functions/core/db/mirror.ts';
import type { Resource } from '../../functions/core/resources.ts';
import { useTestDatabase } from '../support/database.ts';

const database = useTestDatabase();
const TYPES = ['int64', 'int32', 'int16', 'database.nullint16', 'string', 'float64', 'float32', 'uuid', 'datetime', 'date', '[]string', 'bytes', 'bool', 'json'];
const resource: Resource = {
  name: 'every_type',
  attributes: [
    { name: 'id', type: 'int64', primaryKey: true },
    ...TYPES.map((type, index) => ({ name: `c${index}`, type, primaryKey: false })),
    { name: 'created_at', type: 'time', primaryKey: false },
    { name: 'updated_at', type: 'time', primaryKey: false },
  ],
};
const pair = { resource: 'every_type', country: 'de', execution: 'test', reason: 'forced' };
const TABLE = 'focus_de.every_type';
const COLUMNS = `c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, created_at, updated_at`;
// One row of every type; each test row below changes one column of it.
const BASE = `9007199254740993, -2147483648, 32767, NULL, 'käse\\tbrot', 0.1, 0.5, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2025-07-01 16:01:00.827904', '2025-07-01', '{a,"b c",NULL}', '\\x00ff', true, '{"a": [1, {"b": "x"}]}', '2025-07-01 00:00:00', '2025-07-01 00:00:00'`;

async function rows(table: string): Promise<string[]> {
  const found = await database.sql.unsafe<Array<{ row: string }>>(`SELECT (id, ${COLUMNS})::text AS row FROM ${table} ORDER BY id`);
  return found.map(({ row }) => row);
}

describe('a full reload of a table with a column of every type', () => {
  it('counts as changed exactly the rows whose values read back differently, and makes the table read back as staged', async () => {
    await buildDbSchema(database.sql, [resource], ['de'], 'focus_');
    expect(await acquireLease(database.sql, pair, { seconds: 60, waitMs: 0 })).toEqual({ acquired: true });
    const stage = stagingTable(pair.execution, pair.resource, pair.country, 'full');
    await database.sql.unsafe(`CREATE TABLE ${stage} (LIKE ${TABLE} INCLUDING ALL)`);
    const table = [1, 2, 3, 4, 5, 6, 7, 8, 9, 11].map((id) => `(${id}, ${BASE})`);
    await database.sql.unsafe(`INSERT INTO ${TABLE} (id, ${COLUMNS}) VALUES ${table.join(', ')}`);
    // Zeros that stay zeros, and NULLs, are not changes; a zero that comes back as -0 is.
    await database.sql.unsafe(`UPDATE ${TABLE} SET c5 = 0, c6 = 0 WHERE id IN (3, 8, 11); UPDATE ${TABLE} SET c5 = NULL, c6 = NULL WHERE id = 1`);
    await database.sql.unsafe(`UPDATE ${TABLE} SET c13 = '{"n": 1}' WHERE id = 4`);
    await database.sql.unsafe(`INSERT INTO ${stage} (id, ${COLUMNS}) SELECT id, ${COLUMNS} FROM ${TABLE} WHERE id <> 9`);
    await database.sql.unsafe(`
      UPDATE ${stage} SET c3 = 7 WHERE id = 2;
      UPDATE ${stage} SET c5 = '-0' WHERE id = 3;
      UPDATE ${stage} SET c6 = '-0' WHERE id = 11;
      UPDATE ${stage} SET c13 = '{"n": 1.0}' WHERE id = 4;
      UPDATE ${stage} SET c10 = '{a,"b c"}' WHERE id = 5;
      UPDATE ${stage} SET c11 = '\\x00fe', c4 = 'käse\\nbrot' WHERE id = 6;
      UPDATE ${stage} SET c0 = 9007199254740992 WHERE id = 7;
      INSERT INTO ${stage} (id, ${COLUMNS}) VALUES (10, ${BASE})`);
    const staged = await rows(stage);
    const versions = await database.sql.unsafe(`SELECT id, xmin::text FROM ${TABLE} WHERE id IN (1, 8) ORDER BY id`);

    const result = await replaceWithStaged(database.sql, TABLE, stagedColumns(resource), pair, 10);

    expect(result).toMatchObject({ added: 1, changed: 7, removed: 1, watermark: '2025-07-01T00:00:00.000000' });
    expect(await rows(TABLE)).toEqual(staged);
    expect(await database.sql.unsafe(`SELECT id, xmin::text FROM ${TABLE} WHERE id IN (1, 8) ORDER BY id`)).toEqual(versions);
    const [ledger] = await database.sql`SELECT rows_loaded, rows_added, rows_changed, rows_removed FROM focus_sync.runs`;
    expect(ledger).toEqual({ rows_loaded: '10', rows_added: '1', rows_changed: '7', rows_removed: '1' });
  });
});
