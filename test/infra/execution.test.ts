// npm run execution against Step Functions and CloudFormation, mocked at the SDK clients.
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient, StartExecutionCommand, type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { executionCli } from '../../infra/execution-cli.ts';

const REGION = 'eu-central-1';
const STATE_MACHINE = `arn:aws:states:${REGION}:123456789012:stateMachine:StateMachine2E01A3A5-abc`;
const EXECUTION = `arn:aws:states:${REGION}:123456789012:execution:StateMachine2E01A3A5-abc:run-1`;

const sfn = mockClient(SFNClient);
const cloudFormation = mockClient(CloudFormationClient);
let lines: string[];
const regions: Array<string | undefined> = [];

function run(...argv: string[]): Promise<number> {
  return executionCli(argv, {
    write: (line) => lines.push(...line.split('\n')),
    clients: (region) => {
      regions.push(region);
      return { sfn: new SFNClient({ region: region ?? REGION }), cloudFormation: new CloudFormationClient({ region: region ?? REGION }) };
    },
    pollMs: 1,
  });
}

const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 2, 0, second));
const pairInput = JSON.stringify({ resource: 'promotions', country: 'de', mode: 'auto', execution: 'run-1' });
const summaryOutput = (failed: number) => JSON.stringify({
  execution: 'run-1', inSync: 1 - failed, skipped: 0, failed,
  pairs: [{
    resource: 'promotions', country: 'de', status: failed ? 'failed' : 'in_sync', load: 'full', reason: 'empty table',
    rows: failed ? null : { loaded: 10, created: 0, updated: 0, deleted: 0 }, clientCount: failed ? null : 10, serverCount: failed ? null : 10,
    watermark: null, repairs: [], onOutOfSync: 'delta-then-full', error: failed ? 'ApiUnavailable' : null, cause: failed ? 'the API answered 503 three times' : null,
  }],
});

/** A history as Step Functions records it: the Lambda events of a Task chain back to its TaskStateEntered. */
function history(failed: boolean): HistoryEvent[] {
  const lambdaError = JSON.stringify({ errorType: 'ApiUnavailable', errorMessage: 'the API answered 503 three times', trace: [] });
  return [
    { id: 1, type: 'ExecutionStarted', timestamp: at(0) },
    { id: 2, previousEventId: 1, type: 'TaskStateEntered', timestamp: at(0), stateEnteredEventDetails: { name: 'Authenticate', input: '{}' } },
    { id: 3, previousEventId: 2, type: 'LambdaFunctionScheduled', timestamp: at(0) },
    { id: 4, previousEventId: 3, type: 'LambdaFunctionSucceeded', timestamp: at(1) },
    { id: 5, previousEventId: 4, type: 'TaskStateExited', timestamp: at(1), stateExitedEventDetails: { name: 'Authenticate', output: '{}' } },
    { id: 6, previousEventId: 5, type: 'TaskStateEntered', timestamp: at(2), stateEnteredEventDetails: { name: 'FullLoad', input: pairInput } },
    { id: 7, previousEventId: 6, type: 'LambdaFunctionScheduled', timestamp: at(2) },
    { id: 8, previousEventId: 7, type: 'LambdaFunctionFailed', timestamp: at(3), lambdaFunctionFailedEventDetails: { error: 'ApiUnavailable', cause: lambdaError } },
    { id: 9, previousEventId: 8, type: 'LambdaFunctionScheduled', timestamp: at(8) },
    ...(failed
      ? [{ id: 10, previousEventId: 9, type: 'LambdaFunctionFailed', timestamp: at(9), lambdaFunctionFailedEventDetails: { error: 'ApiUnavailable', cause: lambdaError } }] as HistoryEvent[]
      : [{ id: 10, previousEventId: 9, type: 'TaskStateExited', timestamp: at(14), stateExitedEventDetails: { name: 'FullLoad', output: pairInput } }] as HistoryEvent[]),
    { id: 11, previousEventId: 10, type: 'TaskStateEntered', timestamp: at(15), stateEnteredEventDetails: { name: 'Summarize', input: '{}' } },
    { id: 12, previousEventId: 11, type: 'TaskStateExited', timestamp: at(16), stateExitedEventDetails: { name: 'Summarize', output: summaryOutput(failed ? 1 : 0) } },
    failed
      ? { id: 13, previousEventId: 12, type: 'ExecutionFailed', timestamp: at(16), executionFailedEventDetails: { error: 'SyncFailed', cause: 'One or more pairs failed or are out of sync' } }
      : { id: 13, previousEventId: 12, type: 'ExecutionSucceeded', timestamp: at(16) },
  ] as HistoryEvent[];
}

/** The history grows between polls; the CLI reads it newest first and stops at what it has seen. */
function historyInTwoPolls(events: HistoryEvent[]): void {
  const newestFirst = (upTo: number) => ({ events: events.slice(0, upTo).reverse() });
  sfn.on(GetExecutionHistoryCommand).resolvesOnce(newestFirst(7)).resolves(newestFirst(events.length));
}

beforeEach(() => {
  sfn.reset();
  cloudFormation.reset();
  lines = [];
  regions.length = 0;
  cloudFormation.on(DescribeStacksCommand, { StackName: 'FocusSync' }).resolves({
    Stacks: [{ StackName: 'FocusSync', StackStatus: 'CREATE_COMPLETE', CreationTime: at(0), Outputs: [{ OutputKey: 'StateMachineArn', OutputValue: STATE_MACHINE }] }],
  });
  sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION, startDate: at(0) });
});

