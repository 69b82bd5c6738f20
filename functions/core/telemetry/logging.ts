// Structured JSON logs (Powertools Logger), one child logger per invocation carrying its execution
// id, state, resource and country. Off Lambda it is silent unless FOCUS_LOG_LEVEL asks: the local
// runner prints the same events for a person, and JSON lines would only clutter them.
import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod';
import { ConfigurationError } from '../errors.ts';
import { LOG_LEVELS, SERVICE } from './names.ts';

const LEVEL = z.enum(LOG_LEVELS);
type Level = z.output<typeof LEVEL>;

/** Read apart from the configuration, which logging precedes; docs/configuration.md lists it with the others. */
export const LOG_LEVEL_VARIABLE = {
  FOCUS_LOG_LEVEL: LEVEL.meta({
    unset: '`INFO` on Lambda, `SILENT` locally',
    description: `the steps' JSON log lines (${LOG_LEVELS.map((level) => `\`${level}\``).join(', ')}); locally \`npm run sync\` prints for a person instead, and a level here adds the JSON lines (on stderr and stdout)`,
  }),
};

/** What one invocation logs with, and counts while it runs. */
export interface Invocation {
  logger: Logger;
  keys: InvocationKeys;
  retries: number;
}

export interface InvocationKeys {
  executionId: string | null;
  state: string | null;
  resource: string | null;
  country: string | null;
}

const root = new Logger({ serviceName: SERVICE, logLevel: 'SILENT' });
const current = new AsyncLocalStorage<Invocation>();

/** The running invocation's logger; outside a step, the root one (silent unless configured). */
export function log(): Logger {
  return current.getStore()?.logger ?? root;
}

/** The running invocation's execution, state and pair (all null outside a step). */
export function currentKeys(): InvocationKeys {
  return current.getStore()?.keys ?? { executionId: null, state: null, resource: null, country: null };
}

export function onLambda(): boolean {
  return Boolean(process.env.AWS_LAMBDA_FUNCTION_NAME);
}

/** FOCUS_LOG_LEVEL, or INFO on Lambda and SILENT elsewhere; a wrong value names the variable. */
export function logLevel(): Level {
  const raw = process.env.FOCUS_LOG_LEVEL?.trim();
  if (!raw) return onLambda() ? 'INFO' : 'SILENT';
  const parsed = LEVEL.safeParse(raw.toUpperCase());
  if (!parsed.success) throw new ConfigurationError(`FOCUS_LOG_LEVEL must be one of ${LEVEL.options.join(', ')}`);
  return parsed.data;
}

export function createInvocation(keys: InvocationKeys): Invocation {
  const logger = root.createChild();
  logger.setLogLevel(logLevel());
  logger.appendPersistentKeys({ ...keys });
  return { logger, keys, retries: 0 };
}

/** Runs `work` with `invocation` as the current one (concurrent local pairs each keep theirs). */
export function within<T>(invocation: Invocation, work: () => Promise<T>): Promise<T> {
  return current.run(invocation, work);
}

/** A request to the API failed and is tried again: logged, and counted for the Retries metric. */
export function recordRetry(what: string, attempt: number, reason: string): void {
  const invocation = current.getStore();
  if (invocation) invocation.retries += 1;
  log().warn('retrying a request to the Focus API', { request: what, attempt, reason });
}
