// Preloaded into every node process of a benchmarked sync: records its peak resident memory (KB).
import { appendFileSync } from 'node:fs';

process.on('exit', () => {
  if (process.env.FOCUS_BENCH_RSS_FILE) appendFileSync(process.env.FOCUS_BENCH_RSS_FILE, `${process.resourceUsage().maxRSS}\n`);
});
