// statemachine/local/launch.mjs, what npm run sync/start/invoke run: it bundles the entry, runs it
// with its arguments, keeps the bundle for the next run only while its sources are as they were,
// and removes what a killed run left.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeArguments, ROOT } from '../../statemachine/local/npm-scripts.ts';

const CACHE = join(ROOT, 'node_modules/.cache/focus-sync');
const LAUNCHER = nodeArguments('sync').slice(0, -1);

function run(args: string[], entry = 'statemachine/local/sync.ts'): Promise<{ code: number | null; output: string; pid: number }> {
  const child = spawn(process.execPath, [...LAUNCHER, entry, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => { output += chunk; });
  child.stderr.on('data', (chunk: Buffer) => { output += chunk; });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output, pid: child.pid! })));
}

const bundlesOf = (name: string) => readdirSync(CACHE).filter((file) => file.startsWith(`${name}.`) && file.endsWith('.mjs'));

describe('the launcher of the npm scripts', () => {
  it('runs the bundled entry with its arguments, and removes what dead runs left', async () => {
    mkdirSync(CACHE, { recursive: true });
    // No process has these ids (Linux's maximum is 2^22): an unkept bundle and a half-written file.
    const stale = [join(CACHE, 'statemachine-local-sync.ts-9999999.mjs'), join(CACHE, 'statemachine-local-sync.ts.json.9999999.tmp')];
    for (const file of stale) writeFileSync(file, '');
    const { code, output, pid } = await run(['--help']);
    expect(code, output).toBe(0);
    expect(output).toContain('Usage: npm run sync -- [--mode auto|full]');
    expect(stale.filter((file) => existsSync(file))).toEqual([]);
    expect(readdirSync(CACHE).filter((file) => file.includes(`.${pid}.`))).toEqual([]);
  });

  it('hands the entry its exit code', async () => {
    const { code, output } = await run(['--mode', 'sometimes']);
    expect(code).toBe(2);
    expect(output).toContain('mode: Invalid option: expected one of "auto"|"full"');
  });

  it('reuses the bundle while the sources are as they were, and never runs an old one after a change', async () => {
    // An entry of its own, importing a module of its own, so that changing them touches nothing else.
    const id = `launch-${process.pid}-${Date.now()}`;
    const directory = join(ROOT, 'node_modules/.cache', id);
    mkdirSync(directory, { recursive: true });
    const entry = join(directory, 'entry.ts');
    const imported = join(directory, 'says.ts');
    const name = `node_modules-.cache-${id}-entry.ts`;
    try {
      writeFileSync(entry, "import { says } from './says.ts';\nconsole.log(says, process.argv.slice(2).join(' '));\n");
      writeFileSync(imported, "export const says: string = 'first';\n");
      expect((await run(['a'], entry)).output).toBe('first a\n');
      const [kept] = bundlesOf(name);
      expect(kept).toMatch(/\.[0-9a-f]{24}\.mjs$/);
      const made = statSync(join(CACHE, kept!)).ino;
      expect((await run(['b'], entry)).output).toBe('first b\n');
      // The same file, not made again.
      expect(bundlesOf(name)).toEqual([kept]);
      expect(statSync(join(CACHE, kept!)).ino).toBe(made);
      // A change to an imported module, of the same length: a bundle of its own; and V8's compile
      // cache, past its 64 MB (a sparse file here), is started again.
      const oversized = join(CACHE, 'v8', 'oversized', 'entry');
      mkdirSync(dirname(oversized), { recursive: true });
      writeFileSync(oversized, '');
      truncateSync(oversized, 65 * 1024 * 1024);
      writeFileSync(imported, "export const says: string = 'again';\n");
      expect((await run(['c'], entry)).output).toBe('again c\n');
      expect(existsSync(oversized)).toBe(false);
      expect(bundlesOf(name)).toHaveLength(2);
      // Back as it was: the first bundle again.
      writeFileSync(imported, "export const says: string = 'first';\n");
      expect((await run(['d'], entry)).output).toBe('first d\n');
      expect(bundlesOf(name)).toHaveLength(2);
    } finally {
      rmSync(directory, { recursive: true, force: true });
      for (const file of readdirSync(CACHE).filter((candidate) => candidate.startsWith(`${name}.`))) rmSync(join(CACHE, file), { force: true });
    }
  }, 30_000);
});
