// Authenticate: checks the execution input and the API credentials before anything else runs.
// The ASL hands it the execution input under `input`, with the execution's name beside it.
import { authenticateInput, runOptions } from '../core/messages.ts';
import { authenticate } from '../core/run.ts';
import { runtime } from '../core/runtime.ts';
import { step } from '../core/step.ts';

export const handler = step('Authenticate', { input: authenticateInput, output: runOptions }, (input) => authenticate(runtime(), input));
