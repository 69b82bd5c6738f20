// The deployment rehearsed: the synthesized state machine runs with aws-local-stepfunctions, each
// Task served by its function's bundle in a sandbox, twice (a full sync, then a delta after changes
// on the API); both must end in sync with every mirror table equal to the API's data.
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { FocusSyncError } from '../../functions/core/errors.ts';
import { connect } from '../../functions/core/db/connection.ts';
import { summary as summarySchema, type Summary } from '../../functions/core/messages.ts';
import { resourcesFromSchema } from '../../functions/core/resources.ts';
import type { MutateRequest } from '../../simulator/index.ts';
import { findState, taskStates } from '../../statemachine/local/definition.ts';
import { StateMachine, type StateMachineDefinition } from '../../statemachine/local/interpreter.ts';
import { comparableItems, readMirror } from '../../test/support/mirror.ts';
import type { Deployment, LambdaFunction } from './assembly.ts';
import { functionEnvironment, unreadVariables } from './function-environment.ts';
import { createResolver, localFunctionArn, localFunctionName, localStateMachineArn, type Resolve } from './references.ts';
import { failure, functionFailures, line, pairOf, printFunctions, type Served, type Write } from './report.ts';
import { createSandboxes, LambdaError, type Sandboxes } from './sandbox.ts';
import { stackSecrets, startStandIns, type StandIns } from './stand-ins.ts';

/** The deployed artifact would not work as it is: the message names each function and what is wrong. */
export class RehearsalFailed extends FocusSyncError {
  override name = 'RehearsalFailed';
}

export interface RehearsalOptions {
  deployment: Deployment;
  /** Where certificates, the database and the functions' logs go. */
  workDir: string;
  /** Items per resource and country on the simulator. */
  items: number;
  /** The changes made on the API between the two executions. */
  changes: MutateRequest;
  write: (line: string) => void;
}

export interface RehearsalResult {
  executions: Array<{ name: string; summary: Summary }>;
  served: Served[];
}

export async function rehearse(options: RehearsalOptions): Promise<RehearsalResult> {
  const { deployment, write } = options;
  const tasks = bindTasks(deployment);
  const functions = [...new Set(tasks.values())];
  const major = process.versions.node.split('.')[0];
  const runtimes = functions.filter((fn) => fn.runtime !== `nodejs${major}.x`)
    .map((fn) => `${fn.id} runs on ${fn.runtime || 'no runtime'} in the template, but the rehearsal runs Node.js ${process.versions.node} (the node devDependency): pin node to the runtime's version, or the runtime to nodejs${major}.x`);
  if (runtimes.length > 0) throw new RehearsalFailed(failure(runtimes));
  // Still run: what the functions make of the variable they miss is the other half of the message.
  const problems = functions.flatMap((fn) => unreadVariables(fn)
    .map((key) => `${fn.id}'s environment sets ${key}, which focus-sync does not read (see functions/core/config.ts): infra and the configuration name a variable differently`));
  const apiSettings = settingsOf(tasks);
  const logDir = join(options.workDir, 'logs');
  await mkdir(logDir, { recursive: true });
  const standIns = await startStandIns(deployment, options.workDir, { ...apiSettings, items: options.items }, stackSecrets(deployment));
  const resolve = createResolver(deployment.template, { stackName: deployment.stackName, database: standIns.database });
  const sandboxes = new Map<string, Sandboxes>();
  const served: Served[] = [];
  try {
    write(`Rehearsing ${deployment.stackName} from ${deployment.outdir}: the simulator at ${standIns.simulator.url}, PostgreSQL with TLS on ${standIns.database.host}:${standIns.database.port}, Secrets Manager at ${standIns.secrets.url}`);
    const redirects = new Set<string>();
    for (const fn of functions) {
      const name = localFunctionName(deployment.stackName, fn.id);
      const { env, redirected } = functionEnvironment(fn, name, resolve, { apiUrl: standIns.simulator.url, caFile: standIns.caFile, secretsEndpoint: standIns.secrets.url });
      sandboxes.set(fn.id, createSandboxes(fn, { env, arn: localFunctionArn(deployment.stackName, fn.id), logFile: join(logDir, `${fn.id}.log`) }));
      redirected.forEach((line) => redirects.add(line));
    }
    for (const line of redirects) write(`  ${line}`);
    const definition = resolveDefinition(deployment, resolve);
    const executions: RehearsalResult['executions'] = [];
    for (const [kind, input] of [['full', { mode: 'full' }], ['delta', {}]] as const) {
      if (kind === 'delta') {
        standIns.simulator.mutate(options.changes);
        write(`\nThe API changes: ${options.changes.created ?? 0} created, ${options.changes.updated ?? 0} updated, ${options.changes.deleted ?? 0} deleted in every resource and country`);
      }
      write(`\n== The ${kind} execution\n`);
      const execution = await runExecution(definition, deployment, tasks, sandboxes, input, served, write);
      problems.push(...await checkExecution(kind, execution, standIns, tasks));
      if (execution.summary) executions.push({ name: execution.name, summary: execution.summary });
      if (problems.length > 0) break;
    }
    printFunctions(write, functions, served);
    problems.push(...functionFailures(served, logDir));
    if (problems.length > 0) throw new RehearsalFailed(failure(problems));
    return { executions, served };
  } finally {
    for (const sandbox of sandboxes.values()) sandbox.close();
    await standIns.stop();
  }
}

