// Authenticate: checks the execution input and the API credentials before anything else runs.
import { executionInput, runOptions } from '../core/messages.ts';
import { authenticate } from '../core/run.ts';
import { runtime } from '../core/runtime.ts';
import { step } from '../core/step.ts';

export const handler = step('Authenticate', { input: executionInput, output: runOptions }, (input) => authenticate(runtime(), input));
