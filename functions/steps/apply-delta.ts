// ApplyDelta: stages the items deleted since the watermark while it upserts the staged created and
// updated ones, then deletes them and moves the watermark, all in one transaction.
import { applied, clientState } from '../core/messages.ts';
import { applyDelta } from '../core/pair-sync.ts';
import { runtime } from '../core/runtime.ts';
import { step } from '../core/step.ts';

export const handler = step('ApplyDelta', { input: clientState, output: applied }, (input) => applyDelta(runtime(), input));
