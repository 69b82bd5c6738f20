// statemachine/local/launch.mjs, what npm run sync/start/invoke run: it bundles the entry, runs it
// with its arguments, and leaves no bundle behind (nor one that a killed run left).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeArguments, ROOT } from '../../statemachine/local/npm-scripts.ts';

const CACHE = join(ROOT, 'node_modules/.cache/focus-sync');

function run(args: string[]): Promise<{ code: number | null; output: string; pid: number }> {
  const child = spawn(process.execPath, [...nodeArguments('sync'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => { output += chunk; });
  child.stderr.on('data', (chunk: Buffer) => { output += chunk; });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output, pid: child.pid! })));
}

describe('the launcher of the npm scripts', () => {
  it('runs the bundled entry with its arguments, and removes its bundle and those of dead runs', async () => {
    mkdirSync(CACHE, { recursive: true });
    // No process has this id (Linux's maximum is 2^22).
    const stale = join(CACHE, 'statemachine-local-sync.ts-99999999.mjs');
    writeFileSync(stale, '');
    const { code, output, pid } = await run(['--help']);
    expect(code, output).toBe(0);
    expect(output).toContain('Usage: npm run sync -- [--mode auto|full]');
    expect(existsSync(stale)).toBe(false);
    expect(readdirSync(CACHE).filter((name) => name.endsWith(`-${pid}.mjs`))).toEqual([]);
  });

  it('hands the entry its exit code', async () => {
    const { code, output } = await run(['--mode', 'sometimes']);
    expect(code).toBe(2);
    expect(output).toContain('mode: Invalid option: expected one of "auto"|"full"');
  });
});
