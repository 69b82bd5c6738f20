// CDK context: validated with names and reasons, and each option changing only what it says.
import { App } from 'aws-cdk-lib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigurationError } from '../../functions/core/errors.ts';
import { EXAMPLE_CONTEXT, readSettings } from '../../infra/context.ts';
import { CONTEXT, resourcesOf, synthesize } from './synth.ts';

const API_SECRET_ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:focus-api-AbCdEf';
const DATABASE_SECRET_ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:focus-db-GhIjKl';

const VPC_LOOKUP_KEY = 'vpc-provider:account=123456789012:filter.vpc-id=vpc-0123456789abcdef0:region=eu-central-1:returnAsymmetricSubnets=true';
const VPC_LOOKUP = {
  vpcId: 'vpc-0123456789abcdef0',
  vpcCidrBlock: '10.0.0.0/16',
  availabilityZones: [],
  subnetGroups: [
    { name: 'Private', type: 'Private', subnets: [{ subnetId: 'subnet-0a1', cidr: '10.0.1.0/24', availabilityZone: 'eu-central-1a', routeTableId: 'rtb-0a1' }, { subnetId: 'subnet-0a2', cidr: '10.0.2.0/24', availabilityZone: 'eu-central-1b', routeTableId: 'rtb-0a2' }] },
    { name: 'Isolated', type: 'Isolated', subnets: [{ subnetId: 'subnet-0b1', cidr: '10.0.3.0/24', availabilityZone: 'eu-central-1a', routeTableId: 'rtb-0b1' }, { subnetId: 'subnet-0b2', cidr: '10.0.4.0/24', availabilityZone: 'eu-central-1b', routeTableId: 'rtb-0b2' }] },
  ],
};

