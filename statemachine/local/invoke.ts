// npm run invoke -- <StateName> [event.json]
// Runs one step's handler (or ReleaseExecution's) alone, as Lambda would, with a SAM-style event (default test/events/<state>.json).
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { closeRuntime, createRuntime, useRuntime } from '../../functions/core/runtime.ts';
import { handlerFile, taskStates } from './definition.ts';
import { localEnvironment } from './environment.ts';
import { EVENT_HANDLERS, lambdaContext, loadDefinition, loadHandler } from './runner.ts';

const [state, eventFile] = process.argv.slice(2);
const states = [...taskStates(await loadDefinition()), ...EVENT_HANDLERS];
if (!state || !states.includes(state)) {
  process.stderr.write(`Usage: npm run invoke -- <StateName> [event.json]\nStates: ${states.join(', ')}\n`);
  process.exit(2);
}
const file = resolve(eventFile ?? `test/events/${basename(handlerFile(state), '.ts')}.json`);
const event: unknown = JSON.parse(await readFile(file, 'utf8'));
const environment = await localEnvironment();
environment.notes.forEach((note) => process.stderr.write(`${note}\n`));
try {
  useRuntime(createRuntime(environment.config));
  const handler = await loadHandler(state);
  const output = await handler(event, lambdaContext(state));
  process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
} catch (error) {
  process.stderr.write(`${state} failed with ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await closeRuntime();
  await environment.stop();
}
// Ends the process with the run's exit code, whatever handles are left open.
process.exit(process.exitCode ?? 0);
