// CheckServerState: asks the API how many live items the pair has.
import { afterApply, serverState } from '../core/messages.ts';
import { checkServerState } from '../core/pair-sync.ts';
import { runtime } from '../core/runtime.ts';
import { step } from '../core/step.ts';

export const handler = step('CheckServerState', { input: afterApply, output: serverState }, (input) => checkServerState(runtime(), input, input.applied.watermark));
