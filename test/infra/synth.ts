// Synthesizes the CDK app in-process, as `cdk synth` does: cdk.json's context, then the test's.
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { defineApp, type FocusSyncStack } from '../../infra/stack.ts';

export const CDK_JSON = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { app: string; context: Record<string, unknown> };

export const CONTEXT = { apiUrl: 'https://api.focus.example', businessService: 'promo', countries: 'de,at' };

export interface Synthesized {
  stack: FocusSyncStack;
  assembly: CloudAssembly;
  template: Template;
  /** The raw template, for what the assertions library does not reach. */
  json: { Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string; Metadata?: Record<string, unknown> }>; Outputs?: Record<string, unknown> };
  outdir: string;
  remove(): void;
}

/** `bundle: false` skips esbuild (CDK's own switch for stacks not being deployed): seconds saved. */
export function synthesize(context: Record<string, unknown> = {}, options: { bundle?: boolean } = {}): Synthesized {
  // Inside the project (cdk.out is git-ignored), so that a bundle's external @aws-sdk imports resolve.
  const parent = new URL('../../cdk.out/', import.meta.url).pathname;
  mkdirSync(parent, { recursive: true });
  const outdir = mkdtempSync(join(parent, 'test-'));
  const app = new App({
    outdir,
    context: {
      // What the cdk CLI sets: construct paths and asset paths in the template's metadata.
      'aws:cdk:enable-path-metadata': true,
      'aws:cdk:enable-asset-metadata': true,
      ...CDK_JSON.context, ...CONTEXT, ...context,
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
    },
  });
  const remove = () => rmSync(outdir, { recursive: true, force: true });
  try {
    const stack = defineApp(app);
    const assembly = app.synth();
    const json = assembly.getStackByName(stack.stackName).template as Synthesized['json'];
    return { stack, assembly, template: Template.fromJSON(json), json, outdir, remove };
  } catch (error) {
    remove();
    throw error;
  }
}

/** Every resource of a CloudFormation type, by logical id. */
export function resourcesOf(json: Synthesized['json'], type: string): Array<[string, NonNullable<Synthesized['json']['Resources'][string]>]> {
  return Object.entries(json.Resources).filter(([, resource]) => resource.Type === type);
}

type Json = Record<string, unknown>;
export type Statement = { Action: string | string[]; Resource?: unknown; Effect: string };
export type FunctionProperties = Json & { Environment: { Variables: Record<string, unknown> } };

/** The logical id a `Ref` or `Fn::GetAtt` points to. */
export function logicalIdOf(value: unknown): string | undefined {
  return (value as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0] ?? (value as { Ref?: string } | undefined)?.Ref;
}

/** The Lambda function of a Task state: its logical id is the state's name. */
export function fn(synth: Synthesized, state: string): FunctionProperties {
  return synth.json.Resources[state]!.Properties as FunctionProperties;
}

export function stateMachine(synth: Synthesized): Json {
  return resourcesOf(synth.json, 'AWS::StepFunctions::StateMachine')[0]![1].Properties as Json;
}

export function statements(policy: { PolicyDocument?: { Statement: Statement[] } } | undefined): Statement[] {
  return policy?.PolicyDocument?.Statement ?? [];
}

/** Every statement of a role's identity policies: its inline ones and the AWS::IAM::Policy resources attached to it. */
export function roleStatements(synth: Synthesized, roleId: string): Statement[] {
  const role = synth.json.Resources[roleId]!.Properties as { Policies?: Array<{ PolicyDocument: { Statement: Statement[] } }> };
  const attached = resourcesOf(synth.json, 'AWS::IAM::Policy')
    .filter(([, policy]) => (policy.Properties!.Roles as unknown[]).some((ref) => logicalIdOf(ref) === roleId))
    .flatMap(([, policy]) => statements(policy.Properties as never));
  return [...(role.Policies ?? []).flatMap((policy) => policy.PolicyDocument.Statement), ...attached];
}
