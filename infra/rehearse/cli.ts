// npm run rehearse -- [-c key=value …] [--items 500] [--keep]
// Synthesizes the app as `cdk deploy` would, then runs what it would deploy on this machine
// (README, Deploying to AWS). Exits 0 only when both executions end with the mirror equal to the API.
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigurationError } from '../../functions/core/errors.ts';
import { readDeployment, synthesize } from './assembly.ts';
import { rehearse, RehearsalFailed } from './rehearsal.ts';

const CDK_OUT = new URL('../../cdk.out/', import.meta.url).pathname;
const write = (line: string) => process.stdout.write(`${line}\n`);

let exitCode = 0;
try {
  const { values } = parseArgs({
    options: { context: { type: 'string', short: 'c', multiple: true }, items: { type: 'string', default: '500' }, keep: { type: 'boolean' }, help: { type: 'boolean' } },
    strict: true,
  });
  if (values.help) {
    write('Usage: npm run rehearse -- [-c key=value …] [--items 500] [--keep]\nThe CDK context as for cdk deploy (cdk.json, cdk.context.json, then -c); unset required keys take npm run synth\'s example values.');
    process.exit(0);
  }
  const items = Number(values.items);
  if (!Number.isInteger(items) || items < 1) throw new ConfigurationError('--items must be a whole number of items per resource and country, such as 500');
  const context = { example: true, ...Object.fromEntries((values.context ?? []).map((pair) => pair.split(/=(.*)/s).slice(0, 2))) };
  // Inside the project (cdk.out is git-ignored), so that a bundle's external @aws-sdk imports resolve as on Lambda's runtime.
  mkdirSync(CDK_OUT, { recursive: true });
  const outdir = mkdtempSync(join(CDK_OUT, 'rehearse-'));
  // PostgreSQL runs as its own user when we are root: it must be able to enter the directory.
  chmodSync(outdir, 0o755);
  let keep = values.keep ?? false;
  try {
    const started = Date.now();
    synthesize(outdir, context);
    write(`Synthesized the app into ${outdir} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const changes = { created: Math.ceil(items / 10), updated: Math.ceil(items / 5), deleted: Math.ceil(items / 20) };
    const result = await rehearse({ deployment: readDeployment(outdir), workDir: join(outdir, 'rehearsal'), items, changes, write });
    const pairs = result.executions.map(({ summary }) => `${summary.inSync} pairs`).join(', then ');
    write(`\nRehearsal passed in ${((Date.now() - started) / 1000).toFixed(1)} s: the full and the delta execution ended in sync (${pairs}), every mirror table equal to the API's data. Next: cdk deploy.`);
  } catch (error) {
    keep = true;
    throw error;
  } finally {
    if (keep) write(`The cloud assembly and the functions' logs stay in ${outdir} (logs in rehearsal/logs/).`);
    else rmSync(outdir, { recursive: true, force: true });
  }
} catch (error) {
  const known = error instanceof RehearsalFailed || error instanceof ConfigurationError;
  process.stderr.write(`${known ? `${error.name}: ${error.message}` : error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  exitCode = 1;
}
process.exit(exitCode);
