// statemachine/sync.asl.json as a Standard state machine, each placeholder filled with its own
// function, logged and traced, and started on a schedule.
import { ArnFormat, Duration, RemovalPolicy, Validations, type Stack } from 'aws-cdk-lib';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction, SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { DEFINITION_FILE } from './steps.ts';

/** `${FullLoadFunctionArn}` → the FullLoad function's ARN, for every function of the map. */
export function definitionSubstitutions(functions: ReadonlyMap<string, NodejsFunction>): Record<string, string> {
  return Object.fromEntries([...functions].map(([state, fn]) => [`${state}FunctionArn`, fn.functionArn]));
}

export function createStateMachine(stack: Stack, functions: ReadonlyMap<string, NodejsFunction>): StateMachine {
  const logGroup = new LogGroup(stack, 'StateMachineLogs', {
    // Step Functions delivers logs through CloudWatch vended logs, which expect this prefix.
    logGroupName: `/aws/vendedlogs/states/${stack.stackName}-sync`,
    retention: RetentionDays.THREE_MONTHS,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const stateMachine = new StateMachine(stack, 'StateMachine', {
    // Named, so that its executions' ARNs are known without a reference to it: GetClientState may
    // then ask about them (a reference would make the state machine and its functions a cycle).
    stateMachineName: stateMachineName(stack),
    comment: 'focus-sync: keeps a PostgreSQL mirror of the Focus data exchange API exact (statemachine/sync.asl.json)',
    definitionBody: DefinitionBody.fromFile(DEFINITION_FILE),
    definitionSubstitutions: definitionSubstitutions(functions),
    stateMachineType: StateMachineType.STANDARD,
    tracingEnabled: true,
    // Every state's events, without their input and output: names and counts only, yet no data
    // row or credential can reach the logs even by mistake.
    logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
  });
  for (const fn of functions.values()) fn.grantInvoke(stateMachine);
  Validations.of(stateMachine).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'CloudWatch Logs delivery (logs:CreateLogDelivery and its siblings) and X-Ray (xray:PutTraceSegments and its siblings) do not support resource-level permissions; these are the statements CDK adds for logging and tracing, nothing else.',
  });
  for (const [state, fn] of functions) {
    Validations.of(stateMachine).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${stack.resolve((fn.node.defaultChild as CfnFunction).logicalId)}.Arn>:*]`,
      reason: `lambda:InvokeFunction on the ${state} function's own versions and aliases (its ARN followed by :*), as CDK grants it; no other function.`,
    });
  }
  return stateMachine;
}

export function stateMachineName(stack: Stack): string {
  return `${stack.stackName}-sync`;
}

/**
 * A lease protects a pair only from an execution that is alive. When one ends ABORTED, TIMED_OUT or
 * FAILED, ReleaseExecution releases what it held; and GetClientState, finding a pair held, asks
 * Step Functions whether its execution still runs (DescribeExecution, on this state machine's
 * executions only).
 */
export function releaseDeadExecutions(stack: Stack, stateMachine: StateMachine, getClientState: NodejsFunction, release: NodejsFunction): Rule {
  const executions = stack.formatArn({ service: 'states', resource: 'execution', resourceName: `${stateMachineName(stack)}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  getClientState.addToRolePolicy(new PolicyStatement({ actions: ['states:DescribeExecution'], resources: [executions] }));
  Validations.of(getClientState.role!).acknowledge({
    // As cdk-nag writes the ARN: literal in an environment-bound stack, else with its pseudo-parameters.
    id: `AwsSolutions-IAM5[Resource::${typeof stack.resolve(executions) === 'string' ? stack.resolve(executions) : `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${stateMachineName(stack)}:*`}]`,
    reason: 'states:DescribeExecution on the executions of this stack\'s own state machine (its name followed by :*): GetClientState asks whether the execution holding a pair still runs. No other state machine.',
  });
  return new Rule(stack, 'ExecutionEnded', {
    description: 'focus-sync: releases the pairs of an execution that ended ABORTED, TIMED_OUT or FAILED',
    eventPattern: {
      source: ['aws.states'],
      detailType: ['Step Functions Execution Status Change'],
      detail: { stateMachineArn: [stateMachine.stateMachineArn], status: ['ABORTED', 'TIMED_OUT', 'FAILED'] },
    },
    targets: [new LambdaFunction(release, { retryAttempts: 8, maxEventAge: Duration.hours(2) })],
  });
}

/**
 * Starts an execution with `input` on the schedule (`{}`: every resource and country, mode auto);
 * `off` starts none.
 */
export function createSchedule(stack: Stack, stateMachine: StateMachine, expression: string, { id = 'Schedule', input = {} as Record<string, string> } = {}): Rule | undefined {
  if (expression === 'off') return undefined;
  return new Rule(stack, id, {
    description: `focus-sync: starts a sync ${Object.keys(input).length ? `with ${JSON.stringify(input)} ` : ''}${expression}`,
    schedule: Schedule.expression(expression),
    targets: [new SfnStateMachine(stateMachine, { input: RuleTargetInput.fromObject(input), retryAttempts: 3 })],
  });
}
