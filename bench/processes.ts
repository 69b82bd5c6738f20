// The benchmark's moving parts, each in its own process as in production: the simulator, and
// `npm run sync` with its peak memory recorded.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { nodeArguments, ROOT } from '../statemachine/local/npm-scripts.ts';

export interface SimulatorProcess {
  url: string;
  stop(): Promise<void>;
}

/** Starts `npm run simulator` on a free port and waits for the line that names its URL. */
export async function startSimulatorProcess(args: string[]): Promise<SimulatorProcess> {
  const child = spawn(process.execPath, ['simulator/cli.ts', '--port', '0', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the simulator exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /http:\/\/[\d.]+:\d+/.exec(line);
      if (match) resolve(match[0]);
    });
  });
  return { url, stop: () => stop(child) };
}

export interface SyncProcessResult {
  seconds: number;
  peakRssMb: number;
  /** User and system CPU of every node process of the run. */
  cpuSeconds: number;
  output: string;
}

/** Runs `npm run sync` as its own process; its peak RSS and CPU time come from a preloaded exit hook. */
export async function runSyncProcess(args: string[], env: Record<string, string>, scratch: string): Promise<SyncProcessResult> {
  const usageFile = join(scratch, `usage-${process.hrtime.bigint()}.txt`);
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeArguments('sync'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env, FOCUS_BENCH_USAGE_FILE: usageFile, NODE_OPTIONS: `--import=${join(ROOT, 'bench/process-usage.mjs')}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => { output += chunk; });
  child.stderr!.on('data', (chunk: Buffer) => { output += chunk; });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`npm run sync ${args.join(' ')} exited with ${code}:\n${output}`);
  // Every node process of the run appends its own line: peak RSS in KB, CPU in microseconds.
  const processes = (await readFile(usageFile, 'utf8')).trim().split('\n').map((line) => line.split(' ').map(Number));
  await rm(usageFile, { force: true });
  return {
    seconds,
    peakRssMb: Math.max(...processes.map(([kilobytes]) => kilobytes!)) / 1024,
    cpuSeconds: processes.reduce((sum, [, micros]) => sum + micros!, 0) / 1e6,
    output,
  };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
