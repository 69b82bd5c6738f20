// npm run execution -- start | list | follow: the deployed state machine, from a terminal.
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ListExecutionsCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { parseArgs } from 'node:util';
import { executionInputFromArgs, executionInputProblem } from '../statemachine/local/arguments.ts';
import { exitCodeOf } from '../statemachine/local/report.ts';
import { followExecution } from './execution-history.ts';
import { STACK_NAME, STATE_MACHINE_OUTPUT } from './stack.ts';

export const USAGE = `Usage:
  npm run execution -- start [--mode auto|full] [--resources a,b] [--countries de,at] [--name NAME] [--follow]
  npm run execution -- list [--max 10]
  npm run execution -- follow <execution ARN>
Each finds the state machine from the ${STACK_NAME} stack's ${STATE_MACHINE_OUTPUT} output (--stack NAME for another
stack name), or takes it from --arn. AWS credentials and region come from the environment or AWS_PROFILE.`;

export interface ExecutionCliIo {
  write: (line: string) => void;
  /** The AWS clients, for a region (from an ARN) or the configured default. */
  clients: (region?: string) => { sfn: SFNClient; cloudFormation: CloudFormationClient };
  pollMs?: number;
}

class UsageError extends Error {
  override name = 'UsageError';
}

/** Runs one command; resolves to the exit code: 0 done (or SUCCEEDED with every pair in sync), 1 the execution did not succeed, 2 a usage or AWS error, 75 it skipped pairs another run held. */
export async function executionCli(argv: string[], io: ExecutionCliIo): Promise<number> {
  try {
    const { positionals, values } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        mode: { type: 'string' }, resources: { type: 'string' }, countries: { type: 'string' }, name: { type: 'string' },
        follow: { type: 'boolean' }, max: { type: 'string' }, stack: { type: 'string' }, arn: { type: 'string' }, help: { type: 'boolean' },
      },
    });
    const [command, ...rest] = positionals;
    if (values.help || !command) {
      io.write(USAGE);
      return values.help ? 0 : 2;
    }
    switch (command) {
      case 'start': {
        const input = executionInputFromArgs(values);
        const problem = executionInputProblem(input);
        if (problem) throw new UsageError(problem);
        const { sfn, stateMachineArn } = await stateMachine(io, values);
        const started = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input), ...(values.name && { name: values.name }) }));
        const executionArn = started.executionArn!;
        io.write(`Started ${executionArn.split(':').at(-1)} with input ${JSON.stringify(input)}`);
        io.write(`  ${consoleUrl(executionArn)}`);
        if (!values.follow) return 0;
        return exitCodeOf(await followExecution(sfn, executionArn, io.write, io.pollMs));
      }
      case 'list': {
        const max = Number(values.max ?? 10);
        if (!Number.isInteger(max) || max < 1 || max > 1000) throw new UsageError('--max must be a whole number from 1 to 1000');
        const { sfn, stateMachineArn } = await stateMachine(io, values);
        const { executions = [] } = await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: max }));
        if (executions.length === 0) io.write('No executions yet: npm run execution -- start');
        for (const execution of executions) {
          const took = execution.stopDate && execution.startDate ? `${Math.round((execution.stopDate.getTime() - execution.startDate.getTime()) / 1000)} s` : 'running';
          io.write(`${execution.startDate?.toISOString() ?? '-'}  ${(execution.status ?? '-').padEnd(9)}  ${took.padStart(8)}  ${execution.name}`);
        }
        return 0;
      }
      case 'follow': {
        const executionArn = rest[0];
        if (!executionArn?.startsWith('arn:')) throw new UsageError('follow needs the execution ARN (npm run execution -- list shows the names; the console shows the ARNs)');
        const { sfn } = io.clients(regionOf(executionArn));
        return exitCodeOf(await followExecution(sfn, executionArn, io.write, io.pollMs));
      }
      default:
        throw new UsageError(`Unknown command "${command}"\n${USAGE}`);
    }
  } catch (error) {
    io.write(explain(error as Error));
    return 2;
  }
}

function explain(error: Error): string {
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) return error.message;
  if (/Region is missing/.test(error.message)) return 'No AWS region: set AWS_REGION or AWS_PROFILE (a profile with a region), or pass --arn';
  if (error.name === 'CredentialsProviderError') return `No AWS credentials: sign in (aws configure, aws sso login, or AWS_PROFILE) and try again (${error.message})`;
  return `AWS said: ${error.name}: ${error.message}`;
}

async function stateMachine(io: ExecutionCliIo, values: { stack?: string; arn?: string }): Promise<{ sfn: SFNClient; stateMachineArn: string }> {
  if (values.arn) {
    if (!/^arn:aws[\w-]*:states:[\w-]+:\d{12}:stateMachine:/.test(values.arn)) throw new UsageError('--arn must be a state machine ARN (arn:aws:states:REGION:ACCOUNT:stateMachine:NAME)');
    return { sfn: io.clients(regionOf(values.arn)).sfn, stateMachineArn: values.arn };
  }
  const stackName = values.stack ?? STACK_NAME;
  const { sfn, cloudFormation } = io.clients();
  const stacks = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName })).catch((error: Error) => {
    if (/does not exist/.test(error.message)) throw new UsageError(`There is no stack ${stackName} in this account and region: deploy it (docs/aws.md), or pass --stack or --arn`);
    throw error;
  });
  const arn = stacks.Stacks?.[0]?.Outputs?.find((output) => output.OutputKey === STATE_MACHINE_OUTPUT)?.OutputValue;
  if (!arn) throw new UsageError(`The stack ${stackName} has no ${STATE_MACHINE_OUTPUT} output: is it the focus-sync stack, and fully deployed?`);
  return { sfn, stateMachineArn: arn };
}

function regionOf(arn: string): string | undefined {
  return arn.split(':')[3] || undefined;
}

function consoleUrl(executionArn: string): string {
  const region = regionOf(executionArn);
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}
