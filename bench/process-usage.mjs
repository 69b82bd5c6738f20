// Preloaded into every node process of a benchmarked sync: records its peak resident memory (KB)
// and the CPU time it used (microseconds, user and system).
import { appendFileSync } from 'node:fs';

process.on('exit', () => {
  const usage = process.resourceUsage();
  if (process.env.FOCUS_BENCH_USAGE_FILE) appendFileSync(process.env.FOCUS_BENCH_USAGE_FILE, `${usage.maxRSS} ${usage.userCPUTime + usage.systemCPUTime}\n`);
});
