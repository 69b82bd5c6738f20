// Summarize: one row per pair, in sync or failed with its error; cleans up after failed pairs.
import { summarizeInput, summary } from '../core/messages.ts';
import { summarize } from '../core/run.ts';
import { runtime } from '../core/runtime.ts';
import { step } from '../core/step.ts';

export const handler = step('Summarize', { input: summarizeInput, output: summary }, (input) => summarize(runtime(), input.execution, input.pairs));
