// What the rehearsal prints and the message it fails with: each state with the function and
// bundle that served it, each function's slowest run and peak memory against its MemorySize.
import { join } from 'node:path';
import { bundleFile, type LambdaFunction } from './assembly.ts';
import type { Invocation, LambdaError } from './sandbox.ts';

export type Write = (line: string) => void;

/** One Task state's invocation: the function that served it, and how it went. */
export interface Served {
  state: string;
  pair: string;
  fn: LambdaFunction;
  invocation?: Invocation;
  error?: LambdaError;
}

/** Each function that failed, with its first error, once: the message a user acts on. */
export function functionFailures(served: Served[], logDir: string): string[] {
  const byFunction = new Map<string, Served[]>();
  for (const entry of served.filter((candidate) => candidate.error)) byFunction.set(entry.fn.id, [...(byFunction.get(entry.fn.id) ?? []), entry]);
  return [...byFunction.values()].map((failures) => {
    const { fn, error } = failures[0]!;
    return `${fn.id} (${bundleFile(fn)}) failed ${failures.length} time${failures.length > 1 ? 's' : ''} with ${error!.name}: ${error!.errorMessage} (its log: ${join(logDir, `${fn.id}.log`)})`;
  });
}

export function printFunctions(write: Write, functions: LambdaFunction[], served: Served[]): void {
  write('\nfunction          invocations  slowest     peak / MemorySize   bundle');
  for (const fn of functions) {
    const runs = served.filter((entry) => entry.fn === fn && entry.invocation).map((entry) => entry.invocation!);
    const slowest = Math.max(0, ...runs.map((run) => run.durationMs));
    const peak = Math.max(0, ...runs.map((run) => run.peakMb));
    write(`${fn.id.padEnd(17)} ${String(runs.length).padStart(11)}  ${String(slowest).padStart(6)} ms  ${`${peak} / ${fn.memoryMb} MB`.padStart(18)}   ${bundleFile(fn)}`);
  }
}

export function line(state: string, pair: string, fn: LambdaFunction, text: string): string {
  return `${state.padEnd(16)} ${pair.padEnd(24)} ${fn.id} · ${bundleFile(fn).replace(/^.*\/(asset\.\w{8})\w*\//, '$1…/')}  ${text}`;
}

export function pairOf(event: unknown): string {
  const { resource, country } = (event ?? {}) as { resource?: unknown; country?: unknown };
  return typeof resource === 'string' && typeof country === 'string' ? `${resource}/${country}` : '';
}

export function failure(problems: string[]): string {
  return `The rehearsal found what would fail on AWS:\n- ${problems.join('\n- ')}`;
}
