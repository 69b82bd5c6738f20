// What a deployed step writes to its log: JSON lines that each name the execution, the state, the
// resource and the country, metrics in the embedded format, and never a secret.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ApiUnavailable } from '../../functions/core/errors.ts';
import { closeRuntime, runtime } from '../../functions/core/runtime.ts';
import { step } from '../../functions/core/step.ts';
import { log, recordRetry } from '../../functions/core/telemetry/logging.ts';

const API_ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:focus-sync-api-AbCdEf';
const DATABASE_ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:focus-sync-db-GhIjKl';
const API_SECRET = { username: 'focus-user', password: 'api-pass-w0rd/+' };
const DATABASE_SECRET = { engine: 'postgres', host: 'db.example', port: 5432, dbname: 'focus', username: 'focus_sync', password: 'db:p@ss/w0rd' };
const EVENT = { execution: 'exec-42', resource: 'promotions', country: 'de', mode: 'auto', onOutOfSync: 'delta-then-full' };

const secretsManager = mockClient(SecretsManagerClient);
const context = { functionName: 'focus-sync-FullLoad', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 60_000 } as Context;
let written: string[] = [];

beforeEach(() => {
  secretsManager.reset();
  for (const [name, value] of Object.entries({
    AWS_LAMBDA_FUNCTION_NAME: 'focus-sync-FullLoad', AWS_REGION: 'eu-central-1', FOCUS_API_URL: 'https://api.focus.example', FOCUS_BUSINESS_SERVICE: 'promo',
    FOCUS_COUNTRIES: 'de,at', FOCUS_API_SECRET_ARN: API_ARN, DATABASE_SECRET_ARN: DATABASE_ARN, DATABASE_SSL: 'verify-full',
    FOCUS_USERNAME: '', FOCUS_PASSWORD: '', DATABASE_URL: '', FOCUS_LOG_LEVEL: '',
  })) vi.stubEnv(name, value);
  for (const [arn, value] of [[API_ARN, API_SECRET], [DATABASE_ARN, DATABASE_SECRET]] as const) {
    secretsManager.on(GetSecretValueCommand, { SecretId: arn }).resolves({ ARN: arn, SecretString: JSON.stringify(value) });
  }
  written = [];
  // Powertools writes WARN and ERROR to stderr, the rest to stdout.
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
  }
});

afterEach(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await closeRuntime();
});

function lines(): Array<Record<string, unknown>> {
  return written.join('').split('\n').filter((line) => line.trim()).map((line) => JSON.parse(line) as Record<string, unknown>);
}

const logLines = () => lines().filter((line) => 'level' in line);
const metricLines = () => lines().filter((line) => '_aws' in line);

function metricNames(line: Record<string, unknown>): string[] {
  return (line._aws as { CloudWatchMetrics: Array<{ Metrics: Array<{ Name: string }> }> }).CloudWatchMetrics.flatMap((entry) => entry.Metrics.map((metric) => metric.Name));
}

function fullLoad(work: () => Promise<unknown>) {
  return step('FullLoad', { input: z.unknown(), output: z.unknown() }, work);
}

describe('the logs of a step on Lambda', () => {
  it('carry the execution id, state, resource and country on every line, and no secret', async () => {
    await fullLoad(async () => {
      const { config } = runtime();
      log().info('loading', { pair: `${EVENT.resource}/${EVENT.country}` });
      recordRetry('read full lines of promotions/de', 1, 'ApiUnavailable');
      return { loaded: 12, deleted: 0, watermark: null, user: config.api.username.length };
    })(EVENT, context);
    const logged = logLines();
    expect(logged.map((line) => line.message)).toEqual(['loading', 'retrying a request to the Focus API', 'FullLoad done']);
    for (const line of logged) {
      expect(line).toMatchObject({ executionId: 'exec-42', state: 'FullLoad', resource: 'promotions', country: 'de', service: 'focus-sync', function_request_id: 'req-1' });
    }
    expect(logged.at(-1)).toMatchObject({ level: 'INFO', retries: 1 });
    const text = written.join('');
    for (const secret of [API_SECRET.password, DATABASE_SECRET.password, encodeURIComponent(DATABASE_SECRET.password)]) expect(text).not.toContain(secret);
  });

  it('logs a failure with its error name, and counts it', async () => {
    const failure = fullLoad(async () => {
      runtime();
      throw new ApiUnavailable('Could not read full lines of promotions/de: the connection broke mid-stream');
    })(EVENT, context);
    await expect(failure).rejects.toThrow('mid-stream');
    expect(logLines().at(-1)).toMatchObject({ level: 'ERROR', message: 'FullLoad failed', errorName: 'ApiUnavailable', executionId: 'exec-42', resource: 'promotions', country: 'de' });
    expect(metricLines().map(metricNames)).toEqual([['StepDuration'], ['StepErrors']]);
    expect(written.join('')).not.toContain(API_SECRET.password);
  });

  it('publishes the rows loaded per mode and the step duration in the embedded metric format', async () => {
    await fullLoad(async () => ({ loaded: 12, deleted: 0, watermark: null }))(EVENT, context);
    const metrics = metricLines();
    const rows = metrics.find((line) => 'RowsLoaded' in line)!;
    expect(rows).toMatchObject({ RowsLoaded: 12, Mode: 'full', service: 'focus-sync' });
    expect((rows._aws as { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][] }> }).CloudWatchMetrics[0]).toMatchObject({ Namespace: 'FocusSync', Dimensions: [['service', 'Mode']] });
    expect(metrics.find((line) => 'StepDuration' in line)).toMatchObject({ State: 'FullLoad' });
  });

  it('takes its level from FOCUS_LOG_LEVEL, and is silent off Lambda unless asked', async () => {
    vi.stubEnv('FOCUS_LOG_LEVEL', 'warn');
    await fullLoad(async () => ({ loaded: 1, deleted: 0, watermark: null }))(EVENT, context);
    expect(logLines()).toEqual([]);
    written = [];
    vi.stubEnv('FOCUS_LOG_LEVEL', '');
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', '');
    vi.stubEnv('DATABASE_URL', 'postgres://focus:focus@localhost:5432/focus');
    await step('CheckServerState', { input: z.unknown(), output: z.unknown() }, async () => ({ totalItems: 1 }))(EVENT, context);
    expect(written).toEqual([]);
  });
});
