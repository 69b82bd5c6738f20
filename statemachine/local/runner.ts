// Runs statemachine/sync.asl.json unchanged, in-process, each Task state bound to its handler.
import { ExecutionError, StateMachine, type StateMachineDefinition } from './interpreter.ts';
import type { Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { summary as summarySchema, type Summary } from '../../functions/core/messages.ts';
import { useRuntime, type Runtime } from '../../functions/core/runtime.ts';
import type { StepHandler } from '../../functions/core/step.ts';
import { connect } from '../../functions/core/db/connection.ts';
import { holdLifeLock } from '../../functions/core/db/leases.ts';
import { handlerFile, taskStates } from './definition.ts';

export const DEFINITION_FILE = new URL('../sync.asl.json', import.meta.url);

/** An event of the execution, as aws-local-stepfunctions logs it (state entered, exited, retried…). */
export type ExecutionEvent = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

export interface RunOptions {
  input: unknown;
  runtime: Runtime;
  /** Called for every event of the execution, as it happens. */
  onEvent?: (event: ExecutionEvent) => void;
  /** Milliseconds to wait before a retry, instead of the ASL's backoff (tests). */
  retryIntervalMs?: number;
  executionName?: string;
  /** Stops the execution where it is (Ctrl-C): see stopExecution for what is rolled back and recorded. */
  signal?: AbortSignal;
}

export interface RunResult {
  execution: string;
  status: 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  summary: Summary | undefined;
  error: { name: string; cause: string } | undefined;
}

export async function runStateMachine(options: RunOptions): Promise<RunResult> {
  const definition = await loadDefinition();
  const handlers = await bindHandlers(definition);
  const execution = options.executionName ?? `local-${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}`;
  // Validated by npm test (test/statemachine/definition.test.ts), not on every run: see interpreter.ts.
  const machine = new StateMachine(definition, { validationOptions: { noValidate: true } });
  const retryOverrides = options.retryIntervalMs === undefined ? undefined
    : Object.fromEntries(taskStates(definition).map((name) => [name, options.retryIntervalMs!]));
  useRuntime(options.runtime);
  const releaseLife = await holdLifeLockIfReachable(options.runtime, execution);
  const run = machine.run(options.input as never, {
    overrides: { taskResourceLocalHandlers: handlers, ...(retryOverrides && { retryIntervalOverrides: retryOverrides }) },
    context: {
      Execution: { Id: `arn:aws:states:local:000000000000:execution:focus-sync:${execution}`, Name: execution, Input: options.input, StartTime: new Date().toISOString() },
      StateMachine: { Id: 'arn:aws:states:local:000000000000:stateMachine:focus-sync', Name: 'focus-sync' },
    } as never,
  });
  let summary: Summary | undefined;
  const abort = () => run.abort();
  options.signal?.addEventListener('abort', abort, { once: true });
  const events = (async () => {
    for await (const event of run.eventLogs) {
      if (event.type === 'StateExited' && event.state.name === 'Summarize') summary = summarySchema.parse(event.state.output);
      options.onEvent?.(event);
    }
  })();
  try {
    await run.result;
    await events;
    return { execution, status: 'SUCCEEDED', summary, error: undefined };
  } catch (failure) {
    await events.catch(() => {});
    if (options.signal?.aborted) return { execution, status: 'ABORTED', summary, error: undefined };
    const error = failure instanceof ExecutionError && failure.cause instanceof Error ? failure.cause : failure;
    const name = error instanceof Error ? error.name : 'Error';
    const cause = error instanceof Error ? error.message : String(error);
    return { execution, status: 'FAILED', summary, error: { name, cause } };
  } finally {
    options.signal?.removeEventListener('abort', abort);
    await releaseLife?.();
  }
}

/**
 * The run's proof of life for the leases it takes (functions/core/db/leases.ts), on a connection of
 * its own. Without a reachable database there is none: the run then fails in its first database
 * step, named as usual, and takes no lease.
 */
async function holdLifeLockIfReachable(runtime: Runtime, execution: string): Promise<(() => Promise<void>) | undefined> {
  const session = connect(runtime.config.databaseUrl, { max: 1, ssl: runtime.config.databaseSsl, lasting: true });
  try {
    return await holdLifeLock(session, execution);
  } catch {
    await session.end({ timeout: 0 });
    return undefined;
  }
}

/** The ASL with its `${…FunctionArn}` placeholders filled, as CDK's definitionSubstitutions do. */
export async function loadDefinition(): Promise<StateMachineDefinition> {
  const text = await readFile(DEFINITION_FILE, 'utf8');
  return JSON.parse(text.replace(/\$\{(\w+)FunctionArn\}/g, (_, state: string) => localFunctionArn(state))) as StateMachineDefinition;
}

export function localFunctionArn(state: string): string {
  return `arn:aws:lambda:local:000000000000:function:focus-sync-${state}`;
}

/** Imports functions/steps/<state>.ts for every Task state of the definition. */
type LocalHandlers = NonNullable<NonNullable<Parameters<StateMachine['run']>[1]>['overrides']>['taskResourceLocalHandlers'];

export async function bindHandlers(definition: StateMachineDefinition): Promise<NonNullable<LocalHandlers>> {
  const entries = await Promise.all(taskStates(definition).map(async (name) => {
    const handler = await loadHandler(name);
    return [name, (input: unknown) => handler(input, lambdaContext(name)) as Promise<never>] as const;
  }));
  return Object.fromEntries(entries);
}

/** The one handler that serves no Task state: EventBridge invokes it when an execution ends without succeeding. */
export const EVENT_HANDLERS = ['ReleaseExecution'] as const;

export async function loadHandler(state: string): Promise<StepHandler<unknown>> {
  // Template literals, not computed URLs: esbuild bundles every file they can match (launch.mjs).
  const module = (await ((EVENT_HANDLERS as readonly string[]).includes(state)
    ? import(`../../functions/events/${handlerFile(state)}`)
    : import(`../../functions/steps/${handlerFile(state)}`))) as { handler?: StepHandler<unknown> };
  if (typeof module.handler !== 'function') throw new Error(`functions/steps/${handlerFile(state)} does not export a handler for the Task state ${state}`);
  return module.handler;
}

/** What a Lambda handler may read of its context, for an in-process call. */
export function lambdaContext(state: string, timeoutMs = 900_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `focus-sync-${state}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: localFunctionArn(state),
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/focus-sync-${state}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
