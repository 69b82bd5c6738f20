// The rest of the stack, synthesized once without bundling: permissions, database, schedule,
// logging and tracing, alarms, outputs, and cdk-nag.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET_VARIABLES } from '../../functions/core/config.ts';
import { STEP_READS } from '../../functions/core/secrets.ts';
import { taskStates } from '../../statemachine/local/definition.ts';
import { DEFINITION_FILE } from '../../statemachine/local/runner.ts';
import { fn, logicalIdOf, resourcesOf, roleStatements, stateMachine, statements, synthesize, type Statement, type Synthesized } from './synth.ts';

type Json = Record<string, unknown>;

const tasks = taskStates(JSON.parse(readFileSync(DEFINITION_FILE, 'utf8')) as { States: Record<string, unknown> });

let synth: Synthesized;
beforeAll(() => {
  synth = synthesize();
}, 120_000);
afterAll(() => synth?.remove());

const actionsOf = (statement: Statement) => [statement.Action].flat();
const resourcesIn = (statement: Statement) => [statement.Resource].flat();

describe('the stack', () => {
  it('lets each function\'s role read only the secrets its step reads', () => {
    const secretIds = new Set([...resourcesOf(synth.json, 'AWS::SecretsManager::Secret'), ...resourcesOf(synth.json, 'AWS::SecretsManager::SecretTargetAttachment')].map(([id]) => id));
    for (const state of tasks) {
      const roleId = logicalIdOf(fn(synth, state).Role)!;
      expect((synth.json.Resources[roleId]!.Properties as Json).ManagedPolicyArns, state).toBeUndefined();
      const readable = roleStatements(synth, roleId).filter((statement) => actionsOf(statement).some((action) => action.startsWith('secretsmanager:')))
        .flatMap((statement) => resourcesIn(statement).map(logicalIdOf));
      const variables = fn(synth, state).Environment.Variables;
      const given = [variables[SECRET_VARIABLES.api], variables[SECRET_VARIABLES.database]].filter(Boolean).map(logicalIdOf);
      expect(readable.sort(), state).toEqual(given.sort());
      expect(readable.every((id) => secretIds.has(id!)), state).toBe(true);
    }
  });

  it('names the actions of every IAM statement, and the resources of all but those AWS cannot scope', () => {
    const unscopable = /^(ec2:(Create|Delete|Describe)NetworkInterfaces?|ec2:DescribeSubnets|ec2:(Assign|Unassign)PrivateIpAddresses|xray:(PutTraceSegments|PutTelemetryRecords|GetSamplingRules|GetSamplingTargets)|logs:(Create|Get|Update|Delete)LogDelivery|logs:ListLogDeliveries|logs:PutResourcePolicy|logs:DescribeResourcePolicies|logs:DescribeLogGroups)$/;
    const all = [
      ...resourcesOf(synth.json, 'AWS::IAM::Policy').map(([id, policy]) => [id, statements(policy.Properties as never)] as const),
      ...resourcesOf(synth.json, 'AWS::IAM::Role').map(([id, role]) => [id, ((role.Properties as { Policies?: Array<{ PolicyDocument: { Statement: Statement[] } }> }).Policies ?? []).flatMap((policy) => policy.PolicyDocument.Statement)] as const),
    ];
    expect(all.length).toBeGreaterThan(12);
    for (const [id, list] of all) {
      for (const statement of list.filter((candidate) => candidate.Effect === 'Allow')) {
        for (const action of actionsOf(statement)) expect(action, id).not.toMatch(/(^|:)\*$/);
        expect(statement.Resource, id).toBeDefined();
        if (resourcesIn(statement).includes('*')) {
          for (const action of actionsOf(statement)) expect(action, `${id} grants ${action} on *`).toMatch(unscopable);
        }
      }
    }
  });

  it('keeps the database private, encrypted, backed up, protected from deletion and TLS-only, open to the functions alone', () => {
    synth.template.hasResource('AWS::RDS::DBInstance', {
      Properties: {
        Engine: 'postgres', EngineVersion: '16', StorageEncrypted: true, PubliclyAccessible: false,
        BackupRetentionPeriod: 7, DeletionProtection: true, DBName: 'focus',
      },
      DeletionPolicy: 'Snapshot',
      UpdateReplacePolicy: 'Snapshot',
    });
    synth.template.hasResourceProperties('AWS::RDS::DBParameterGroup', { Family: 'postgres16', Parameters: { 'rds.force_ssl': '1' } });
    const [, subnetGroup] = resourcesOf(synth.json, 'AWS::RDS::DBSubnetGroup')[0]!;
    for (const subnet of (subnetGroup.Properties!.SubnetIds as unknown[]).map(logicalIdOf)) {
      expect((synth.json.Resources[subnet!]!.Properties as { MapPublicIpOnLaunch?: boolean }).MapPublicIpOnLaunch).toBe(false);
      expect(subnet).toMatch(/^Vpcdatabase/);
    }
    const ingress = resourcesOf(synth.json, 'AWS::EC2::SecurityGroupIngress');
    expect(ingress).toHaveLength(1);
    expect(logicalIdOf(ingress[0]![1].Properties!.SourceSecurityGroupId)).toMatch(/^DatabaseClients/);
    const databaseUsers = tasks.filter((state) => STEP_READS[state as keyof typeof STEP_READS].includes('database' as never));
    for (const state of tasks) {
      const groups = ((fn(synth, state).VpcConfig as { SecurityGroupIds: unknown[] }).SecurityGroupIds).map(logicalIdOf);
      expect(groups.some((group) => group!.startsWith('DatabaseClients')), state).toBe(databaseUsers.includes(state));
    }
  });

  it('starts the state machine with an empty input on the schedule, through a role that may start only it', () => {
    const [, rule] = resourcesOf(synth.json, 'AWS::Events::Rule').find(([, candidate]) => candidate.Properties?.ScheduleExpression)!;
    const target = (rule.Properties!.Targets as Array<{ Arn: unknown; Input: string; RoleArn: unknown }>)[0]!;
    const stateMachineId = resourcesOf(synth.json, 'AWS::StepFunctions::StateMachine')[0]![0];
    expect(rule.Properties!.ScheduleExpression).toBe('rate(1 hour)');
    expect(logicalIdOf(target.Arn)).toBe(stateMachineId);
    expect(JSON.parse(target.Input)).toEqual({});
    expect(roleStatements(synth, logicalIdOf(target.RoleArn)!)).toEqual([{ Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: stateMachineId } }]);
  });

  it('runs a Standard state machine that logs every state without its data and traces with X-Ray, as do the functions', () => {
    const properties = stateMachine(synth) as { StateMachineType: string; LoggingConfiguration: { Level: string; IncludeExecutionData: boolean }; TracingConfiguration: { Enabled: boolean } };
    expect(properties.StateMachineType).toBe('STANDARD');
    expect(properties.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: false });
    expect(properties.TracingConfiguration).toEqual({ Enabled: true });
    for (const state of tasks) {
      expect(fn(synth, state).TracingConfig, state).toEqual({ Mode: 'Active' });
      const logGroup = synth.json.Resources[logicalIdOf((fn(synth, state).LoggingConfig as { LogGroup: unknown }).LogGroup)!]!;
      expect((logGroup.Properties as { RetentionInDays?: number }).RetentionInDays, state).toBeGreaterThan(0);
    }
  });

  it('alarms on failed, timed-out and throttled executions, to a topic that requires TLS', () => {
    const topicId = resourcesOf(synth.json, 'AWS::SNS::Topic')[0]![0];
    const stateMachineId = resourcesOf(synth.json, 'AWS::StepFunctions::StateMachine')[0]![0];
    const alarms = resourcesOf(synth.json, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties as { MetricName: string; Namespace: string; Dimensions: Array<{ Value: unknown }>; AlarmActions: unknown[] })
      .filter((alarm) => alarm.Namespace === 'AWS/States');
    expect(alarms.map((alarm) => alarm.MetricName).sort()).toEqual(['ExecutionThrottled', 'ExecutionsFailed', 'ExecutionsTimedOut']);
    for (const alarm of alarms) {
      expect(logicalIdOf(alarm.Dimensions[0]!.Value)).toBe(stateMachineId);
      expect(alarm.AlarmActions.map(logicalIdOf)).toEqual([topicId]);
    }
    synth.template.hasResourceProperties('AWS::SNS::TopicPolicy', { PolicyDocument: { Statement: [{ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }] } });
  });

  it('alarms on pairs out of sync, from the metric Summarize publishes, to the same topic', () => {
    const topicId = resourcesOf(synth.json, 'AWS::SNS::Topic')[0]![0];
    synth.template.resourceCountIs('AWS::CloudWatch::Alarm', 5);
    synth.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'FocusSync', MetricName: 'PairsOutOfSync', Dimensions: [{ Name: 'service', Value: 'focus-sync' }],
      Statistic: 'Sum', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: topicId }],
    });
  });

  it('alarms when a pair has not been in sync for three schedule intervals, or when no execution reports at all', () => {
    synth.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'FocusSync', MetricName: 'PairLagMinutes', Dimensions: [{ Name: 'service', Value: 'focus-sync' }],
      Statistic: 'Maximum', Period: 180 * 60, Threshold: 180, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'breaching',
    });
    expect(fn(synth, 'Summarize').Environment.Variables.FOCUS_MAX_LAG_MINUTES).toBe('180');
  });

  it('releases an execution that ends ABORTED, TIMED_OUT or FAILED through ReleaseExecution, and lets GetClientState ask about this state machine\'s executions only', () => {
    const stateMachineId = resourcesOf(synth.json, 'AWS::StepFunctions::StateMachine')[0]![0];
    const [, rule] = resourcesOf(synth.json, 'AWS::Events::Rule').find(([, candidate]) => candidate.Properties?.EventPattern)!;
    expect(rule.Properties!.EventPattern).toEqual({
      'source': ['aws.states'], 'detail-type': ['Step Functions Execution Status Change'],
      'detail': { stateMachineArn: [{ Ref: stateMachineId }], status: ['ABORTED', 'TIMED_OUT', 'FAILED'] },
    });
    const target = (rule.Properties!.Targets as Array<{ Arn: unknown }>)[0]!;
    expect(logicalIdOf(target.Arn)).toBe('ReleaseExecution');
    expect(fn(synth, 'ReleaseExecution').Environment.Variables[SECRET_VARIABLES.database]).toBeDefined();
    expect((stateMachine(synth) as { StateMachineName: string }).StateMachineName).toBe('FocusSync-sync');
    const describe = roleStatements(synth, logicalIdOf(fn(synth, 'GetClientState').Role)!).filter((statement) => actionsOf(statement).includes('states:DescribeExecution'));
    expect(describe.map(resourcesIn)).toEqual([[{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':execution:FocusSync-sync:*']] }]]);
    for (const state of tasks.filter((name) => name !== 'GetClientState')) {
      expect(JSON.stringify(roleStatements(synth, logicalIdOf(fn(synth, state).Role)!)), state).not.toContain('states:DescribeExecution');
    }
  });

  it('has a dashboard of pairs in and out of sync, rows loaded per mode, step durations and retries', () => {
    synth.template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const [, dashboard] = resourcesOf(synth.json, 'AWS::CloudWatch::Dashboard')[0]!;
    // The body is a Fn::Join of literal parts and tokens (the state machine's ARN): its literal text is enough here.
    const body = JSON.stringify((dashboard.Properties as { DashboardBody: unknown }).DashboardBody);
    for (const title of ['Pairs per execution', 'Rows loaded per mode', 'Step duration (p90, ms)', 'Retries and step errors', 'Executions', 'Freshness']) expect(body).toContain(title);
    for (const metric of ['PairsInSync', 'PairsOutOfSync', 'PairsFailed', 'PairsSkipped', 'PairLagMinutes', 'RowsLoaded', 'StepDuration', 'Retries', 'StepErrors']) expect(body).toContain(`\\"FocusSync\\",\\"${metric}\\"`);
    for (const mode of ['full', 'delta']) expect(body).toContain(`\\"Mode\\",\\"${mode}\\"`);
    for (const state of tasks) expect(body).toContain(`\\"State\\",\\"${state}\\"`);
  });

  it('passes cdk-nag\'s AwsSolutions checks, every acknowledged finding with its reason', () => {
    const report = JSON.parse(readFileSync(join(synth.outdir, 'validation-report.json'), 'utf8')) as { pluginReports: Array<{ conclusion: string }> };
    expect(report.pluginReports.filter((plugin) => plugin.conclusion !== 'success')).toEqual([]);
    const acknowledged = synth.assembly.getStackByName('FocusSync').findMetadataByType('aws:cdk:acknowledged-rules')
      .flatMap((entry) => Object.entries(entry.data as unknown as Record<string, string>).map(([rule, reason]) => ({ path: entry.path, rule: rule.replace(/^Annotation::/, ''), reason })))
      .filter(({ rule }) => rule.startsWith('AwsSolutions-'));
    for (const { path, rule, reason } of acknowledged) expect(reason.length, `${rule} at ${path}`).toBeGreaterThan(80);
    // A new acknowledgement is a security decision: it belongs in this list, and in review.
    expect([...new Set(acknowledged.map(({ rule }) => rule.replace(/<\w+\.Arn>/, '<Function.Arn>')))].sort()).toEqual([
      'AwsSolutions-IAM5[Resource::*]', 'AwsSolutions-IAM5[Resource::<Function.Arn>:*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:FocusSync-sync:*]',
      'AwsSolutions-RDS11', 'AwsSolutions-RDS3', 'AwsSolutions-SMG4',
    ]);
  });

  it('outputs what an operator needs: the state machine for npm run execution, the secret to fill, the database', () => {
    expect(Object.keys(synth.json.Outputs ?? {}).sort()).toEqual(['AlarmTopicArn', 'ApiSecretArn', 'DatabaseClientsSecurityGroupId', 'DatabaseEndpoint', 'DatabaseSecretArn', 'StateMachineArn']);
  });
});
