// Following a deployed execution: its history as it grows, printed like `npm run sync` prints a
// local one, then the summary of every pair.
import { GetExecutionHistoryCommand, type HistoryEvent, type SFNClient } from '@aws-sdk/client-sfn';
import { setTimeout as sleep } from 'node:timers/promises';
import { summary as summarySchema, type Summary } from '../functions/core/messages.ts';
import { printResult } from '../statemachine/local/report.ts';

type Write = (line: string) => void;

export interface FollowResult {
  status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  summary: Summary | undefined;
}

interface StateContext {
  state: string;
  pair: string;
  entered: number;
  failed: boolean;
}

const FINAL: Record<string, FollowResult['status']> = {
  ExecutionSucceeded: 'SUCCEEDED', ExecutionFailed: 'FAILED', ExecutionTimedOut: 'TIMED_OUT', ExecutionAborted: 'ABORTED',
};

/** Prints the execution's Task states as they run until it ends; resolves to how it ended. */
export async function followExecution(sfn: SFNClient, executionArn: string, write: Write, pollMs = 2000): Promise<FollowResult> {
  const contexts = new Map<number, StateContext | undefined>();
  let lastId = 0;
  let summary: Summary | undefined;
  for (;;) {
    for (const event of await eventsAfter(sfn, executionArn, lastId)) {
      lastId = event.id ?? lastId;
      const context = contextOf(event, contexts);
      if (event.type === 'TaskStateExited' && context?.state === 'Summarize') summary = parseSummary(event.stateExitedEventDetails?.output);
      const line = describe(event, context);
      if (line) write(line);
      const status = FINAL[event.type ?? ''];
      if (status) {
        printResult(write, { execution: executionArn.split(':').at(-1)!, status: status === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED', summary, error: failureOf(status, event) });
        return { status, summary };
      }
    }
    await sleep(pollMs);
  }
}

/** The events newer than `lastId`, oldest first, reading the history newest first to stop early. */
async function eventsAfter(sfn: SFNClient, executionArn: string, lastId: number): Promise<HistoryEvent[]> {
  const fresh: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 500, nextToken }));
    for (const event of page.events ?? []) {
      if ((event.id ?? 0) <= lastId) return fresh.reverse();
      fresh.push(event);
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return fresh.reverse();
}

// A Task's Lambda events chain back to its TaskStateEntered through previousEventId.
function contextOf(event: HistoryEvent, contexts: Map<number, StateContext | undefined>): StateContext | undefined {
  const context = event.type === 'TaskStateEntered'
    ? { state: event.stateEnteredEventDetails?.name ?? '?', pair: pairOf(event.stateEnteredEventDetails?.input), entered: time(event), failed: false }
    : contexts.get(event.previousEventId ?? 0);
  contexts.set(event.id ?? 0, context);
  return context;
}

function describe(event: HistoryEvent, context: StateContext | undefined): string | undefined {
  if (!context) return undefined;
  const prefix = `${context.pair.padEnd(24)} ${context.state.padEnd(16)}`;
  const failure = event.lambdaFunctionFailedEventDetails ?? event.lambdaFunctionTimedOutEventDetails ?? event.lambdaFunctionStartFailedEventDetails
    ?? event.lambdaFunctionScheduleFailedEventDetails ?? event.taskFailedEventDetails ?? event.taskTimedOutEventDetails;
  switch (event.type) {
    case 'TaskStateEntered':
      return `${prefix} …`;
    case 'LambdaFunctionScheduled':
      return context.failed ? `${prefix} ↻ retry` : undefined;
    case 'TaskStateExited':
      return `${prefix} ✓ ${((time(event) - context.entered) / 1000).toFixed(1).padStart(6)} s`;
    default:
      if (!failure) return undefined;
      context.failed = true;
      return `${prefix} ✗ ${failure.error ?? 'Error'}: ${causeText(failure.cause)}`;
  }
}

function failureOf(status: FollowResult['status'], event: HistoryEvent): { name: string; cause: string } | undefined {
  if (status === 'SUCCEEDED') return undefined;
  const details = event.executionFailedEventDetails ?? event.executionTimedOutEventDetails ?? event.executionAbortedEventDetails;
  return { name: details?.error ?? status, cause: causeText(details?.cause) || `the execution ended ${status}` };
}

function pairOf(input: string | undefined): string {
  try {
    const value = JSON.parse(input ?? 'null') as { resource?: unknown; country?: unknown } | null;
    return typeof value?.resource === 'string' && typeof value.country === 'string' ? `${value.resource}/${value.country}` : '';
  } catch {
    return '';
  }
}

function parseSummary(output: string | undefined): Summary | undefined {
  try {
    const parsed = summarySchema.safeParse(JSON.parse(output ?? 'null'));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

// A Lambda error's cause is the runtime's JSON (errorType, errorMessage, trace); keep the message.
function causeText(cause: string | undefined): string {
  try {
    const parsed = JSON.parse(cause ?? '') as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // Not JSON: the cause is the message.
  }
  return cause ?? '';
}

function time(event: HistoryEvent): number {
  return event.timestamp ? new Date(event.timestamp).getTime() : 0;
}
