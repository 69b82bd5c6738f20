import { describe, expect, it } from 'vitest';
import { API_SECRET_PLACEHOLDER, loadConfig, type LoadOptions } from '../../functions/core/config.ts';
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
      api: { url: 'https://api.example.com', version: '1', businessService: 'promo', countries: ['de', 'at'], lang: undefined, username: 'demo', password: 's3cret-value', stallTimeoutMs: 60_000 },
      databaseUrl: 'postgres://u:p@localhost:5432/focus',
      tableSchemaPrefix: 'focus_',
      mapConcurrency: 4,
      outOfSyncRepair: 'delta-then-full',
      lease: { seconds: 120, waitMs: 10_000 },
      lookbackSeconds: 0,
      reloadPartLines: 131_072,
      maxLagMinutes: 180,
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

  it('refuses plain http:// except to a loopback host', () => {
    expect(failure({ ...complete, FOCUS_API_URL: 'http://api.example.com' }).message).toContain('FOCUS_API_URL must use https://');
    expect(loadConfig({ ...complete, FOCUS_API_URL: 'http://127.0.0.1:8080' }).api.url).toBe('http://127.0.0.1:8080');
    expect(loadConfig({ ...complete, FOCUS_API_URL: 'http://localhost:8080' }).api.url).toBe('http://localhost:8080');
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

  it('refuses a DATABASE_URL with a list of hosts, which it would not fail over between', () => {
    const refused = failure({ ...complete, DATABASE_URL: 'postgres://u:s3cret@db1:5432,db2:5432/focus' }).message;
    expect(refused).toContain('DATABASE_URL must name one host');
    expect(refused).not.toContain('s3cret');
    expect(loadConfig({ ...complete, DATABASE_URL: 'postgres://u:p,w@db1:5432/focus?options=a,b' }).databaseUrl).toContain('db1');
  });
});

describe('loadConfig on Lambda, with the secrets its step reads', () => {
  const API_ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:focus-api-AbCdEf';
  const DATABASE_ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:focus-db-GhIjKl';
  const lambda = {
    FOCUS_API_URL: 'https://api.example.com', FOCUS_BUSINESS_SERVICE: 'promo', FOCUS_COUNTRIES: 'de',
    FOCUS_API_SECRET_ARN: API_ARN, DATABASE_SECRET_ARN: DATABASE_ARN,
  };
  const secrets = {
    api: { username: 'focus-user', password: 's3cret-value' },
    database: { engine: 'postgres', host: 'db.example.internal', port: 5432, dbname: 'focus', username: 'focus_sync', password: 'p@ss/w:rd' },
  };

  it('takes the credentials from the API secret and the connection from the RDS secret, with verified TLS', () => {
    const config = loadConfig(lambda, { reads: ['api', 'database'], secrets });
    expect(config.api).toMatchObject({ username: 'focus-user', password: 's3cret-value' });
    expect(config.databaseUrl).toBe('postgres://focus_sync:p%40ss%2Fw%3Ard@db.example.internal:5432/focus');
    expect(config.databaseSsl).toBe('verify-full');
    expect(config.reads).toEqual(['api', 'database']);
  });

  it('needs only the parts its step reads', () => {
    const { FOCUS_API_SECRET_ARN: _unused, ...databaseOnly } = lambda;
    const config = loadConfig(databaseOnly, { reads: ['database'], secrets: { database: secrets.database } });
    expect(config.api).toMatchObject({ username: '', password: '' });
    expect(config.reads).toEqual(['database']);
  });

  it('names a secret that lacks a key, or still holds the stack\'s placeholder, never repeating a value', () => {
    const missing = failureWith(lambda, { reads: ['database'], secrets: { database: { host: 'db.example.internal', port: 'x', password: 's3cret-value' } } });
    expect(missing.message).toContain('DATABASE_SECRET_ARN names a secret that has an invalid "port" and has no "username"');
    expect(missing.message).toContain('docs/aws.md');
    const placeholder = failureWith(lambda, { reads: ['api'], secrets: { api: { username: API_SECRET_PLACEHOLDER, password: 's3cret-value' } } });
    expect(placeholder.message).toContain('FOCUS_API_SECRET_ARN names a secret that still holds the placeholder');
    for (const error of [missing, placeholder]) expect(error.message).not.toContain('s3cret-value');
  });

  it('refuses a secret ARN set beside the plain variables it replaces', () => {
    const error = failureWith({ ...lambda, FOCUS_USERNAME: 'demo', FOCUS_PASSWORD: 's3cret-value' }, { reads: ['api', 'database'], secrets });
    expect(error.message).toContain('FOCUS_USERNAME cannot be set together with FOCUS_API_SECRET_ARN');
    expect(error.message).not.toContain('s3cret-value');
  });

  it('names a secret ARN set where nothing reads it (off Lambda)', () => {
    expect(failureWith({ ...complete, DATABASE_URL: '', DATABASE_SECRET_ARN: DATABASE_ARN }, {}).message)
      .toContain('DATABASE_SECRET_ARN is only read on AWS Lambda; set DATABASE_URL instead');
  });

  it('verifies the server certificate when DATABASE_SSL asks for it, and otherwise leaves TLS to the URL', () => {
    expect(loadConfig({ ...complete, DATABASE_SSL: 'verify-full' }).databaseSsl).toBe('verify-full');
    expect(loadConfig(complete).databaseSsl).toBeUndefined();
    expect(failure({ ...complete, DATABASE_SSL: 'always' }).message).toContain('DATABASE_SSL must be disable, require or verify-full');
  });

  it('counts an empty value as unset, as .env.example leaves the credentials', () => {
    expect(failure({ ...complete, FOCUS_USERNAME: '', FOCUS_PASSWORD: undefined }).message).toMatch(/FOCUS_USERNAME must not be empty; FOCUS_PASSWORD is not set/);
  });
});

function failureWith(env: Record<string, string | undefined>, options: LoadOptions): ConfigurationError {
  try {
    loadConfig(env, options);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error('expected the configuration to be refused');
}
