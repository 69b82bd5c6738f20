// npm run sync -- [--mode auto|full] [--resources a,b] [--countries de,at]
// Runs the state machine once on this machine. Exits 0 only when every selected pair was compared
// and is in sync; 75 when pairs a live run held were skipped and none failed; 1 when any failed;
// 130 or 143 when Ctrl-C or SIGTERM stopped it (everything unfinished rolled back and released).
import { parseArgs } from 'node:util';
import { connect } from '../../functions/core/db/connection.ts';
import { releaseExecution } from '../../functions/core/run.ts';
import { createRuntime, closeRuntime } from '../../functions/core/runtime.ts';
import { onProgress } from '../../functions/core/telemetry/progress.ts';
import { exitCodeOf, printEvents, printResult, printStopped } from './report.ts';
import { loadDefinition, runStateMachine, type ExecutionEvent } from './runner.ts';
import { localEnvironment } from './environment.ts';
import { taskStates } from './definition.ts';
import { executionInputFromArgs, executionInputProblem } from './arguments.ts';
import { progressView } from './progress-view.ts';
import { SIGNAL_EXIT_CODES, stopOnSignals } from './stop-signals.ts';

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
  const stop = stopOnSignals((signal) => write(`${signal} received: stopping; open transactions roll back and the run's pairs are released (press Ctrl-C again to exit at once)`));
  const stopProgress = onProgress(view.update);
  const runtime = createRuntime(environment.config);
  const synced = new Set<string>();
  const printEvent = printEvents(write, new Set(taskStates(await loadDefinition())));
  try {
    const result = await runStateMachine({
      input,
      runtime,
      signal: stop.signal,
      onEvent: (event) => {
        printEvent(event);
        noteInSync(event, synced);
      },
    });
    const signal = stop.received();
    if (result.status === 'ABORTED' && signal) {
      // Its connections closed at once: PostgreSQL rolls back every transaction the run had open.
      await runtime.sql.end({ timeout: 0 });
      const sql = connect(environment.config.databaseUrl, { max: 1, ssl: environment.config.databaseSsl });
      try {
        const left = await releaseExecution(sql, result.execution, `aborted: ${signal} stopped the run; nothing it had not committed was applied`);
        printStopped(write, result.execution, signal, left, [...synced]);
      } finally {
        await sql.end({ timeout: 5 });
      }
      exitCode = SIGNAL_EXIT_CODES[signal];
    } else {
      printResult(write, result);
      exitCode = exitCodeOf(result);
    }
  } finally {
    stopProgress();
    view.close();
    await closeRuntime();
    await environment.stop();
    stop.dispose();
  }
} catch (error) {
  process.stderr.write(`${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
  exitCode = exitCode || 2;
}
process.exit(exitCode);

/** Pairs whose CompareState found them in sync, in this run. */
function noteInSync(event: ExecutionEvent, synced: Set<string>): void {
  if (event.type !== 'StateExited' || !('state' in event) || event.state.name !== 'CompareState') return;
  const output = event.state.output as { resource?: string; country?: string; compare?: { inSync?: boolean } } | null;
  if (output?.compare?.inSync) synced.add(`${output.resource}/${output.country}`);
}
