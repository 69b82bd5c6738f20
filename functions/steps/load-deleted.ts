// LoadDeleted: streams the items deleted since the watermark into staging; the mirror is not touched yet.
import { clientState, staged } from '../core/messages.ts';
import { stageDelta } from '../core/pair-sync.ts';
import { runtime } from '../core/runtime.ts';
import { step } from '../core/step.ts';

export const handler = step('LoadDeleted', { input: clientState, output: staged }, (input) => stageDelta(runtime(), input, 'deleted'));
