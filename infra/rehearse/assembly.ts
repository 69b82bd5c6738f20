// The cloud assembly as `cdk synth` writes it, read back: the stack's template, each function's
// bundle, and the state machine's definition and substitutions as they would be deployed.
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { App } from 'aws-cdk-lib';
import { ConfigurationError } from '../../functions/core/errors.ts';
import { defineApp } from '../stack.ts';
import type { TemplateJson } from './references.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

export interface LambdaFunction {
  /** Its logical id: a step's function has the name of its Task state. */
  id: string;
  runtime: string;
  /** `index.handler`: the file (without .mjs/.js) and the export. */
  handler: string;
  memoryMb: number;
  timeoutSeconds: number;
  /** As the template has it, references unresolved. */
  environment: Record<string, unknown>;
  bundleDir: string;
}

export interface Deployment {
  outdir: string;
  stackName: string;
  template: TemplateJson;
  functions: Map<string, LambdaFunction>;
  stateMachine: { id: string; definition: string; substitutions: Record<string, unknown> };
}

/** cdk.json's context, then cdk.context.json's, then the given one (`-c key=value`), as the cdk CLI merges them. */
export function synthesize(outdir: string, context: Record<string, unknown>): void {
  const cdkJson = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  const cached = existsSync(join(ROOT, 'cdk.context.json')) ? JSON.parse(readFileSync(join(ROOT, 'cdk.context.json'), 'utf8')) as Record<string, unknown> : {};
  const app = new App({ outdir, context: { ...cdkJson.context, ...cached, ...context } });
  defineApp(app);
  app.synth();
}

export function readDeployment(outdir: string): Deployment {
  const manifest = readJson<{ artifacts: Record<string, { type: string; properties?: { templateFile: string } }> }>(join(outdir, 'manifest.json'));
  const stacks = Object.entries(manifest.artifacts).filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack');
  if (stacks.length !== 1) throw new ConfigurationError(`The cloud assembly in ${outdir} holds ${stacks.length} stacks; the rehearsal runs one`);
  const [stackName, artifact] = stacks[0]!;
  const template = readJson<TemplateJson>(join(outdir, artifact.properties!.templateFile));
  const assets = readJson<{ files: Record<string, { source: { path: string } }> }>(join(outdir, `${stackName}.assets.json`)).files;
  const assetPath = (key: unknown, what: string) => {
    const hash = String(key).replace(/\.\w+$/, '');
    const asset = assets[hash];
    if (!asset) throw new ConfigurationError(`${what} names the asset ${String(key)}, which the cloud assembly does not hold`);
    return join(outdir, asset.source.path);
  };
  const functions = new Map(Object.entries(template.Resources).filter(([, resource]) => resource.Type === 'AWS::Lambda::Function').map(([id, resource]) => {
    const properties = resource.Properties as { Runtime?: string; Handler?: string; MemorySize?: number; Timeout?: number; Environment?: { Variables?: Record<string, unknown> }; Code: { S3Key?: unknown; ZipFile?: string } };
    return [id, {
      id,
      runtime: properties.Runtime ?? '',
      handler: properties.Handler ?? '',
      // Lambda's defaults.
      memoryMb: properties.MemorySize ?? 128,
      timeoutSeconds: properties.Timeout ?? 3,
      environment: properties.Environment?.Variables ?? {},
      bundleDir: properties.Code.S3Key === undefined ? '' : assetPath(properties.Code.S3Key, `The function ${id}`),
    }];
  }));
  const machines = Object.entries(template.Resources).filter(([, resource]) => resource.Type === 'AWS::StepFunctions::StateMachine');
  if (machines.length !== 1) throw new ConfigurationError(`The stack ${stackName} has ${machines.length} state machines; the rehearsal runs one`);
  const [id, machine] = machines[0]!;
  const properties = machine.Properties as { DefinitionString?: unknown; DefinitionS3Location?: { Key: unknown }; DefinitionSubstitutions?: Record<string, unknown> };
  const definition = properties.DefinitionS3Location
    ? readFileSync(assetPath(properties.DefinitionS3Location.Key, `The state machine ${id}`), 'utf8')
    : properties.DefinitionString;
  if (typeof definition !== 'string') throw new ConfigurationError(`The state machine ${id} has a definition the rehearsal cannot read (neither an asset nor a plain string)`);
  return { outdir, stackName, template, functions, stateMachine: { id, definition, substitutions: properties.DefinitionSubstitutions ?? {} } };
}

/** The module a handler such as `index.handler` names, as Lambda's Node.js runtime looks for it. */
export function handlerModule(fn: LambdaFunction): string {
  const base = join(fn.bundleDir, fn.handler.slice(0, fn.handler.lastIndexOf('.')));
  return ['.mjs', '.js', '.cjs'].map((extension) => base + extension).find((file) => existsSync(file)) ?? `${base}.mjs`;
}

/** cdk.out/…/asset.1a2b…/index.mjs, relative to the project: what a report names. */
export function bundleFile(fn: LambdaFunction): string {
  return relative(ROOT, handlerModule(fn));
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}
