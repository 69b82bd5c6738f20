// The execution, printed for a person: each Task state as it starts and ends, retries, failures,
// and a table of every pair at the end.
import type { Summary } from '../../functions/core/messages.ts';
import type { LeftPair } from '../../functions/core/run.ts';
import type { ExecutionEvent, RunResult } from './runner.ts';

type Write = (line: string) => void;
type StateInput = { resource?: string; country?: string } | null;

/** Returns an onEvent callback that prints the execution's Task states as they run. */
export function printEvents(write: Write, tasks: ReadonlySet<string>): (event: ExecutionEvent) => void {
  const started = new Map<string, number>();
  return (event) => {
    if (!('state' in event) || !tasks.has(event.state.name)) return;
    const pair = pairOf(event.state.input as StateInput);
    const key = `${pair}/${event.state.name}`;
    const prefix = `${pair.padEnd(24)} ${event.state.name.padEnd(16)}`;
    switch (event.type) {
      case 'StateEntered':
        started.set(key, event.timestamp);
        write(`${prefix} …`);
        break;
      case 'StateExited':
        write(`${prefix} ✓ ${String(event.timestamp - (started.get(key) ?? event.timestamp)).padStart(6)} ms  ${counts(event.state.name, event.state.output)}`.trimEnd());
        for (const warning of (event.state.output as { warnings?: string[] } | null)?.warnings ?? []) write(`${prefix} ⚠ ${warning}`);
        break;
      case 'StateRetried':
        write(`${prefix} ↻ retry ${event.retry.attempt} of ${event.retry.retrier.MaxAttempts ?? 3}`);
        break;
      case 'StateFailed':
        write(`${prefix} ✗ ${event.Error}: ${String(event.Cause)}`);
        break;
      default:
        break;
    }
  };
}

/** EX_TEMPFAIL: nothing failed, but pairs a live run held were skipped; try again later. */
export const EXIT_SKIPPED = 75;

/** 0 only when every selected pair was compared in this run and is in sync. */
export function exitCodeOf(result: { status: string; summary: Summary | undefined }): number {
  if (result.status !== 'SUCCEEDED') return 1;
  return result.summary && result.summary.skipped > 0 ? EXIT_SKIPPED : 0;
}

/** The summary, the pairs skipped and stale, and a last line that counts what happened. */
export function printResult(write: Write, result: RunResult): void {
  const { summary } = result;
  if (summary) printSummary(write, summary);
  for (const pair of summary?.pairs.filter((row) => row.status === 'skipped') ?? []) write(`Skipped ${pair.resource}/${pair.country}: ${pair.reason}.`);
  for (const lag of summary?.stale ?? []) {
    write(`⚠ ${lag.resource}/${lag.country} ${lag.everInSync ? `was last in sync ${duration(lag.lagMinutes)} ago` : `has not been in sync since its first run ${duration(lag.lagMinutes)} ago`}, more than FOCUS_MAX_LAG_MINUTES allows.`);
  }
  const counts = summary ? `${summary.inSync} in sync, ${summary.skipped} skipped, ${summary.failed} failed` : '';
  if (result.status === 'SUCCEEDED' && summary?.skipped) {
    write(`Execution ${result.execution} SUCCEEDED but did not sync every pair: ${counts}. Try again when the runs holding the skipped pairs end.`);
  } else if (result.status === 'SUCCEEDED') {
    write(`Execution ${result.execution} SUCCEEDED: every pair is in sync${summary ? ` (${counts})` : ''}.`);
  } else {
    write(`Execution ${result.execution} ${result.status}${result.error ? ` with ${result.error.name}: ${result.error.cause}` : ''}${summary ? ` (${counts})` : ''}.`);
  }
}

/** A run stopped by a signal: what it left as it was, and what it had finished. */
export function printStopped(write: Write, execution: string, signal: string, left: LeftPair[], synced: string[]): void {
  write('');
  for (const pair of left) {
    const where = pair.step ? ` in ${pair.step}` : '';
    write(pair.applied
      ? `  ${pair.resource}/${pair.country}: stopped${where} after its pass was applied, before the comparison; the next run compares it`
      : `  ${pair.resource}/${pair.country}: left as it was (stopped${where}; its open transaction rolled back)`);
  }
  if (synced.length > 0) write(`  in sync before the stop: ${synced.join(', ')}`);
  write(`Execution ${execution} ABORTED by ${signal}: ${left.length} pair${left.length === 1 ? '' : 's'} left unfinished and released, ${synced.length} in sync; the next run starts at once.`);
}

export function printSummary(write: Write, summary: Summary): void {
  const header = ['pair', 'load', 'reason', 'loaded', 'created', 'updated', 'deleted', 'mirror', 'server', 'status'];
  const rows = summary.pairs.map((pair) => [
    `${pair.resource}/${pair.country}`, pair.load ?? '-', pair.reason ?? '-',
    ...(['loaded', 'created', 'updated', 'deleted'] as const).map((kind) => String(pair.rows?.[kind] ?? '-')),
    String(pair.clientCount ?? '-'), String(pair.serverCount ?? '-'),
    pair.status === 'failed' ? `FAILED ${pair.error}` : pair.status.replace('_', ' '),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const numeric = new Set([3, 4, 5, 6, 7, 8]);
  const format = (row: string[]) => row.map((cell, column) => (numeric.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ').trimEnd();
  write('');
  write(format(header));
  for (const row of rows) write(format(row));
  for (const pair of summary.pairs.filter((candidate) => candidate.cause)) write(`  ${pair.resource}/${pair.country}: ${pair.cause}`);
  write('');
}

function pairOf(input: StateInput): string {
  return input?.resource && input.country ? `${input.resource}/${input.country}` : '';
}

function counts(state: string, output: unknown): string {
  const value = output as Record<string, { rows?: number; loaded?: number; deleted?: number; clientCount?: number; serverCount?: number; totalItems?: number }> & { pairs?: unknown[] };
  switch (state) {
    case 'FullLoad': return `${value.applied?.loaded} rows loaded`;
    case 'LoadCreated': return `${value.created?.rows} created staged`;
    case 'LoadUpdated': return `${value.updated?.rows} updated staged`;
    case 'ApplyDelta': return `${value.applied?.loaded} upserted, ${value.applied?.deleted} deleted`;
    case 'CheckServerState': return `${value.server?.totalItems} on the server`;
    case 'CompareState': return `${value.compare?.clientCount} in the mirror`;
    case 'BuildDbSchema': return `${value.pairs?.length} pairs`;
    default: return '';
  }
}

function duration(minutes: number): string {
  const whole = Math.floor(minutes);
  return whole < 60 ? `${whole} min` : `${Math.floor(whole / 60)} h ${whole % 60} min`;
}
