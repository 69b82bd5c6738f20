// One pass of promotions/de run by hand, step by step, as the state machine runs it, so that a
// test can act between the steps; afterwards, what Summarize does for a pair that failed.
import { releaseLeases } from '../../functions/core/db/leases.ts';
import { dropStaging } from '../../functions/core/db/mirror.ts';
import { createRuntime, type Runtime } from '../../functions/core/runtime.ts';
import type { Harness } from './harness.ts';

export interface HandPair {
  resource: string;
  country: string;
  mode: 'auto' | 'full';
  onOutOfSync: 'none';
  execution: string;
}

export async function withPass(harness: Harness, mode: 'auto' | 'full', execution: string, work: (runtime: Runtime, pair: HandPair) => Promise<void>): Promise<void> {
  const runtime = createRuntime(harness.config);
  const pair = { resource: 'promotions', country: 'de', mode, onOutOfSync: 'none' as const, execution };
  try {
    await work(runtime, pair);
  } finally {
    await dropStaging(harness.sql, pair);
    await releaseLeases(harness.sql, pair.execution);
    await runtime.sql.end({ timeout: 1 });
  }
}
