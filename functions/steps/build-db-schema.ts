// BuildDbSchema: creates or evolves every table, idempotently, and lists the pairs to sync.
import { schemaLoaded, tablesReady } from '../core/messages.ts';
import { buildTables } from '../core/run.ts';
import { runtime } from '../core/runtime.ts';
import { step } from '../core/step.ts';

export const handler = step('BuildDbSchema', { input: schemaLoaded, output: tablesReady }, (input) => buildTables(runtime(), input));
