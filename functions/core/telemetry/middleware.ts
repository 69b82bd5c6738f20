// The step handler's observer: an invocation logger with the pair's keys, a line when the step
// ends or fails (with its duration, never its input or the configuration), and its metrics.
import type { MiddlewareObj } from '@middy/core';
import { createInvocation, log, type Invocation } from './logging.ts';
import { publishStep } from './metrics.ts';

const invocations = new WeakMap<object, { invocation: Invocation; started: number }>();

export function observe(state: string): MiddlewareObj {
  return {
    before: (request) => {
      const event = (request.event ?? {}) as Record<string, unknown>;
      const text = (key: string) => (typeof event[key] === 'string' ? (event[key] as string) : null);
      const invocation = createInvocation({ executionId: text('execution'), state, resource: text('resource'), country: text('country') });
      invocation.logger.addContext(request.context);
      invocations.set(request.context, { invocation, started: performance.now() });
    },
    after: (request) => {
      const { invocation, durationMs } = finish(request.context);
      invocation.logger.info(`${state} done`, { durationMs, retries: invocation.retries });
      publishStep({ state, durationMs, retries: invocation.retries, output: request.response });
    },
    onError: (request) => {
      const { invocation, durationMs } = finish(request.context);
      const error = request.error as Error | null;
      // Name and message only: messages are written to be shown, and the cause chain may quote a driver's internals.
      invocation.logger.error(`${state} failed`, { durationMs, retries: invocation.retries, errorName: error?.name, errorMessage: error?.message });
      publishStep({ state, durationMs, retries: invocation.retries, error: error?.name ?? 'Error' });
    },
  };
}

/** The invocation the observer made for this Lambda context (the handler runs inside it). */
export function invocationOf(context: object): Invocation | undefined {
  return invocations.get(context)?.invocation;
}

function finish(context: object): { invocation: Invocation; durationMs: number } {
  // No entry when `before` itself failed (a wrong FOCUS_LOG_LEVEL): report with the root logger.
  const entry = invocations.get(context) ?? { invocation: { logger: log(), keys: { executionId: null, state: null, resource: null, country: null }, retries: 0 }, started: performance.now() };
  invocations.delete(context);
  return { invocation: entry.invocation, durationMs: Math.round(performance.now() - entry.started) };
}
