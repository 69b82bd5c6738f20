// ReleaseExecution: EventBridge calls it when an execution of the state machine ends ABORTED,
// TIMED_OUT or FAILED. What that execution left unfinished (it never reached Summarize, or did and
// left nothing) is recorded aborted, its staging tables dropped and its leases released, so the
// next execution starts at once instead of waiting for the leases to expire.
import { executionEnded, released } from '../core/messages.ts';
import { releaseExecution } from '../core/run.ts';
import { runtime } from '../core/runtime.ts';
import { step } from '../core/step.ts';

export const handler = step('ReleaseExecution', { input: executionEnded, output: released }, async ({ detail }) => {
  const why = `aborted: the execution ended ${detail.status} before its pairs finished; nothing it had not committed was applied`;
  return { execution: detail.name, status: detail.status, pairs: await releaseExecution(runtime().sql, detail.name, why) };
});
