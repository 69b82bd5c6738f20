// The functions, one per Task state, as synthesized with real esbuild bundles: entries, runtime,
// bundles that load, sizes and timeouts, settings and secrets, and the definition that calls them.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, SECRET_VARIABLES, type Part } from '../../functions/core/config.ts';
import { STEP_READS } from '../../functions/core/secrets.ts';
import { handlerFile, taskStates } from '../../statemachine/local/definition.ts';
import { DEFINITION_FILE, loadDefinition, localFunctionArn } from '../../statemachine/local/runner.ts';
import { fn, logicalIdOf, resourcesOf, stateMachine, synthesize, type Synthesized } from './synth.ts';

const aslText = readFileSync(DEFINITION_FILE, 'utf8');
const asl = JSON.parse(aslText) as { States: Record<string, unknown>; TimeoutSeconds?: number };
const tasks = taskStates(asl);
// The steps that read lines (ApplyDelta reads the deleted ones).
const LOADERS = ['FullLoad', 'LoadCreated', 'LoadUpdated', 'ApplyDelta'];
const PINNED_NODE = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies.node!;

let synth: Synthesized;
beforeAll(() => {
  synth = synthesize({}, { bundle: true });
}, 180_000);
afterAll(() => synth?.remove());

function assetDir(synth: Synthesized, state: string): string {
  return join(synth.outdir, synth.json.Resources[state]!.Metadata!['aws:asset:path'] as string);
}

/** Task state name → its TimeoutSeconds, wherever it is nested. */
function taskTimeouts(states: Record<string, unknown>): Record<string, number> {
  return Object.fromEntries(Object.entries(states).flatMap(([name, value]) => {
    const state = value as { Type: string; TimeoutSeconds?: number; ItemProcessor?: { States: Record<string, unknown> }; Branches?: Array<{ States: Record<string, unknown> }> };
    const nested = [state.ItemProcessor, ...(state.Branches ?? [])].flatMap((child) => (child ? Object.entries(taskTimeouts(child.States)) : []));
    return [...(state.Type === 'Task' ? [[name, state.TimeoutSeconds ?? Infinity] as const] : []), ...nested];
  }));
}

