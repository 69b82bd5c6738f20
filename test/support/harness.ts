// A simulator, a fresh database and a runtime wired together: what an end-to-end test needs.
import { expect } from 'vitest';
import type { FocusApi } from '../../functions/core/api/client.ts';
import type { Config } from '../../functions/core/config.ts';
import type { ExecutionStatuses } from '../../functions/core/db/leases.ts';
import { connect, type Sql } from '../../functions/core/db/connection.ts';
import { resourcesFromSchema } from '../../functions/core/resources.ts';
import { closeRuntime, createRuntime } from '../../functions/core/runtime.ts';
import { runStateMachine, type RunOptions, type RunResult } from '../../statemachine/local/runner.ts';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../simulator/index.ts';
import { createTestDatabase } from './database.ts';
import { comparableItems, readMirror } from './mirror.ts';

export interface Harness {
  simulator: Simulator;
  sql: Sql;
  config: Config;
  /**
   * Runs the state machine; `api` replaces the API client (to break a stream on purpose), `config`
   * overrides settings for this run, `executions` answers whether a Step Functions execution runs.
   */
  sync(input?: unknown, options?: Partial<RunOptions> & { api?: FocusApi; config?: Partial<Config>; executions?: ExecutionStatuses }): Promise<RunResult>;
  /** Puts a row the API does not have into promotions/de: the mirror is then one row ahead of the server. */
  addStrayRow(): Promise<void>;
  /** Every mirror table's rows and every watermark, to check that a failed run changed nothing. */
  snapshot(): Promise<unknown>;
  /** Asserts that every mirror table equals the simulator's live items, row by row, column by column. */
  expectMirrorEqualsServer(): Promise<void>;
  close(): Promise<void>;
}

/** `databaseUrl` reuses a database another harness filled (and leaves dropping it to that one). */
export async function startHarness(simulatorOptions: Partial<SimulatorOptions> = {}, databaseUrl?: string): Promise<Harness> {
  const simulator = await startSimulator({ items: 200, ...simulatorOptions });
  const database = databaseUrl ? { url: databaseUrl, drop: async () => {} } : await createTestDatabase();
  const config: Config = {
    api: {
      url: simulator.url, version: '1', businessService: simulator.options.businessService, countries: simulator.options.countries,
      lang: undefined, username: simulator.options.username, password: simulator.options.password, stallTimeoutMs: 2_000,
    },
    databaseUrl: database.url,
    tableSchemaPrefix: 'focus_',
    mapConcurrency: 4,
    outOfSyncRepair: 'delta-then-full',
    lease: { seconds: 60, waitMs: 1_000 },
    lookbackSeconds: 0,
    // A reload of a few hundred rows in several parts, as a million-row one is.
    reloadPartLines: 64,
    maxLagMinutes: 180,
  };
  const sql = connect(database.url);
  return {
    simulator,
    sql,
    config,
    async sync(input = {}, { api, config: overrides, executions, ...options } = {}) {
      const runtime = { ...createRuntime({ ...config, ...overrides }), ...(api && { api }), ...(executions && { executions }) };
      try {
        return await runStateMachine({ input, runtime, retryIntervalMs: 10, ...options });
      } finally {
        await closeRuntime();
      }
    },
    async addStrayRow() {
      await sql`INSERT INTO focus_de.promotions (id, created_at, updated_at) VALUES (999999, '2020-01-01', '2020-01-01')`;
    },
    async snapshot() {
      const tables: Record<string, unknown> = {};
      for (const resource of resourcesFromSchema(simulator.schema as never)) {
        for (const country of simulator.options.countries) {
          tables[`${resource.name}/${country}`] = await readMirror(sql, resource.name, country, resource.attributes);
        }
      }
      const state = await sql`SELECT resource, country, watermark::text, last_mode, last_run FROM focus_sync.state ORDER BY 1, 2`;
      return { tables, state };
    },
    async expectMirrorEqualsServer() {
      for (const resource of resourcesFromSchema(simulator.schema as never)) {
        for (const country of simulator.options.countries) {
          const mirror = await readMirror(sql, resource.name, country, resource.attributes);
          const server = comparableItems(simulator.items(resource.name, country), resource.attributes);
          expect(mirror.length, `${resource.name}/${country} row count`).toBe(server.length);
          expect(mirror, `${resource.name}/${country} rows`).toEqual(server);
        }
      }
    },
    async close() {
      await sql.end();
      await simulator.stop();
      await database.drop();
    },
  };
}
