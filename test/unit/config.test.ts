import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../functions/core/config.ts';
import { ConfigurationError } from '../../functions/core/errors.ts';

const complete = {
  FOCUS_API_URL: 'https://api.example.com/',
  FOCUS_BUSINESS_SERVICE: 'promo',
  FOCUS_COUNTRIES: 'de, at',
  FOCUS_USERNAME: 'demo',
  FOCUS_PASSWORD: 's3cret-value',
  DATABASE_URL: 'postgres://u:p@localhost:5432/focus',
};

function failure(env: Record<string, string | undefined>): ConfigurationError {
  try {
    loadConfig(env);
  } catch (error) {
    return error as ConfigurationError;
  }
  throw new Error('expected the configuration to be refused');
}

describe('loadConfig', () => {
  it('reads a complete environment with its defaults', () => {
    expect(loadConfig(complete)).toEqual({
      api: { url: 'https://api.example.com', version: '1', businessService: 'promo', countries: ['de', 'at'], lang: undefined, username: 'demo', password: 's3cret-value' },
      databaseUrl: 'postgres://u:p@localhost:5432/focus',
      tableSchemaPrefix: 'focus_',
      mapConcurrency: 4,
    });
  });

  it('accepts the API version as 1 or v1, and an empty language as none', () => {
    expect(loadConfig({ ...complete, FOCUS_API_VERSION: 'v1', FOCUS_LANG: '' }).api).toMatchObject({ version: '1', lang: undefined });
    expect(loadConfig({ ...complete, FOCUS_LANG: 'en' }).api.lang).toBe('en');
  });

  it('bounds how many pairs sync at once', () => {
    expect(loadConfig({ ...complete, FOCUS_MAP_CONCURRENCY: '8' }).mapConcurrency).toBe(8);
    expect(failure({ ...complete, FOCUS_MAP_CONCURRENCY: '0' }).message).toContain('FOCUS_MAP_CONCURRENCY');
    expect(failure({ ...complete, FOCUS_MAP_CONCURRENCY: '100' }).message).toContain('FOCUS_MAP_CONCURRENCY must be at most 40');
  });

  it('names every missing variable', () => {
    const error = failure({ ...complete, FOCUS_USERNAME: undefined, DATABASE_URL: undefined });
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.name).toBe('ConfigurationError');
    expect(error.message).toContain('FOCUS_USERNAME is not set');
    expect(error.message).toContain('DATABASE_URL is not set');
  });

  it('names a wrong value without repeating it', () => {
    const error = failure({ ...complete, FOCUS_API_URL: 'ftp://s3cret-value@host', FOCUS_COUNTRIES: ' , ' });
    expect(error.message).toContain('FOCUS_API_URL must be an http(s) URL');
    expect(error.message).toContain('FOCUS_COUNTRIES must name at least one country');
    expect(error.message).not.toContain('s3cret-value');
  });
});
