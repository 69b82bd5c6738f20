// One Lambda function per Task state of the ASL, named after it, given only what its step reads.
import { readFileSync } from 'node:fs';
import { basename, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ISecurityGroup, IVpc } from 'aws-cdk-lib/aws-ec2';
import { SubnetType } from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, CfnFunction, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { SECRET_VARIABLES, type Part } from '../functions/core/config.ts';
import { ConfigurationError } from '../functions/core/errors.ts';
import { stepReads } from '../functions/core/secrets.ts';
import { findState, handlerFile, taskStates } from '../statemachine/local/definition.ts';
import type { Settings } from './context.ts';

export const DEFINITION_FILE = fileURLToPath(new URL('../statemachine/sync.asl.json', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STEPS_DIR = fileURLToPath(new URL('../functions/steps/', import.meta.url));
const RELEASE_ENTRY = fileURLToPath(new URL('../functions/events/release-execution.ts', import.meta.url));
const RELEASE_TIMEOUT_SECONDS = 120;

// The loaders (and ApplyDelta, which reads the deleted items) stream a pair's lines for minutes,
// CPU-bound in one thread (parsing JSON, encoding COPY text: about 13 CPU-seconds per million
// rows, bench/RESULTS.md). Lambda gives CPU in proportion to memory and a whole vCPU at 1,769 MB:
// below it a load runs slower for the same GB-seconds, above it the extra share has no second
// busy thread to go to. The rest need seconds and little memory.
const ONE_VCPU_MB = 1769;
const MEMORY_MB: Record<string, number> = { FullLoad: ONE_VCPU_MB, LoadCreated: ONE_VCPU_MB, LoadUpdated: ONE_VCPU_MB, ApplyDelta: ONE_VCPU_MB, BuildDbSchema: 512 };
const DEFAULT_MEMORY_MB = 256;
// A function ends before its Task state times out, so that a step never outlives the state
// machine's view of it (and Summarize never drops a staging table a loader still writes).
const TIMEOUT_MARGIN_SECONDS = 10;
const LAMBDA_MAX_TIMEOUT_SECONDS = 900;

// What Lambda needs to attach a function to the VPC (the EC2 part of AWSLambdaVPCAccessExecutionRole).
const VPC_ACTIONS = ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'];

// Empty here (empty counts as unset); declared because `sam local invoke --env-vars` only
// overrides the variables a template declares (docs/aws.md).
const SAM_OVERRIDABLE = { api: { FOCUS_USERNAME: '', FOCUS_PASSWORD: '' }, database: { DATABASE_URL: '' } };

export interface StepFunctionsProps {
  settings: Settings;
  vpc: IVpc;
  apiSecret: ISecret;
  database: { secret: ISecret; clients: ISecurityGroup };
}

/** Task state name → its function; the state machine's substitutions and invoke grants come from this map. */
export function createStepFunctions(stack: Stack, props: StepFunctionsProps): Map<string, NodejsFunction> {
  const definition = JSON.parse(readFileSync(DEFINITION_FILE, 'utf8')) as { States: Record<string, unknown> };
  return new Map(taskStates(definition).map((state) => [state, createStepFunction(stack, state, `${STEPS_DIR}${handlerFile(state)}`, taskTimeout(definition, state), props)]));
}

/** ReleaseExecution (functions/events/release-execution.ts): not a Task state, EventBridge invokes it when an execution ends without succeeding. */
export function createReleaseFunction(stack: Stack, props: StepFunctionsProps): NodejsFunction {
  return createStepFunction(stack, 'ReleaseExecution', RELEASE_ENTRY, RELEASE_TIMEOUT_SECONDS + TIMEOUT_MARGIN_SECONDS, props);
}

function createStepFunction(stack: Stack, state: string, entry: string, stateTimeoutSeconds: number, props: StepFunctionsProps): NodejsFunction {
  const reads = stepReads(state);
  const logGroup = new LogGroup(stack, `${state}Logs`, { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
  const role = new Role(stack, `${state}Role`, {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: `focus-sync ${state}: its own logs, the VPC, and the secrets its step reads (${reads.join(', ') || 'none'})`,
  });
  logGroup.grantWrite(role);
  role.addToPolicy(new PolicyStatement({ actions: VPC_ACTIONS, resources: ['*'] }));
  const fn = new NodejsFunction(stack, state, {
    entry,
    handler: 'handler',
    description: `focus-sync: the ${state} step (${relative(ROOT, entry)})`,
    // Named, not NODEJS_LATEST: what deploys is the version the tests and the rehearsal ran (the node devDependency).
    runtime: Runtime.NODEJS_24_X,
    architecture: Architecture.ARM_64,
    memorySize: MEMORY_MB[state] ?? DEFAULT_MEMORY_MB,
    timeout: Duration.seconds(Math.min(LAMBDA_MAX_TIMEOUT_SECONDS, stateTimeoutSeconds - TIMEOUT_MARGIN_SECONDS)),
    role,
    logGroup,
    loggingFormat: LoggingFormat.JSON,
    tracing: Tracing.ACTIVE,
    vpc: props.vpc,
    vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS },
    ...(reads.includes('database') && { securityGroups: [props.database.clients] }),
    environment: environment(props, reads),
    bundling: {
      forceDockerBundling: false,
      format: OutputFormat.ESM,
      target: 'node24',
      minify: true,
      sourceMap: true,
      externalModules: ['@aws-sdk/*'],
      mainFields: ['module', 'main'],
      // Nothing bundled needs require() today; a CommonJS dependency added later would otherwise
      // fail only on Lambda ("Dynamic require of … is not supported").
      banner: "import { createRequire as focusSyncCreateRequire } from 'node:module'; const require = focusSyncCreateRequire(import.meta.url);",
    },
  });
  // `sam local invoke <State>` and the console name the function as the ASL names the state.
  (fn.node.defaultChild as CfnFunction).overrideLogicalId(state);
  if (reads.includes('api')) props.apiSecret.grantRead(role);
  if (reads.includes('database')) props.database.secret.grantRead(role);
  acknowledge(role);
  return fn;
}

function environment(props: StepFunctionsProps, reads: readonly Part[]): Record<string, string> {
  const { settings } = props;
  return {
    NODE_OPTIONS: '--enable-source-maps',
    // Lambda's Node.js 20+ runtimes no longer trust the Amazon RDS certificates unless told to.
    NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
    FOCUS_API_URL: settings.apiUrl,
    FOCUS_API_VERSION: settings.apiVersion,
    FOCUS_BUSINESS_SERVICE: settings.businessService,
    FOCUS_COUNTRIES: settings.countries.join(','),
    ...(settings.lang && { FOCUS_LANG: settings.lang }),
    FOCUS_TABLE_SCHEMA_PREFIX: settings.tableSchemaPrefix,
    FOCUS_MAP_CONCURRENCY: String(settings.mapConcurrency),
    FOCUS_OUT_OF_SYNC_REPAIR: settings.outOfSyncRepair,
    FOCUS_LOOKBACK_SECONDS: String(settings.lookbackSeconds),
    FOCUS_LEASE_SECONDS: String(settings.leaseSeconds),
    FOCUS_LEASE_WAIT_SECONDS: String(settings.leaseWaitSeconds),
    FOCUS_API_STALL_SECONDS: String(settings.apiStallSeconds),
    FOCUS_LOG_LEVEL: settings.logLevel,
    ...(settings.maxLagMinutes !== undefined && { FOCUS_MAX_LAG_MINUTES: String(settings.maxLagMinutes) }),
    ...(reads.includes('api') && { [SECRET_VARIABLES.api]: props.apiSecret.secretArn, ...SAM_OVERRIDABLE.api }),
    ...(reads.includes('database') && { [SECRET_VARIABLES.database]: props.database.secret.secretArn, DATABASE_SSL: 'verify-full', ...SAM_OVERRIDABLE.database }),
  };
}

function taskTimeout(definition: { States: Record<string, unknown> }, state: string): number {
  const found = findState(definition, state) as { TimeoutSeconds?: number } | undefined;
  if (!found?.TimeoutSeconds || found.TimeoutSeconds <= TIMEOUT_MARGIN_SECONDS) {
    throw new ConfigurationError(`The Task state ${state} in ${basename(DEFINITION_FILE)} needs a TimeoutSeconds above ${TIMEOUT_MARGIN_SECONDS}: its function ends ${TIMEOUT_MARGIN_SECONDS} s before it (and within Lambda's ${LAMBDA_MAX_TIMEOUT_SECONDS} s)`);
  }
  return found.TimeoutSeconds;
}

function acknowledge(role: Role): void {
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'Only EC2 network-interface actions that Lambda needs to place the function in the VPC, and X-Ray PutTraceSegments/PutTelemetryRecords: neither service supports resource-level permissions for them. Logs and secrets are granted on their ARNs.',
  });
}
