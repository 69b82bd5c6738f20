// aws-local-stepfunctions, minus the AWS SDK it loads to invoke deployed Lambdas. The local runner
// binds every Task state to its handler in-process, so that client is never used; swapping it and
// its credential providers for a stub keeps about 40 MB and a quarter of a second out of every
// `npm run sync` (measured in bench/RESULTS.md).
import { registerHooks } from 'node:module';
import type * as Library from 'aws-local-stepfunctions';

const STUB = new URL('./no-lambda-client.ts', import.meta.url).href;
const STUBBED = new Set(['@aws-sdk/client-lambda', '@aws-sdk/credential-providers']);

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (STUBBED.has(specifier) && context.parentURL?.includes('/aws-local-stepfunctions/')) return { url: STUB, shortCircuit: true };
    return nextResolve(specifier, context);
  },
});

// Imported only now, so that the hook above sees its imports.
export const { ExecutionError, StateMachine }: typeof Library = await import('aws-local-stepfunctions');
export type StateMachine = Library.StateMachine;
export type { StateMachineDefinition } from 'aws-local-stepfunctions';
