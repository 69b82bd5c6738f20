// npm run rehearse: the synthesized stack's own state machine and bundles, each function in its
// sandbox with the template's environment, against the simulator and a TLS-only PostgreSQL.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../functions/core/db/connection.ts';
import { readDeployment, synthesize, type Deployment } from '../../infra/rehearse/assembly.ts';
import { createCertificates } from '../../infra/rehearse/certificates.ts';
import { rehearse, RehearsalFailed } from '../../infra/rehearse/rehearsal.ts';
import { startEmbeddedPostgres } from '../../statemachine/local/embedded-postgres.ts';
import { CONTEXT } from './synth.ts';

const CDK_OUT = new URL('../../cdk.out/', import.meta.url).pathname;
const CHANGES = { created: 4, updated: 6, deleted: 2 };

let outdir: string;
let deployment: Deployment;
beforeAll(() => {
  mkdirSync(CDK_OUT, { recursive: true });
  outdir = mkdtempSync(join(CDK_OUT, 'test-rehearse-'));
  chmodSync(outdir, 0o755);
  synthesize(outdir, CONTEXT);
  deployment = readDeployment(outdir);
}, 180_000);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

let runs = 0;
async function rehearseWith(change: (deployment: Deployment) => void = () => {}) {
  const lines: string[] = [];
  const copy: Deployment = { ...deployment, functions: new Map([...deployment.functions].map(([id, fn]) => [id, structuredClone(fn)])) };
  change(copy);
  const run = rehearse({ deployment: copy, workDir: join(outdir, `run-${++runs}`), items: 30, changes: CHANGES, write: (line) => lines.push(line) });
  return { run, lines };
}

describe('npm run rehearse', () => {
  it('runs the deployed definition twice, full then delta, each Task served by its own function\'s bundle, and ends with the mirror equal to the API', async () => {
    const { run, lines } = await rehearseWith();
    const { executions, served } = await run;
    expect(executions.map(({ summary }) => [summary.inSync, summary.failed])).toEqual([[4, 0], [4, 0]]);
    expect(executions.map(({ summary }) => [...new Set(summary.pairs.map((pair) => pair.load))])).toEqual([['full'], ['delta']]);
    // Every state was served by the function the template binds it to, from the bundle in the cloud assembly.
    for (const { state, fn, invocation, error } of served) {
      expect(error, state).toBeUndefined();
      expect(fn.id).toBe(state);
      expect(fn.runtime).toBe('nodejs24.x');
      expect(fn.bundleDir.startsWith(outdir)).toBe(true);
      expect(invocation!.peakMb, state).toBeLessThanOrEqual(fn.memoryMb);
    }
    expect(new Set(served.map(({ state }) => state))).toEqual(new Set(['Authenticate', 'LoadSchema', 'BuildDbSchema', 'GetClientState', 'FullLoad', 'CheckServerState', 'CompareState', 'Summarize', 'LoadCreated', 'LoadUpdated', 'ApplyDelta']));
    // Warm sandboxes serve the second execution, as on Lambda.
    expect(served.find(({ state, invocation }) => state === 'Authenticate' && !invocation!.cold)).toBeDefined();
    expect(lines.join('\n')).toMatch(/^FullLoad +promotions\/de +FullLoad · asset\.\w{8}…\/index\.mjs +cold +\d+ ms +peak \d+ of 1769 MB$/m);
    expect(lines.join('\n')).toContain('NODE_EXTRA_CA_CERTS /var/runtime/ca-cert.pem →');
  }, 180_000);

  it('fails naming the function and the variable when infra gives one function a variable the configuration does not read', async () => {
    const { run } = await rehearseWith((copy) => {
      const { environment } = copy.functions.get('FullLoad')!;
      environment.FOCUS_BUSINESS = environment.FOCUS_BUSINESS_SERVICE;
      delete environment.FOCUS_BUSINESS_SERVICE;
    });
    const error = await run.then(() => undefined, (failure: unknown) => failure);
    expect(error).toBeInstanceOf(RehearsalFailed);
    const { message } = error as RehearsalFailed;
    expect(message).toContain('FullLoad\'s environment sets FOCUS_BUSINESS, which focus-sync does not read');
    expect(message).toMatch(/FullLoad \(cdk\.out\/test-rehearse-\w+\/asset\.\w+\/index\.mjs\) failed 4 times with ConfigurationError: Configuration is incomplete: FOCUS_BUSINESS_SERVICE is not set/);
    expect(message).not.toMatch(/^- (?!FullLoad)\w+ \(/m);
  }, 180_000);

  it('fails naming the function when it does not trust the database\'s certificate (no NODE_EXTRA_CA_CERTS): verify-full is checked', async () => {
    const { run } = await rehearseWith((copy) => {
      delete copy.functions.get('BuildDbSchema')!.environment.NODE_EXTRA_CA_CERTS;
    });
    await expect(run).rejects.toThrow(/BuildDbSchema \(.*index\.mjs\) failed 1 time with DatabaseError: .*unable to verify the first certificate/);
  }, 180_000);
});

describe('the rehearsal\'s PostgreSQL', () => {
  it('accepts only TLS, as rds.force_ssl does, with a certificate for localhost that verify-full accepts given the CA', async () => {
    const dir = join(outdir, 'tls-only');
    const certificates = await createCertificates(join(dir, 'tls'));
    const postgres = await startEmbeddedPostgres(join(dir, 'postgres'), { persistent: false, tls: certificates });
    const url = postgres.url.replace('127.0.0.1', 'localhost');
    try {
      const plain = connect(url, { ssl: 'disable', max: 1 });
      await expect(plain`SELECT 1`).rejects.toThrow(/no pg_hba\.conf entry .* no encryption/);
      await plain.end();
      const { default: postgresJs } = await import('postgres');
      const verified = postgresJs(url, { ssl: { ca: readFileSync(certificates.caFile, 'utf8'), rejectUnauthorized: true, servername: 'localhost' }, max: 1 });
      expect(await verified`SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()`).toEqual([{ ssl: true }]);
      await verified.end();
    } finally {
      await postgres.stop();
    }
  }, 60_000);
});
