// aws-local-stepfunctions, minus what the local runner never uses: the AWS SDK it loads to invoke
// deployed Lambdas (every Task state is bound to its handler in-process) and the ASL validator
// (the runner passes noValidate; npm test validates the file instead). Each is swapped for a stub,
// which keeps them out of memory, and the validator's schema compilation (about 0.4 s) out of
// every `npm run sync`.
import { registerHooks } from 'node:module';
import type * as Library from 'aws-local-stepfunctions';

const STUB = new URL('./unused-by-runner.mjs', import.meta.url).href;
const STUBBED = new Set(['@aws-sdk/client-lambda', '@aws-sdk/credential-providers', 'asl-validator']);

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