/** Task state → the function its Resource names, through the template's substitutions. */
export function bindTasks(deployment: Deployment): Map<string, LambdaFunction> {
  const resolve = createResolver(deployment.template, { stackName: deployment.stackName, database: { host: 'localhost', port: 5432 } });
  const definition = resolveDefinition(deployment, resolve) as { States: Record<string, unknown> };
  const byArn = new Map([...deployment.functions.values()].map((fn) => [localFunctionArn(deployment.stackName, fn.id), fn]));
  return new Map(taskStates(definition).map((state) => {
    const resource = (findState(definition, state) as { Resource?: string } | undefined)?.Resource;
    const fn = byArn.get(resource ?? '');
    if (!fn) throw new RehearsalFailed(failure([`The Task state ${state} calls ${resource ?? 'no Resource'}, which is none of the stack's functions`]));
    return [state, fn];
  }));
}

/** The definition with DefinitionSubstitutions applied, as Step Functions applies them at deployment. */
function resolveDefinition(deployment: Deployment, resolve: Resolve): StateMachineDefinition {
  const { definition, substitutions, id } = deployment.stateMachine;
  const text = definition.replace(/\$\{([\w.-]+)\}/g, (whole, name: string) => {
    if (!(name in substitutions)) throw new RehearsalFailed(failure([`The state machine's definition uses \${${name}}, which its DefinitionSubstitutions do not define`]));
    return resolve(substitutions[name], `${id}'s DefinitionSubstitutions.${name}`);
  });
  return JSON.parse(text) as StateMachineDefinition;
}

/** The API settings every function is given (the simulator serves them). */
function settingsOf(tasks: Map<string, LambdaFunction>): { businessService: string; countries: string[] } {
  const value = (key: string) => [...tasks.values()].map((fn) => fn.environment[key]).find((candidate) => typeof candidate === 'string' && candidate !== '') as string | undefined;
  return { businessService: value('FOCUS_BUSINESS_SERVICE') ?? 'promo', countries: (value('FOCUS_COUNTRIES') ?? 'de').split(',').map((country) => country.trim()) };
}

interface Execution {
  name: string;
  status: 'SUCCEEDED' | 'FAILED';
  summary: Summary | undefined;
  error: string | undefined;
}

