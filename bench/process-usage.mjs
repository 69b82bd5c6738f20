// Preloaded into every node process of a benchmarked sync: records its peak resident memory (KB)
// and the CPU time it used (microseconds, user and system).
import { appendFileSync, readFileSync } from 'node:fs';

process.on('exit', () => {
  const usage = process.resourceUsage();
  if (process.env.FOCUS_BENCH_USAGE_FILE) appendFileSync(process.env.FOCUS_BENCH_USAGE_FILE, `${peakRssKb(usage)} ${usage.userCPUTime + usage.systemCPUTime}\n`);
});

// This process's own peak (VmHWM). Not resourceUsage().maxRSS: Linux keeps that across exec, so a
// sync started by the benchmark would report the benchmark's own peak whenever it was larger.
function peakRssKb(usage) {
  try {
    return Number(/^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
  } catch {
    return usage.maxRSS;
  }
}
