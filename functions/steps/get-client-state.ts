// GetClientState: reads the pair's watermark and decides between a full and a delta load.
import { clientState, clientStateInput } from '../core/messages.ts';
import { getClientState } from '../core/pair-sync.ts';
import { runtime } from '../core/runtime.ts';
import { step } from '../core/step.ts';

export const handler = step('GetClientState', { input: clientStateInput, output: clientState }, (input) => getClientState(runtime(), input));
