// Every Task state's handler is built here: middy, with the step's input and output checked by zod,
// on Lambda the step's secrets read before it runs, and its logs and metrics around it all.
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import type * as z from 'zod';
import { InvalidInput } from './errors.ts';
import { describeIssues } from './messages.ts';
import { lambdaConfiguration } from './secrets.ts';
import { within } from './telemetry/logging.ts';
import { invocationOf, observe } from './telemetry/middleware.ts';

export type StepHandler<O> = ((event: unknown, context: Context) => Promise<O>) & {
  /** The Task state it serves and the shape of its input, for tooling and tests. */
  readonly state: string;
  readonly input: z.ZodType;
};

export function step<I extends z.ZodType, O extends z.ZodType>(
  state: string,
  schemas: { input: I; output: O },
  work: (input: z.output<I>, context: Context) => Promise<z.input<O>>,
): StepHandler<z.output<O>> {
  const handler = middy()
    // First, so that its onError also sees a refused input or a missing secret.
    .use(observe(state))
    .use(boundary(state, schemas))
    .use(lambdaConfiguration(state))
    .handler(async (event: unknown, context: Context) => {
      const invocation = invocationOf(context);
      return invocation ? within(invocation, () => work(event as z.output<I>, context)) : work(event as z.output<I>, context);
    });
  return Object.assign(handler, { state, input: schemas.input }) as unknown as StepHandler<z.output<O>>;
}

/** Swaps the raw event for the parsed one, and refuses an output the next state could not read. */
function boundary(state: string, schemas: { input: z.ZodType; output: z.ZodType }): MiddlewareObj {
  return {
    before: (request) => {
      request.event = parse(schemas.input, request.event, `${state} received an input it cannot use`);
    },
    after: (request) => {
      request.response = parse(schemas.output, request.response, `${state} produced an output that breaks the state contract (a bug in focus-sync)`);
    },
  };
}

function parse(schema: z.ZodType, value: unknown, what: string): unknown {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new InvalidInput(`${what}: ${describeIssues(parsed.error)}`);
}
