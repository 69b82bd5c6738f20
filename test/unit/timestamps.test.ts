import { describe, expect, it } from 'vitest';
import { toWireTimestamp } from '../../functions/core/timestamps.ts';

describe('toWireTimestamp', () => {
  it('keeps all six fractional digits and normalises the separator', () => {
    expect(toWireTimestamp('2025-07-01 16:01:00.827904')).toBe('2025-07-01T16:01:00.827904');
    expect(toWireTimestamp('2025-07-01T16:01:00.000001')).toBe('2025-07-01T16:01:00.000001');
  });

  it('pads shorter fractions with zeros, as PostgreSQL and the API write them', () => {
    expect(toWireTimestamp('2025-07-01T16:01:00.8')).toBe('2025-07-01T16:01:00.800000');
    expect(toWireTimestamp('2025-07-01T16:01:00')).toBe('2025-07-01T16:01:00.000000');
  });

  it('refuses what is not a timestamp', () => {
    expect(() => toWireTimestamp('yesterday')).toThrow(RangeError);
    expect(() => toWireTimestamp('2025-07-01T16:01:00.1234567')).toThrow(RangeError);
  });
});
