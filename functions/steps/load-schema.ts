// LoadSchema: reads the resource schema and picks the resources this execution syncs.
import { runOptions, schemaLoaded } from '../core/messages.ts';
import { loadSchema } from '../core/run.ts';
import { runtime } from '../core/runtime.ts';
import { step } from '../core/step.ts';

export const handler = step('LoadSchema', { input: runOptions, output: schemaLoaded }, (input) => loadSchema(runtime(), input));
