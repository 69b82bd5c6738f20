// ApplyDelta: applies the staged created, updated and deleted items and the new watermark at once.
import { applied, passInput } from '../core/messages.ts';
import { applyDelta } from '../core/pair-sync.ts';
import { runtime } from '../core/runtime.ts';
import { step } from '../core/step.ts';

export const handler = step('ApplyDelta', { input: passInput, output: applied }, (input) => applyDelta(runtime(), input));
