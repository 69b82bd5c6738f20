// What a step works with: the configuration, the database and the API client, made once per
// process (a warm Lambda keeps them), or handed in by the local runner and the tests.
import { FocusApi } from './api/client.ts';
import { loadConfig, type Config } from './config.ts';
import { connect, type Sql } from './db/connection.ts';

export interface Runtime {
  config: Config;
  sql: Sql;
  api: FocusApi;
}

let current: Runtime | undefined;

export function runtime(): Runtime {
  current ??= createRuntime(loadConfig());
  return current;
}

export function createRuntime(config: Config): Runtime {
  return { config, sql: connect(config.databaseUrl), api: new FocusApi(config.api) };
}

/** Makes the steps of this process use `next` (the local runner and the tests call this). */
export function useRuntime(next: Runtime | undefined): void {
  current = next;
}

export async function closeRuntime(): Promise<void> {
  const closing = current;
  current = undefined;
  await closing?.sql.end({ timeout: 5 });
}
