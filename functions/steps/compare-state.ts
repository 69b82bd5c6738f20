// CompareState: COUNT(*) of the mirror against the server's total_items.
import { afterServerState, comparison } from '../core/messages.ts';
import { compareState } from '../core/pair-sync.ts';
import { runtime } from '../core/runtime.ts';
import { step } from '../core/step.ts';

export const handler = step('CompareState', { input: afterServerState, output: comparison }, (input) => compareState(runtime(), input, input.server.totalItems));