describe('npm run execution -- start', () => {
  it('starts the state machine named by the stack output with the input built as npm run sync builds it', async () => {
    expect(await run('start', '--mode', 'full', '--resources', 'promotions, promotion_items', '--countries', 'de')).toBe(0);
    const [call] = sfn.commandCalls(StartExecutionCommand);
    expect(call!.args[0].input.stateMachineArn).toBe(STATE_MACHINE);
    expect(JSON.parse(call!.args[0].input.input!)).toEqual({ mode: 'full', resources: ['promotions', 'promotion_items'], countries: ['de'] });
    expect(lines.join('\n')).toContain(`https://${REGION}.console.aws.amazon.com/states/home?region=${REGION}#/v2/executions/details/${EXECUTION}`);
  });

  it('refuses an input the first state would refuse, before calling AWS', async () => {
    expect(await run('start', '--mode', 'sometimes')).toBe(2);
    expect(lines.join('\n')).toMatch(/The execution input is not valid: mode: .*"auto"/);
    expect(await run('start', '--countries', 'd e')).toBe(2);
    expect(await run('start', '--colour', 'red')).toBe(2);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(cloudFormation.commandCalls(DescribeStacksCommand)).toHaveLength(0);
  });

  it('takes the state machine from --arn without asking CloudFormation, in the ARN\'s region', async () => {
    const arn = STATE_MACHINE.replace(REGION, 'us-east-2');
    expect(await run('start', '--arn', arn)).toBe(0);
    expect(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input).toMatchObject({ stateMachineArn: arn, input: '{}' });
    expect(cloudFormation.commandCalls(DescribeStacksCommand)).toHaveLength(0);
    expect(regions).toEqual(['us-east-2']);
  });

  it('says what to do when the stack is not deployed, or AWS is not configured', async () => {
    cloudFormation.on(DescribeStacksCommand).rejects(Object.assign(new Error('Stack with id FocusSync does not exist'), { name: 'ValidationError' }));
    expect(await run('start')).toBe(2);
    expect(lines.join('\n')).toContain('There is no stack FocusSync in this account and region');
    cloudFormation.on(DescribeStacksCommand).rejects(new Error('Region is missing'));
    expect(await run('list')).toBe(2);
    expect(lines.at(-1)).toBe('No AWS region: set AWS_REGION or AWS_PROFILE (a profile with a region), or pass --arn');
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('with --follow, prints each state as it runs, the retries and failures, the summary, and exits 1 when the execution fails', async () => {
    historyInTwoPolls(history(true));
    expect(await run('start', '--follow')).toBe(1);
    const output = lines.join('\n');
    expect(output).toMatch(/^\s+Authenticate\s+✓\s+1\.0 s$/m);
    expect(output).toMatch(/^promotions\/de\s+FullLoad\s+✗ ApiUnavailable: the API answered 503 three times$/m);
    expect(output).toMatch(/^promotions\/de\s+FullLoad\s+↻ retry$/m);
    expect(output).toMatch(/^promotions\/de\s+full\s+empty table.*FAILED ApiUnavailable$/m);
    expect(output).toContain('Execution run-1 FAILED with SyncFailed: One or more pairs failed or are out of sync');
    expect(lines.filter((line) => /Authenticate\s+…/.test(line))).toHaveLength(1);
  });

  it('with --follow, exits 0 when every pair is in sync', async () => {
    historyInTwoPolls(history(false));
    expect(await run('start', '--follow')).toBe(0);
    expect(lines.join('\n')).toMatch(/^promotions\/de\s+FullLoad\s+✓\s+12\.0 s$/m);
    expect(lines.at(-1)).toBe('Execution run-1 SUCCEEDED: every pair is in sync (1 in sync, 0 skipped, 0 failed).');
  });
});

describe('npm run execution -- list and follow', () => {
  it('lists the recent executions with their status and duration', async () => {
    sfn.on(ListExecutionsCommand, { stateMachineArn: STATE_MACHINE, maxResults: 5 }).resolves({
      executions: [
        { executionArn: EXECUTION, stateMachineArn: STATE_MACHINE, name: 'run-1', status: 'RUNNING', startDate: at(30) },
        { executionArn: `${EXECUTION}0`, stateMachineArn: STATE_MACHINE, name: 'run-0', status: 'FAILED', startDate: at(0), stopDate: at(20) },
      ],
    });
    expect(await run('list', '--max', '5')).toBe(0);
    expect(lines).toEqual([
      '2026-01-01T02:00:30.000Z  RUNNING     running  run-1',
      '2026-01-01T02:00:00.000Z  FAILED         20 s  run-0',
    ]);
  });

  it('follows an execution started elsewhere (the schedule, the console) by its ARN', async () => {
    historyInTwoPolls(history(false));
    expect(await run('follow', EXECUTION)).toBe(0);
    expect(regions).toEqual([REGION]);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('prints its usage for no command or an unknown one', async () => {
    expect(await run()).toBe(2);
    expect(await run('stop')).toBe(2);
    expect(lines.join('\n')).toContain('Unknown command "stop"');
    expect(await run('--help')).toBe(0);
  });
});
