// What a step works with: the configuration, the database and the API client, made once per
// process (a warm Lambda keeps them), or handed in by the local runner and the tests.
import { isDeepStrictEqual } from 'node:util';
import { FocusApi } from './api/client.ts';
import { loadConfig, type Config, type Part } from './config.ts';
import { connect, type Sql } from './db/connection.ts';
import type { ExecutionStatuses } from './db/leases.ts';
import { ConfigurationError } from './errors.ts';
import { stepFunctionsExecutions } from './executions.ts';
import { onLambda } from './telemetry/logging.ts';

export interface Runtime {
  config: Config;
  sql: Sql;
  api: FocusApi;
  /** Whether another execution still runs (on Lambda: Step Functions); without it, a lease whose holder shows no proof of life expires. */
  executions?: ExecutionStatuses | undefined;
}

let current: Runtime | undefined;

export function runtime(): Runtime {
  current ??= createRuntime(loadConfig());
  return current;
}

/** A part the configuration lacks (a Lambda function whose step does not read it) fails when used. */
export function createRuntime(config: Config): Runtime {
  // postgres.js connects on the first query, so making the client here costs nothing. Locally one
  // process runs every pair of the Map at once: a pair's reload holds up to four connections at
  // once (the transaction that applies it, the part loading, and its differences, found behind
  // the loading or in two halves at the end), and lease renewals need a spare one. A Lambda runs
  // one step, and opens what that step holds.
  const sql = reads(config, 'database') ? connect(config.databaseUrl, { ssl: config.databaseSsl, max: 4 * config.mapConcurrency + 1 }) : undefined;
  const api = reads(config, 'api') ? new FocusApi(config.api) : undefined;
  return {
    config,
    executions: onLambda() ? stepFunctionsExecutions() : undefined,
    get sql() {
      return sql ?? notGiven('the database', 'DATABASE_SECRET_ARN (or DATABASE_URL)');
    },
    get api() {
      return api ?? notGiven('the Focus API credentials', 'FOCUS_API_SECRET_ARN (or FOCUS_USERNAME and FOCUS_PASSWORD)');
    },
  };
}

/** Makes the steps of this process use `next` (the local runner and the tests call this). */
export function useRuntime(next: Runtime | undefined): void {
  current = next;
}

/** Keeps the current runtime while the configuration is unchanged; otherwise replaces it (new credentials). */
export async function useConfig(config: Config): Promise<void> {
  if (current && isDeepStrictEqual(current.config, config)) return;
  await closeRuntime();
  current = createRuntime(config);
}

export async function closeRuntime(): Promise<void> {
  const closing = current;
  current = undefined;
  if (closing && reads(closing.config, 'database')) await closing.sql.end({ timeout: 5 });
}

function reads(config: Config, part: Part): boolean {
  return config.reads?.includes(part) ?? true;
}

function notGiven(what: string, variable: string): never {
  throw new ConfigurationError(`This step has no access to ${what}: ${variable} is not set for its function. On AWS, add the part to its entry in STEP_READS (functions/core/secrets.ts) and deploy again`);
}
