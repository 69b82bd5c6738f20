// FullLoad: streams every live item into staging, then replaces the table's rows in one transaction.
import { applied, passInput } from '../core/messages.ts';
import { fullLoad } from '../core/pair-sync.ts';
import { runtime } from '../core/runtime.ts';
import { step } from '../core/step.ts';

export const handler = step('FullLoad', { input: passInput, output: applied }, (input) => fullLoad(runtime(), input));