// An App without an outdir makes a temporary folder of its own, and leaves it: one for them all.
const outdir = mkdtempSync(join(tmpdir(), 'focus-sync-context-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

function settings(context: Record<string, unknown>) {
  return readSettings(new App({ context, outdir }).node);
}

function refusal(context: Record<string, unknown>): string {
  try {
    settings(context);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as Error).message;
  }
  throw new Error('expected the context to be refused');
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('CDK context', () => {
  it('has defaults for everything but where the API is and what to sync', () => {
    expect(settings(CONTEXT)).toEqual({
      apiUrl: 'https://api.focus.example', apiVersion: '1', businessService: 'promo', countries: ['de', 'at'], lang: undefined,
      tableSchemaPrefix: 'focus_', mapConcurrency: 4, schedule: 'rate(1 hour)', fullCheckSchedule: 'off', alarmEmail: undefined, apiSecret: undefined,
      outOfSyncRepair: 'delta-then-full', lookbackSeconds: 0, leaseSeconds: 120, leaseWaitSeconds: 10, apiStallSeconds: 60, logLevel: 'INFO', maxLagMinutes: 180,
      vpcId: undefined, databaseSecretArn: undefined, databaseInstanceType: 't4g.micro', multiAz: false,
    });
  });

  it('lets a pair lag three schedule intervals before PairsStale fires, unless maxLagMinutes says otherwise', () => {
    expect(settings({ ...CONTEXT, schedule: 'rate(30 minutes)' }).maxLagMinutes).toBe(90);
    expect(settings({ ...CONTEXT, schedule: 'cron(15 * * * ? *)' }).maxLagMinutes).toBe(180);
    expect(settings({ ...CONTEXT, schedule: 'cron(0 2 * * ? *)' }).maxLagMinutes).toBe(3 * 1440);
    expect(settings({ ...CONTEXT, schedule: 'rate(7 days)' }).maxLagMinutes).toBe(10_080);
    expect(settings({ ...CONTEXT, schedule: 'cron(0 8 ? * MON-FRI *)', maxLagMinutes: '4000' }).maxLagMinutes).toBe(4000);
    expect(refusal({ ...CONTEXT, schedule: 'cron(0 8 ? * MON-FRI *)' })).toContain('maxLagMinutes must be set for the schedule cron(0 8 ? * MON-FRI *)');
    // Runs only by hand: nothing to be late for, unless asked.
    expect(settings({ ...CONTEXT, schedule: 'off' }).maxLagMinutes).toBeUndefined();
  });

  it('names every missing key and how to set it', () => {
    const message = refusal({});
    expect(message).toContain('apiUrl is not set; businessService is not set; countries is not set');
    expect(message).toContain('-c key=value');
  });

  it('names a wrong value and what it must be', () => {
    const message = refusal({
      ...CONTEXT, apiUrl: 'http://api.focus.example', mapConcurrency: '41', schedule: 'every hour', fullCheckSchedule: 'weekly', alarmEmail: 'ops', countries: 'de;at', vpcId: 'vpc 1', logLevel: 'chatty',
      apiSecret: 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:focus-api', databaseSecretArn: 'focus-db',
    });
    expect(message).toContain('apiUrl must be an https:// URL');
    expect(message).toContain('mapConcurrency must be at most 40');
    expect(message).toContain('schedule must be an EventBridge expression such as rate(1 hour)');
    expect(message).toContain('fullCheckSchedule must be an EventBridge expression such as rate(1 hour)');
    expect(message).toContain('alarmEmail must be an email address');
    expect(message).toContain('countries must be country codes');
    expect(message).toContain('vpcId must be a VPC id');
    expect(message).toContain('apiSecret must be the name or the complete ARN (ending in -xxxxxx)');
    expect(message).toContain('databaseSecretArn must be the complete ARN');
    expect(message).toContain('logLevel must be one of TRACE, DEBUG, INFO, WARN, ERROR, CRITICAL, SILENT');
  });

  it('takes values as -c gives them (strings) or as cdk.json gives them (arrays, numbers, booleans)', () => {
    expect(settings({ ...CONTEXT, countries: ['de', 'at'], mapConcurrency: 8, multiAz: true })).toMatchObject({ countries: ['de', 'at'], mapConcurrency: 8, multiAz: true });
    expect(settings({ ...CONTEXT, mapConcurrency: '8', multiAz: 'true', schedule: 'cron(0 2 * * ? *)', logLevel: 'debug' })).toMatchObject({ mapConcurrency: 8, multiAz: true, schedule: 'cron(0 2 * * ? *)', logLevel: 'DEBUG' });
  });

  it('fills in example values only when asked (npm run synth), never over what is set', () => {
    expect(settings({ example: 'true' })).toMatchObject({ apiUrl: EXAMPLE_CONTEXT.apiUrl, businessService: EXAMPLE_CONTEXT.businessService, countries: ['de'] });
    expect(settings({ example: 'true', apiUrl: 'https://real.example' }).apiUrl).toBe('https://real.example');
  });
});

describe('the app with its options', () => {
  it('needs no AWS account by default: no lookups, an environment-agnostic stack', () => {
    const synth = synthesize();
    try {
      expect(synth.assembly.manifest.missing).toBeUndefined();
      expect(synth.stack.resolve(synth.stack.account)).toEqual({ Ref: 'AWS::AccountId' });
    } finally {
      synth.remove();
    }
  });

  it('uses existing secrets instead of creating them, and no database then', () => {
    const synth = synthesize({ apiSecret: API_SECRET_ARN, databaseSecretArn: DATABASE_SECRET_ARN, schedule: 'off', alarmEmail: 'ops@example.com' });
    try {
      expect(resourcesOf(synth.json, 'AWS::SecretsManager::Secret')).toEqual([]);
      expect(resourcesOf(synth.json, 'AWS::RDS::DBInstance')).toEqual([]);
      const variables = (synth.json.Resources.FullLoad!.Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables;
      expect(variables).toMatchObject({ FOCUS_API_SECRET_ARN: API_SECRET_ARN, DATABASE_SECRET_ARN: DATABASE_SECRET_ARN });
      const [, policy] = resourcesOf(synth.json, 'AWS::IAM::Policy').find(([id]) => id.startsWith('FullLoadRole'))!;
      const secretStatements = (policy.Properties as { PolicyDocument: { Statement: Array<{ Action: string[]; Resource: unknown }> } }).PolicyDocument.Statement
        .filter((statement) => statement.Action.includes('secretsmanager:GetSecretValue'));
      expect(secretStatements.map((statement) => statement.Resource)).toEqual([[API_SECRET_ARN, DATABASE_SECRET_ARN]]);
      expect(resourcesOf(synth.json, 'AWS::Events::Rule').filter(([, rule]) => rule.Properties?.ScheduleExpression)).toEqual([]);
      synth.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    } finally {
      synth.remove();
    }
  });

  it('adds a second schedule of forced full reloads when given fullCheckSchedule, beside the hourly one', () => {
    const synth = synthesize({ fullCheckSchedule: 'cron(0 3 ? * SUN *)' });
    try {
      // The schedules, not the ExecutionEnded rule (an event pattern, no input).
      const rules = resourcesOf(synth.json, 'AWS::Events::Rule').map(([, rule]) => rule.Properties as { ScheduleExpression?: string; Targets: Array<{ Input: string }> })
        .filter((rule) => rule.ScheduleExpression);
      expect(rules.map((rule) => [rule.ScheduleExpression, JSON.parse(rule.Targets[0]!.Input)])).toEqual([['rate(1 hour)', {}], ['cron(0 3 ? * SUN *)', { mode: 'full' }]]);
    } finally {
      synth.remove();
    }
  });

  it('looks up an existing VPC only when given its id, in the deployment\'s account and region, and uses its subnets', () => {
    vi.stubEnv('CDK_DEFAULT_ACCOUNT', '');
    expect(() => synthesize({ vpcId: 'vpc-0123456789abcdef0' })).toThrow('vpcId needs the account and region');
    vi.stubEnv('CDK_DEFAULT_ACCOUNT', '123456789012');
    vi.stubEnv('CDK_DEFAULT_REGION', 'eu-central-1');
    // What `cdk deploy` caches in cdk.context.json after the lookup; a wrong key would leave CDK's dummy VPC, which fails validation.
    const synth = synthesize({ vpcId: 'vpc-0123456789abcdef0', multiAz: 'true', apiSecret: 'focus/api', [VPC_LOOKUP_KEY]: VPC_LOOKUP });
    try {
      expect(synth.assembly.manifest.missing).toBeUndefined();
      expect(resourcesOf(synth.json, 'AWS::EC2::VPC')).toEqual([]);
      expect((synth.json.Resources.FullLoad!.Properties as { VpcConfig: { SubnetIds: string[] } }).VpcConfig.SubnetIds).toEqual(['subnet-0a1', 'subnet-0a2']);
      synth.template.hasResourceProperties('AWS::RDS::DBSubnetGroup', { SubnetIds: ['subnet-0b1', 'subnet-0b2'] });
      synth.template.hasResourceProperties('AWS::RDS::DBInstance', { MultiAZ: true });
      // A secret imported by name: Secrets Manager's six-character suffix is matched, nothing wider.
      const [, policy] = resourcesOf(synth.json, 'AWS::IAM::Policy').find(([id]) => id.startsWith('FullLoadRole'))!;
      expect(JSON.stringify(policy)).toContain(':secret:focus/api-??????"');
    } finally {
      synth.remove();
    }
  });
});
