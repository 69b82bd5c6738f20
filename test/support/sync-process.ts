// `npm run sync` as its own process, configured for a harness's simulator and database: what the
// tests of crashes, concurrent runs and printed secrets need.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Config } from '../../functions/core/config.ts';
import { nodeArguments, ROOT } from '../../statemachine/local/npm-scripts.ts';


export function startSyncProcess(config: Config, args: string[] = [], env: Record<string, string> = {}): ChildProcess {
  const { api, databaseUrl } = config;
  return spawn(process.execPath, [...nodeArguments('sync'), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env, FOCUS_API_URL: api.url, FOCUS_BUSINESS_SERVICE: api.businessService, FOCUS_COUNTRIES: api.countries.join(','),
      FOCUS_USERNAME: api.username, FOCUS_PASSWORD: api.password, DATABASE_URL: databaseUrl, ...env,
    },
  });
}

/** Runs it to the end; everything it printed, stdout and stderr together. */
export function runSyncProcess(config: Config, args: string[] = [], env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  const child = startSyncProcess(config, args, env);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => { output += chunk; });
  child.stderr!.on('data', (chunk: Buffer) => { output += chunk; });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}
