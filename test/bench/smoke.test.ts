// `npm run bench` end to end on a few hundred rows: every measure is taken and written to its
// table. Nothing about time is asserted here; the figures that matter are in bench/RESULTS.md.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeArguments, ROOT } from '../../statemachine/local/npm-scripts.ts';

const scratch = await mkdtemp(join(tmpdir(), 'focus-sync-bench-smoke-'));

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('npm run bench', () => {
  it('measures every figure on a small run and writes the results table', async () => {
    const output = join(scratch, 'RESULTS.md');
    const child = spawn(process.execPath, [...nodeArguments('bench'), '--items', '300', '--repetitions', '1', '--output', output], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: inject('databaseUrl') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let printed = '';
    child.stdout.on('data', (chunk: Buffer) => { printed += chunk; });
    child.stderr.on('data', (chunk: Buffer) => { printed += chunk; });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code, printed).toBe(0);
    const results = await readFile(output, 'utf8');
    expect(results).toContain('`npm run bench -- --items 300 --repetitions 1`');
    for (const row of ['HTTP read', 'Parsing and encoding alone', 'COPY ceiling', 'Full load: the whole `npm run sync` process', 'Peak RSS of the sync process, 30 → 300 rows', 'Delta of 3 changes', 'Reading those changes', 'PostgreSQL alone applying as many changes', 'The same, 3 changes to 30 rows', 'Least Delta ÷ reading when changes are applied after they are read', 'Unchanged run']) {
      expect(results).toContain(`| ${row}`);
    }
    expect(results).toMatch(/\| \*\*Full load ÷ COPY ceiling\*\*, each repetition against the ceiling measured right after it \(range\) \| \*\*\d+\.\d\d\*\* \|/);
    expect(results).toMatch(/\| \*\*Delta ÷ reading\*\* \| \*\*\d+\.\d\d\*\* \|/);
    expect(results).toMatch(/\| CPU in the full load: the sync process; the whole machine \(\d+ cores, .*\) \| \d+\.\d s \(\d+\.\d µs a row\); \d+% busy \|/);
    expect(results).toMatch(/LoadCreated \d+ ms, LoadUpdated \d+ ms, ApplyDelta \d+ ms/);
    // With one repetition, five rounds of the delta beside its floor: a range of their ratios.
    expect(results).toMatch(/\| \*\*Delta ÷ \(reading \+ PostgreSQL's apply alone\)\*\*, of the medians \(each round's, range\) \| \*\*\d+\.\d\d\*\* \(\d+\.\d\d–\d+\.\d\d\) \|/);
    expect(results).toMatch(/\| \*\*Forced full reload ÷ full load\*\*, nothing changed .* \| \*\*\d+\.\d\d\*\* \|/);
    expect(results).toMatch(/\| \*\*Table size after the reload ÷ freshly loaded\*\*, .* \| \*\*\d+\.\d\d\*\*; \d+\.\d\d \|/);
    expect(results).toMatch(/\| Rows the JavaScript encoders would write in COPY text \(lines the transcoder leaves\) \| 0\.000% \| only malformed or unusual lines \|/);
    // Every line of both resources goes in COPY's binary format: none sends a load back to text.
    expect(results.match(/\| Lines that would send a load back to COPY text[^|]*\| none \|/g)).toHaveLength(2);
    expect(results).toMatch(/\| The same rows in COPY's binary format, from a file: what PostgreSQL takes fastest \| [\d,]+ rows\/s/);
    expect(results).toMatch(/\| Delta ÷ \(reading \+ PostgreSQL alone copying and applying\) \| \d+\.\d\d \|/);
    expect(results).toMatch(/\| \*\*Full load ÷ COPY ceiling\*\* \(range\) \| \*\*\d+\.\d\d\*\* \|/);
    for (const pair of ['promotion_items/at', 'promotion_items/de', 'promotions/at', 'promotions/de']) expect(results).toMatch(new RegExp(`\\| ${pair} \\| [\\d,]+ \\|`));
    expect(results).toMatch(/\| \*\*slowest ÷ mean of the others\*\* .* \| \d+\.\d\d \|/);
    for (const state of ['Authenticate', 'FullLoad', 'Summarize']) expect(results).toMatch(new RegExp(`\\| ${state} \\| \\d+ KB \\| \\d+ ms \\|`));
  }, 180_000);
});
