// Each step's Lambda bundle as CDK builds it (esbuild, minified, AWS SDK external), its size,
// and how long a fresh Node.js takes to load it: a proxy for the cold start.
import { execFileSync } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { handlerFile } from '../statemachine/local/definition.ts';
import { ROOT } from '../statemachine/local/npm-scripts.ts';

export interface LambdaFigures {
  state: string;
  kilobytes: number;
  initMs: number;
}

// Inside the project, so that the bundles find the AWS SDK in node_modules as Lambda's runtime provides it.
const OUT_DIR = join(ROOT, 'node_modules/.cache/focus-sync-bench');

export async function measureLambdas(states: string[], repetitions: number): Promise<LambdaFigures[]> {
  const figures: LambdaFigures[] = [];
  for (const state of states) {
    const outfile = join(OUT_DIR, `${state}.mjs`);
    await build({
      entryPoints: [join(ROOT, 'functions/steps', handlerFile(state))],
      bundle: true, minify: true, platform: 'node', target: 'node24', format: 'esm', outfile,
      external: ['@aws-sdk/*'], logLevel: 'silent',
      banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
    });
    const times = Array.from({ length: repetitions }, () => Number(execFileSync(process.execPath, ['--input-type=module', '-e',
      `const t = performance.now(); await import(${JSON.stringify(outfile)}); console.log(performance.now() - t)`], { encoding: 'utf8' })));
    figures.push({ state, kilobytes: (await stat(outfile)).size / 1024, initMs: median(times) });
  }
  return figures;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
