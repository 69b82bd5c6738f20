// How a deployed step gets its configuration: the environment the stack sets, plus the secrets its
// step reads, fetched through middy from Secrets Manager (mocked here at the SDK client).
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { API_SECRET_PLACEHOLDER } from '../../functions/core/config.ts';
import { AuthenticationFailed } from '../../functions/core/errors.ts';
import { closeRuntime, runtime } from '../../functions/core/runtime.ts';
import { step } from '../../functions/core/step.ts';

const API_ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:focus-sync-api-AbCdEf';
const DATABASE_ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:focus-sync-db-GhIjKl';
const API_SECRET = { username: 'focus-user', password: 'api-pass-w0rd/+' };
const DATABASE_SECRET = { engine: 'postgres', host: 'focus.abc.eu-central-1.rds.amazonaws.com', port: 5432, dbname: 'focus', username: 'focus_sync', password: 'db:p@ss/w0rd' };

const secretsManager = mockClient(SecretsManagerClient);
const context = { getRemainingTimeInMillis: () => 60_000 } as Context;

/** A handler for a real Task state, reporting what its runtime was made of. */
function handlerFor(state: string, work: () => Promise<void> = async () => {}) {
  return step(state, { input: z.unknown(), output: z.unknown() }, async () => {
    await work();
    const { config } = runtime();
    return { username: config.api.username, databaseUrl: config.databaseUrl, databaseSsl: config.databaseSsl, reads: config.reads };
  });
}

function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(() => {
    throw new Error('expected the invocation to fail');
  }, (error: Error) => error);
}

function secretString(arn: string, value: unknown) {
  secretsManager.on(GetSecretValueCommand, { SecretId: arn }).resolves({ ARN: arn, SecretString: JSON.stringify(value) });
}

beforeEach(() => {
  secretsManager.reset();
  // What the stack sets on every function (infra/steps.ts), with both secrets' ARNs.
  for (const [name, value] of Object.entries({
    AWS_REGION: 'eu-central-1', FOCUS_API_URL: 'https://api.focus.example', FOCUS_BUSINESS_SERVICE: 'promo', FOCUS_COUNTRIES: 'de,at',
    FOCUS_API_SECRET_ARN: API_ARN, DATABASE_SECRET_ARN: DATABASE_ARN, DATABASE_SSL: 'verify-full',
    FOCUS_USERNAME: '', FOCUS_PASSWORD: '', DATABASE_URL: '',
  })) vi.stubEnv(name, value);
  secretString(API_ARN, API_SECRET);
  secretString(DATABASE_ARN, DATABASE_SECRET);
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await closeRuntime();
});

describe('a step on Lambda', () => {
  it('reads only the secrets its step needs, once per sandbox', async () => {
    const handler = handlerFor('CheckServerState');
    expect(await handler({}, context)).toEqual({ username: 'focus-user', databaseUrl: '', databaseSsl: 'verify-full', reads: ['api'] });
    await handler({}, context);
    expect(secretsManager.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input.SecretId)).toEqual([API_ARN]);
  });

  it('connects to the database named by the RDS secret, over TLS that verifies the certificate', async () => {
    const output = await handlerFor('GetClientState')({}, context) as { databaseUrl: string; databaseSsl: string };
    expect(output.databaseSsl).toBe('verify-full');
    const url = new URL(output.databaseUrl);
    expect([url.hostname, url.port, url.pathname, decodeURIComponent(url.username), decodeURIComponent(url.password)])
      .toEqual([DATABASE_SECRET.host, '5432', '/focus', 'focus_sync', DATABASE_SECRET.password]);
    expect(secretsManager.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input.SecretId)).toEqual([DATABASE_ARN]);
  });

  it('refuses to use a part its step does not read', async () => {
    const error = await failure(handlerFor('CheckServerState', async () => {
      void runtime().sql;
    })({}, context));
    expect(error.name).toBe('ConfigurationError');
    expect(error.message).toContain('STEP_READS');
  });

  it('refuses the placeholder the stack created, naming the secret, and reads it again once credentials are stored', async () => {
    secretString(API_ARN, { username: API_SECRET_PLACEHOLDER, password: 'generated-by-cloudformation' });
    const handler = handlerFor('Authenticate');
    const error = await failure(handler({}, context));
    expect(error.name).toBe('ConfigurationError');
    expect(error.message).toContain('FOCUS_API_SECRET_ARN names a secret that still holds the placeholder');
    expect(error.message).not.toContain('generated-by-cloudformation');
    secretString(API_ARN, API_SECRET);
    expect(await handler({}, context)).toMatchObject({ username: 'focus-user' });
  });

  it('names the missing keys of a secret without repeating any value', async () => {
    secretString(DATABASE_ARN, { host: 'db.internal', password: 'hunter2-secret' });
    const error = await failure(handlerFor('Summarize')({}, context));
    expect(error.message).toContain('DATABASE_SECRET_ARN names a secret that has no "username"');
    expect(error.message).not.toContain('hunter2-secret');
    expect(error.message).not.toContain('db.internal');
  });

  it('fails as a configuration error when the secret cannot be read, and as a retried one when Secrets Manager is unavailable', async () => {
    secretsManager.on(GetSecretValueCommand, { SecretId: DATABASE_ARN }).rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException', $fault: 'client', $metadata: {} }));
    const denied = await failure(handlerFor('CompareState')({}, context));
    expect([denied.name, denied.message]).toEqual(['ConfigurationError', expect.stringContaining('DATABASE_SECRET_ARN')]);
    secretsManager.on(GetSecretValueCommand, { SecretId: DATABASE_ARN }).rejects(Object.assign(new Error('Internal'), { name: 'InternalServiceError', $fault: 'server', $metadata: {} }));
    expect((await failure(handlerFor('CompareState')({}, context))).name).toBe('DatabaseUnavailable');
    secretsManager.on(GetSecretValueCommand, { SecretId: API_ARN }).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client', $retryable: { throttling: true }, $metadata: {} }));
    expect((await failure(handlerFor('LoadSchema')({}, context))).name).toBe('ApiUnavailable');
  });

  it('reads the credentials again after the API refused them, and uses the new ones', async () => {
    let refuse = true;
    const handler = handlerFor('Authenticate', async () => {
      if (refuse) throw new AuthenticationFailed('refused');
    });
    expect((await failure(handler({}, context))).name).toBe('AuthenticationFailed');
    secretString(API_ARN, { username: 'rotated-user', password: 'new-password' });
    refuse = false;
    expect(await handler({}, context)).toMatchObject({ username: 'rotated-user' });
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });
});

describe('a step anywhere else', () => {
  it('reads no secret without a *_SECRET_ARN and runs on the environment, as on a laptop', async () => {
    vi.stubEnv('FOCUS_API_SECRET_ARN', '');
    vi.stubEnv('DATABASE_SECRET_ARN', '');
    vi.stubEnv('DATABASE_SSL', '');
    vi.stubEnv('FOCUS_USERNAME', 'local-user');
    vi.stubEnv('FOCUS_PASSWORD', 'local-password');
    vi.stubEnv('DATABASE_URL', 'postgres://focus:focus@localhost:5432/focus');
    expect(await handlerFor('FullLoad')({}, context)).toEqual({ username: 'local-user', databaseUrl: 'postgres://focus:focus@localhost:5432/focus', databaseSsl: undefined, reads: undefined });
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });
});