describe('the step functions', () => {
  it('has one function per Task state of the ASL, with the state\'s name as its id and its handler file as entry', () => {
    expect([...synth.stack.functions.keys()]).toEqual(tasks);
    // And ReleaseExecution, which EventBridge invokes (test/infra/stack.test.ts).
    expect(Object.keys(STEP_READS).sort()).toEqual([...tasks, 'ReleaseExecution'].sort());
    for (const state of tasks) {
      const resource = synth.json.Resources[state]!;
      expect(resource.Type, state).toBe('AWS::Lambda::Function');
      expect(resource.Metadata!['aws:cdk:path'], state).toBe(`FocusSync/${state}/Resource`);
      expect(fn(synth, state).Handler, state).toBe('index.handler');
      const map = JSON.parse(readFileSync(join(assetDir(synth, state), 'index.mjs.map'), 'utf8')) as { sources: string[] };
      expect(map.sources.some((source) => source.endsWith(`functions/steps/${handlerFile(state)}`)), state).toBe(true);
    }
  });

  it('deploys the ASL file unchanged, each placeholder filled with the function of its own state', async () => {
    const { DefinitionS3Location: location, DefinitionSubstitutions: substitutions } = stateMachine(synth) as { DefinitionS3Location: { Key: string }; DefinitionSubstitutions: Record<string, unknown> };
    const deployed = readFileSync(join(synth.outdir, `asset.${location.Key}`), 'utf8');
    expect(deployed).toBe(aslText);
    const placeholders = [...deployed.matchAll(/\$\{(\w+)\}/g)].map((match) => match[1]!);
    expect(Object.keys(substitutions).sort()).toEqual([...new Set(placeholders)].sort());
    const filled = deployed.replace(/\$\{(\w+)FunctionArn\}/g, (_, state: string) => localFunctionArn(logicalIdOf(substitutions[`${state}FunctionArn`])!));
    expect(filled).not.toMatch(/\$\{/);
    expect(JSON.parse(filled)).toEqual(await loadDefinition());
  });

  it('runs every step on Node.js 24 on arm64, as a minified ES module with source maps and the AWS SDK left to the runtime', () => {
    // What deploys is the major version that the tests, the benchmark and the rehearsal ran on.
    expect(PINNED_NODE).toMatch(/^24\.\d+\.\d+$/);
    expect(process.versions.node.split('.')[0]).toBe('24');
    for (const state of [...tasks, 'ReleaseExecution']) {
      expect(fn(synth, state).Runtime, state).toBe(`nodejs${PINNED_NODE.split('.')[0]}.x`);
      expect(fn(synth, state).Architectures, state).toEqual(['arm64']);
      expect(fn(synth, state).Environment.Variables.NODE_OPTIONS, state).toBe('--enable-source-maps');
      const bundle = readFileSync(join(assetDir(synth, state), 'index.mjs'), 'utf8');
      expect(bundle, state).toMatch(/from\s*"@aws-sdk\/client-secrets-manager"/);
      // Minified: long lines (newlines survive only inside strings).
      expect(bundle.length / bundle.split('\n').length, state).toBeGreaterThan(500);
      // Small: zod is imported as a namespace so that esbuild leaves out its 64 locales (about 350 KB).
      expect(bundle.length / 1024, state).toBeLessThan(300);
    }
    // The one other function: CDK's own custom resource that empties the VPC's default security group.
    const others = resourcesOf(synth.json, 'AWS::Lambda::Function').filter(([id]) => ![...tasks, 'ReleaseExecution'].includes(id));
    expect(others.map(([id]) => id)).toEqual([expect.stringMatching(/^CustomVpcRestrictDefaultSG/)]);
  });

  it('bundles handlers that Node.js loads as they are', async () => {
    for (const state of ['Authenticate', 'FullLoad']) {
      const module = (await import(join(assetDir(synth, state), 'index.mjs'))) as { handler?: unknown };
      expect(typeof module.handler, state).toBe('function');
    }
  });

  it('gives the loaders up to 15 minutes and one whole vCPU (1,769 MB), the others less, and ends every function before its Task state times out', () => {
    const stateTimeouts = taskTimeouts(asl.States);
    for (const state of tasks) {
      const { Timeout: timeout, MemorySize: memory } = fn(synth, state) as unknown as { Timeout: number; MemorySize: number };
      expect(timeout, state).toBeLessThan(stateTimeouts[state]!);
      if (LOADERS.includes(state)) {
        expect(timeout, state).toBeGreaterThanOrEqual(600);
        expect(timeout, state).toBeLessThanOrEqual(900);
        expect(memory, state).toBe(1769);
      } else {
        expect(timeout, state).toBeLessThanOrEqual(300);
        expect(memory, state).toBeLessThanOrEqual(512);
      }
    }
    expect(asl.TimeoutSeconds).toBeGreaterThan(0);
  });

  it('gives each function its settings and the ARNs of only the secrets its step reads, never a secret value', () => {
    const apiSecret = resourcesOf(synth.json, 'AWS::SecretsManager::Secret').find(([id]) => id.startsWith('ApiCredentials'))![0];
    const databaseSecret = resourcesOf(synth.json, 'AWS::SecretsManager::SecretTargetAttachment')[0]![0];
    for (const state of tasks) {
      const reads: readonly Part[] = STEP_READS[state as keyof typeof STEP_READS];
      const variables = fn(synth, state).Environment.Variables;
      expect(variables, state).toMatchObject({ NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem', FOCUS_API_URL: 'https://api.focus.example', FOCUS_BUSINESS_SERVICE: 'promo', FOCUS_COUNTRIES: 'de,at', FOCUS_MAP_CONCURRENCY: '4', FOCUS_OUT_OF_SYNC_REPAIR: 'delta-then-full', FOCUS_LEASE_SECONDS: '120', FOCUS_LOG_LEVEL: 'INFO' });
      // Declared for sam local invoke --env-vars only: always empty here.
      const plain = Object.entries(variables).filter(([name]) => /PASSWORD|USERNAME|DATABASE_URL|TOKEN/.test(name));
      expect(plain.filter(([, value]) => value !== ''), state).toEqual([]);
      expect(logicalIdOf(variables[SECRET_VARIABLES.api]), state).toBe(reads.includes('api') ? apiSecret : undefined);
      expect(logicalIdOf(variables[SECRET_VARIABLES.database]), state).toBe(reads.includes('database') ? databaseSecret : undefined);
      expect(variables.DATABASE_SSL, state).toBe(reads.includes('database') ? 'verify-full' : undefined);
      // The function's configuration loads from exactly this environment and its step's secrets.
      const env = Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, typeof value === 'string' ? value : 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:x']));
      const secrets = { api: { username: 'u', password: 'p' }, database: { host: 'db.internal', port: 5432, dbname: 'focus', username: 'u', password: 'p' } };
      expect(() => loadConfig(env, { reads, secrets: Object.fromEntries(reads.map((part) => [part, secrets[part]])) }), state).not.toThrow();
    }
  });

  it('has a SAM-style event for every function id, for sam local invoke', () => {
    for (const state of tasks) {
      expect(() => readFileSync(new URL(`../events/${basename(handlerFile(state), '.ts')}.json`, import.meta.url)), state).not.toThrow();
    }
  });
});
