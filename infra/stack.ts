// The whole deployment in one stack: network, database, secrets, a function per step, the state
// machine, its schedule and its alarms.
import { App, CfnOutput, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigurationError } from '../functions/core/errors.ts';
import { createAlarms } from './alarms.ts';
import { createDashboard } from './dashboard.ts';
import { readSettings, type Settings } from './context.ts';
import { createApiSecret, createDatabase, createVpc } from './database.ts';
import { createSchedule, createStateMachine, releaseDeadExecutions } from './state-machine.ts';
import { createReleaseFunction, createStepFunctions } from './steps.ts';

export const STACK_NAME = 'FocusSync';
/** The stack output that `npm run execution` reads the state machine's ARN from. */
export const STATE_MACHINE_OUTPUT = 'StateMachineArn';

export class FocusSyncStack extends Stack {
  readonly functions: ReadonlyMap<string, NodejsFunction>;
  readonly stateMachine: StateMachine;

  constructor(scope: App, id: string, settings: Settings, props: StackProps = {}) {
    super(scope, id, { description: 'focus-sync: a PostgreSQL mirror of the Focus data exchange API, kept exact by AWS Step Functions', ...props });
    const vpc = createVpc(this, settings);
    const database = createDatabase(this, settings, vpc);
    const apiSecret = createApiSecret(this, settings);
    this.functions = createStepFunctions(this, { settings, vpc, apiSecret, database });
    this.stateMachine = createStateMachine(this, this.functions);
    releaseDeadExecutions(this, this.stateMachine, this.functions.get('GetClientState')!, createReleaseFunction(this, { settings, vpc, apiSecret, database }));
    createSchedule(this, this.stateMachine, settings.schedule);
    createSchedule(this, this.stateMachine, settings.fullCheckSchedule, { id: 'FullCheckSchedule', input: { mode: 'full' } });
    const topic = createAlarms(this, this.stateMachine, settings.alarmEmail, settings.maxLagMinutes);
    createDashboard(this, this.stateMachine, [...this.functions.keys()]);

    const output = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description });
    output(STATE_MACHINE_OUTPUT, this.stateMachine.stateMachineArn, 'The sync state machine: npm run execution -- start, or "Start execution" in the Step Functions console');
    output('ApiSecretArn', apiSecret.secretArn, 'Store the Focus API credentials here as {"username": "…", "password": "…"}');
    output('DatabaseSecretArn', database.secret.secretArn, 'The database connection: host, port, dbname, username, password');
    if (database.instance) output('DatabaseEndpoint', database.instance.dbInstanceEndpointAddress, 'The mirror\'s PostgreSQL host (private: reach it from inside the VPC)');
    output('DatabaseClientsSecurityGroupId', database.clients.securityGroupId, 'The functions that use the database; an existing database must admit this group on its port');
    output('AlarmTopicArn', topic.topicArn, 'Alarm notifications: subscribe here (or deploy with -c alarmEmail=…)');
  }
}

/** The app as `cdk synth` and the tests build it: the stack from the context, checked by cdk-nag. */
export function defineApp(app: App): FocusSyncStack {
  const settings = readSettings(app.node);
  // Looking up an existing VPC needs the account and region; without one, no lookup happens.
  const env = settings.vpcId ? { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION } : undefined;
  if (env && (!env.account || !env.region)) {
    throw new ConfigurationError('CDK context: vpcId needs the account and region to look the VPC up: run cdk with AWS credentials and a region configured (AWS_PROFILE, or AWS_REGION).');
  }
  const stack = new FocusSyncStack(app, STACK_NAME, settings, { ...(env && { env }) });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return stack;
}