async function runExecution(definition: StateMachineDefinition, deployment: Deployment, tasks: Map<string, LambdaFunction>, sandboxes: Map<string, Sandboxes>, input: object, served: Served[], write: Write): Promise<Execution> {
  const name = `rehearsal-${'mode' in input ? 'full' : 'delta'}-${randomUUID().slice(0, 8)}`;
  const handlers = Object.fromEntries([...tasks].map(([state, fn]) => [state, async (event: unknown) => {
    const pair = pairOf(event);
    try {
      const invocation = await sandboxes.get(fn.id)!.invoke(event);
      served.push({ state, pair, fn, invocation });
      write(line(state, pair, fn, `${invocation.cold ? 'cold' : 'warm'} ${String(invocation.durationMs).padStart(6)} ms  peak ${invocation.peakMb} of ${fn.memoryMb} MB`));
      return invocation.output as never;
    } catch (error) {
      if (!(error instanceof LambdaError)) throw error;
      served.push({ state, pair, fn, error });
      write(line(state, pair, fn, `✗ ${error.name}: ${error.errorMessage}`));
      throw error;
    }
  }]));
  const machine = new StateMachine(definition, { validationOptions: { noValidate: true } });
  const stateMachineArn = localStateMachineArn(deployment.stackName, deployment.stateMachine.id);
  const run = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers: handlers },
    context: {
      Execution: { Id: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`, Name: name, Input: input, StartTime: new Date().toISOString() },
      StateMachine: { Id: stateMachineArn, Name: `${deployment.stackName}-${deployment.stateMachine.id}` },
    } as never,
  });
  let summary: Summary | undefined;
  const events = (async () => {
    for await (const event of run.eventLogs) {
      if (event.type === 'StateExited' && event.state.name === 'Summarize') summary = summarySchema.parse(event.state.output);
    }
  })();
  try {
    await run.result;
    await events;
    return { name, status: 'SUCCEEDED', summary, error: undefined };
  } catch (error) {
    await events.catch(() => {});
    const cause = (error as { cause?: unknown }).cause ?? error;
    const message = cause instanceof LambdaError ? cause.errorMessage : cause instanceof Error ? cause.message : String(cause);
    return { name, status: 'FAILED', summary, error: `${cause instanceof Error ? cause.name : 'Error'}: ${message}` };
  }
}

/** Ended in sync, each pair loaded as the execution's kind says, and every mirror table equal to the API's items. */
async function checkExecution(kind: 'full' | 'delta', execution: Execution, standIns: StandIns, tasks: Map<string, LambdaFunction>): Promise<string[]> {
  if (execution.status !== 'SUCCEEDED') return [`The ${kind} execution ${execution.name} ended FAILED (${execution.error})`];
  const problems = (execution.summary?.pairs ?? []).filter((pair) => pair.status !== 'in_sync' || pair.load !== kind)
    .map((pair) => `After the ${kind} execution, ${pair.resource}/${pair.country} is ${pair.status} with a ${pair.load ?? 'no'} load`);
  const prefix = String([...tasks.values()][0]?.environment.FOCUS_TABLE_SCHEMA_PREFIX ?? 'focus_');
  const sql = connect(standIns.database.adminUrl, { ssl: 'require', max: 1 });
  try {
    for (const resource of resourcesFromSchema(standIns.simulator.schema as never)) {
      for (const country of standIns.simulator.options.countries) {
        const mirror = await readMirror(sql, resource.name, country, resource.attributes, prefix);
        const server = comparableItems(standIns.simulator.items(resource.name, country), resource.attributes);
        if (!isDeepStrictEqual(mirror, server)) {
          const row = server.findIndex((item, index) => !isDeepStrictEqual(item, mirror[index]));
          problems.push(`After the ${kind} execution, the mirror of ${resource.name}/${country} differs from the API's data: ${mirror.length} rows against ${server.length}, first at row ${row === -1 ? server.length : row}`);
        }
      }
    }
  } finally {
    await sql.end();
  }
  return problems;
}
