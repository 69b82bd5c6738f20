// What an npm script runs, for the tests and the benchmark that start `npm run sync` as its own
// process: the same node flags and launcher a user gets, read from package.json, never a copy.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '../..');

/** The arguments after `node` of a script such as "sync" (`node <flags…> launch.mjs <entry>`). */
export function nodeArguments(script: string): string[] {
  const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const [command, ...args] = (scripts[script] ?? '').split(' ').filter(Boolean);
  if (command !== 'node') throw new Error(`package.json's "${script}" script must be "node …" for tests and the benchmark to start it`);
  return args;
}
