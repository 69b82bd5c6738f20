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

/** A running sync process as the stop tests watch it: what it printed so far, its exit, and a wait for one of its states. */
export interface WatchedSync {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  /** Resolves once promotions/de has entered `state` (whose request the test stalls), and half a second more: well inside it. */
  inside(state: string): Promise<void>;
}

export function watchSync(child: ChildProcess): WatchedSync {
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => { output += chunk; });
  child.stderr!.on('data', (chunk: Buffer) => { output += chunk; });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const inside = (state: string) => new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (new RegExp(`promotions/de +${state} +…`).test(output)) resolve();
    }, 50);
    exited.then(() => reject(new Error(`the sync ended before ${state}:\n${output}`))).finally(() => clearInterval(timer));
  }).then(() => new Promise<void>((resolve) => setTimeout(resolve, 500)));
  return { child, output: () => output, exited, inside };
}
