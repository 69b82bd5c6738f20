import { describe, expect, it } from 'vitest';
import { countrySchema, qualified, quoteIdentifier, stagingTable } from '../../../functions/core/db/identifiers.ts';
import { SchemaMappingError } from '../../../functions/core/errors.ts';

describe('quoteIdentifier', () => {
  it('always quotes, doubling embedded quotes, so keywords, case, spaces and semicolons stay names', () => {
    expect(quoteIdentifier('id')).toBe('"id"');
    expect(quoteIdentifier('select')).toBe('"select"');
    expect(quoteIdentifier('MixedCase')).toBe('"MixedCase"');
    expect(quoteIdentifier('a "quoted"; DROP TABLE x; --')).toBe('"a ""quoted""; DROP TABLE x; --"');
  });

  it('refuses a name PostgreSQL would truncate, and an empty one', () => {
    expect(quoteIdentifier('é'.repeat(31))).toBe(`"${'é'.repeat(31)}"`);
    expect(() => quoteIdentifier('é'.repeat(32))).toThrow(SchemaMappingError);
    expect(() => quoteIdentifier('')).toThrow(SchemaMappingError);
  });
});

describe('table names', () => {
  it('puts a country in its own lower-cased schema', () => {
    expect(qualified(countrySchema('focus_', 'DE'), 'promotions')).toBe('"focus_de"."promotions"');
  });

  it('derives the same staging table from the same execution and pair, and another for another', () => {
    const table = stagingTable('exec-1', 'promotions', 'de', 'created');
    expect(table).toMatch(/^"focus_sync"\."stage_[0-9a-f]{16}_created"$/);
    expect(stagingTable('exec-1', 'promotions', 'de', 'created')).toBe(table);
    expect(stagingTable('exec-2', 'promotions', 'de', 'created')).not.toBe(table);
    expect(stagingTable('exec-1', 'promotions', 'at', 'created')).not.toBe(table);
  });
});
