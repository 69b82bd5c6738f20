// npm run sync -- [--mode auto|full] [--resources a,b] [--countries de,at]
// Runs the state machine once on this machine and exits 0 only when every pair is in sync.
import { parseArgs } from 'node:util';
import { createRuntime, closeRuntime } from '../../functions/core/runtime.ts';
import { onProgress } from '../../functions/core/telemetry/progress.ts';
import { printEvents, printResult } from './report.ts';
import { loadDefinition, runStateMachine } from './runner.ts';
import { localEnvironment } from './environment.ts';
import { taskStates } from './definition.ts';
import { executionInputFromArgs, executionInputProblem } from './arguments.ts';
import { progressView } from './progress-view.ts';

// Live progress of each load under the step timeline (in place on a terminal, periodic lines otherwise).
const view = progressView(process.stdout);
const write = (line: string) => view.write(line);
// The process ends with it, whatever handles are left open.
let exitCode = 0;

try {
  const { values } = parseArgs({
    options: { mode: { type: 'string' }, resources: { type: 'string' }, countries: { type: 'string' }, help: { type: 'boolean' } },
    strict: true,
  });
  if (values.help) {
    write('Usage: npm run sync -- [--mode auto|full] [--resources a,b] [--countries de,at]\nConfiguration comes from the environment or .env (see docs/configuration.md).');
    process.exit(0);
  }
  const input = executionInputFromArgs(values);
  const problem = executionInputProblem(input);
  if (problem) {
    process.stderr.write(`${problem}\n`);
    process.exit(2);
  }
  const environment = await localEnvironment();
  environment.notes.forEach(write);
  const stopProgress = onProgress(view.update);
  try {
    const result = await runStateMachine({
      input,
      runtime: createRuntime(environment.config),
      onEvent: printEvents(write, new Set(taskStates(await loadDefinition()))),
    });
    printResult(write, result);
    exitCode = result.status === 'SUCCEEDED' ? 0 : 1;
  } finally {
    stopProgress();
    view.close();
    await closeRuntime();
    await environment.stop();
  }
} catch (error) {
  process.stderr.write(`${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
  exitCode = 2;
}
process.exit(exitCode);
