// Step Functions' word on whether an execution still runs: GetClientState asks it about an
// execution that holds a pair, and takes the pair over from one that no longer runs.
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { ExecutionStatuses } from './db/leases.ts';
import { log } from './telemetry/logging.ts';

/** The SDK loads on the first question, so the steps that never ask (all but GetClientState, and it rarely) start without it. */
export function stepFunctionsExecutions(): ExecutionStatuses {
  let client: SFNClient | undefined;
  return {
    async status(executionArn) {
      const sdk = await import('@aws-sdk/client-sfn');
      client ??= new sdk.SFNClient({});
      try {
        const { status } = await client.send(new sdk.DescribeExecutionCommand({ executionArn }));
        return status ?? 'RUNNING';
      } catch (error) {
        // Gone from the history (kept 90 days after it ended): it runs no more.
        if ((error as Error).name === 'ExecutionDoesNotExist') return 'GONE';
        // Not allowed or not reachable: no proof of death, so the lease's expiry decides.
        log().warn('Could not ask Step Functions whether the execution holding a pair still runs; its lease expiry decides', { executionArn, error: (error as Error).name });
        return 'RUNNING';
      }
    },
  };
}
