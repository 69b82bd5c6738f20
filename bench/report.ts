// The benchmark's one table, printed and written to bench/RESULTS.md with the machine it ran on.
import { writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { median, type LambdaFigures } from './lambda.ts';

/** A full load of one resource against its COPY ceiling. */
export interface LoadFigures {
  size: number;
  encodeOnly: number; // seconds, each below is a median
  /** The share of rows the JavaScript encoders wrote (lines the transcoder left to them), from 0 to 1. */
  javaScriptShare: number;
  /** What sent the binary encoding of the full lines back to text; null when every line went in binary. */
  textAgain: string | null;
  ceiling: number;
  /** The same rows in COPY's binary format: what PostgreSQL takes fastest. */
  binaryCeiling: number;
  full: number;
  /** Each repetition's COPY ceiling ÷ full load, both seconds, measured side by side. */
  ratios: number[];
  /** CPU seconds of the sync process in a full load, and how busy the whole machine was (0 to 1). */
  syncCpu: number;
  machineBusy: number;
  peakRssMb: number;  // the largest of the runs
}

export interface SizeFigures extends LoadFigures {
  httpRead: number;
  /** Each repetition's forced full reload ÷ its full load, with nothing changed and with 1% changed. */
  reloadRatios: number[];
  changedReloadRatios: number[];
  /** The same, nothing changed, with the API sending 100,000 lines a second (see measurePacedReloads). */
  pacedReloadRatios: number[];
  /** The table's size after each reload ÷ after the fresh load (the largest of the repetitions). */
  reloadGrowth: number;
  changedReloadGrowth: number;
  unchanged: number;
  deltaChanges: number;
  deltaRead: number;
  deltaApply: number;
  /** PostgreSQL alone copying as many changes into the stages, from local files in COPY's binary format. */
  copyAlone: number;
  /** PostgreSQL alone running the delta's statements on as many staged changes. */
  applyAlone: number;
  /** Each round's delta ÷ (its reading + its floor, measured right after it). */
  floorRatios: number[];
  /** Each delta step's median seconds. */
  deltaSteps: Record<string, number>;
}

/** Four pairs loading at once: each repetition's rows per second of each pair, over its own FullLoad. */
export interface FairnessFigures {
  rowsPerPair: number;
  runs: Array<Record<string, number>>;
}

/** The slowest pair's rate ÷ the mean rate of the others. */
export function fairness(rates: Record<string, number>): number {
  const sorted = Object.values(rates).sort((a, b) => a - b);
  const others = sorted.slice(1);
  return sorted[0]! / (others.reduce((sum, rate) => sum + rate, 0) / others.length);
}

export interface Results {
  items: number;
  repetitions: number;
  postgres: string;
  sizes: SizeFigures[];
  /** The resource with a column of every API type (bench/every-type.json), at the same sizes. */
  everyType: LoadFigures[];
  fairness: FairnessFigures;
  lambdas: LambdaFigures[];
}

/** `LoadCreated 82 ms, LoadUpdated 65 ms, …` */
export function formatSteps(steps: Record<string, number>): string {
  return Object.entries(steps).map(([state, seconds]) => `${state} ${(seconds * 1000).toFixed(0)} ms`).join(', ');
}

export async function writeReport(file: string, results: Results): Promise<string> {
  const text = render(results);
  await writeFile(file, text);
  return text;
}

function percent(share: number): string {
  return `${(share * 100).toFixed(share < 0.01 ? 3 : 1)}%`;
}

function render({ items, repetitions, postgres, sizes, everyType, fairness: shares, lambdas }: Results): string {
  const large = sizes.at(-1)!;
  const small = sizes[0]!;
  const perSecond = (size: number, seconds: number) => `${Math.round(size / seconds).toLocaleString('en')} rows/s`;
  const ratio = median(large.ratios);
  const range = (ratios: number[]) => (ratios.length > 1 ? ` (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})` : '');
  const spread = range(large.ratios);
  const deltaRatio = large.deltaApply / large.deltaRead;
  const leastRatio = (large.deltaRead + large.applyAlone) / large.deltaRead;
  const floorRatio = large.deltaApply / (large.deltaRead + large.applyAlone);
  const wholeFloorRatio = large.deltaApply / (large.deltaRead + large.copyAlone + large.applyAlone);
  const reload = median(large.reloadRatios);
  const changedReload = median(large.changedReloadRatios);
  // Flat: ten times the rows may cost a few MB more (heap sizing), not ten times the memory.
  const memoryMet = (from: LoadFigures, to: LoadFigures) => to.peakRssMb < 128 && to.peakRssMb <= from.peakRssMb * 1.25;
  const [typesSmall, typesLarge] = [everyType[0]!, everyType.at(-1)!];
  const typesRatio = median(typesLarge.ratios);
  const fairRatios = shares.runs.map(fairness);
  const fairRatio = median(fairRatios);
  const pairs = Object.keys(shares.runs[0]!).sort();
  const lines = [
    '# Benchmark results',
    '',
    `\`npm run bench -- --items ${items} --repetitions ${repetitions}\`, ${new Date().toISOString().slice(0, 10)}: medians of ${repetitions} runs (of ${large.floorRatios.length} rounds for the delta, each beside its floor); before each load, a CHECKPOINT; before each timed part, no autovacuum at work; before the reloads, the loaded table vacuumed and analyzed, as autovacuum does within a minute of a load.`,
    `Machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node.js ${process.version}, PostgreSQL ${postgres}.`,
    'The simulator, PostgreSQL and the sync each run in their own process on this one machine.',
    '',
    `| measure (${large.size.toLocaleString('en')} rows of a 12-column resource) | result | target |`,
    '|---|---|---|',
    `| HTTP read of the simulator's full lines (split, not parsed) | ${perSecond(large.size, large.httpRead)} | |`,
    `| Parsing and encoding alone: the full lines read, parsed and encoded in COPY's binary format as loads send them, then dropped (no database) | ${perSecond(large.size, large.encodeOnly)} | |`,
    `| Lines that would send a load back to COPY text (see docs/performance.md) | ${large.textAgain ?? 'none'} | |`,
    `| COPY ceiling: the same rows as COPY text in a file, into an identical empty table | ${perSecond(large.size, large.ceiling)} (${large.ceiling.toFixed(1)} s) | |`,
    `| The same rows in COPY's binary format, from a file: what PostgreSQL takes fastest | ${perSecond(large.size, large.binaryCeiling)} (${large.binaryCeiling.toFixed(1)} s) | |`,
    `| Full load: the whole \`npm run sync\` process, HTTP to committed rows | ${perSecond(large.size, large.full)} (${large.full.toFixed(1)} s) | |`,
    `| **Full load ÷ COPY ceiling**, each repetition against the ceiling measured right after it (range) | **${ratio.toFixed(2)}**${spread} | ≥ 0.8 ${ratio >= 0.8 ? '✓' : '✗'} |`,
    `| Full load ÷ the binary COPY of the same rows | ${(large.binaryCeiling / large.full).toFixed(2)} | |`,
    `| CPU in the full load: the sync process; the whole machine (${cpus().length} cores, shared by the simulator, PostgreSQL and the sync) | ${large.syncCpu.toFixed(1)} s (${(large.syncCpu / large.size * 1e6).toFixed(1)} µs a row); ${(large.machineBusy * 100).toFixed(0)}% busy | |`,
    `| Peak RSS of the sync process, ${small.size.toLocaleString('en')} → ${large.size.toLocaleString('en')} rows | ${small.peakRssMb.toFixed(0)} MB → ${large.peakRssMb.toFixed(0)} MB | < 128 MB, flat ${memoryMet(small, large) ? '✓' : '✗'} |`,
    `| Rows the JavaScript encoders would write in COPY text (lines the transcoder leaves) | ${percent(large.javaScriptShare)} | |`,
    `| Delta of ${large.deltaChanges.toLocaleString('en')} changes: LoadCreated + LoadUpdated + ApplyDelta (which reads the deleted items) | ${large.deltaApply.toFixed(2)} s (${formatSteps(large.deltaSteps)}) | |`,
    `| Reading those changes' lines only | ${large.deltaRead.toFixed(2)} s | |`,
    `| **Delta ÷ reading** | **${deltaRatio.toFixed(2)}** | (was < 2, withdrawn: below PostgreSQL's own floor here) |`,
    `| PostgreSQL alone applying as many changes: the delta's two statements on them staged, in a transaction of their own and a new session, as the sync's (on other keys, each round right after its delta; both from a CHECKPOINT, then the staging) | ${large.applyAlone.toFixed(2)} s | |`,
    `| Least Delta ÷ reading when changes are applied after they are read: reading + PostgreSQL's apply alone, ÷ reading | ${leastRatio.toFixed(2)} | |`,
    `| **Delta ÷ (reading + PostgreSQL's apply alone)**, of the medians (each round's, range) | **${floorRatio.toFixed(2)}**${range(large.floorRatios)} | ≤ 1.25 ${floorRatio <= 1.25 ? '✓' : '✗'} |`,
    `| The same, ${small.deltaChanges.toLocaleString('en')} changes to ${small.size.toLocaleString('en')} rows: delta; reading; PostgreSQL's apply alone; delta ÷ (reading + apply alone) | ${(small.deltaApply * 1000).toFixed(0)} ms; ${(small.deltaRead * 1000).toFixed(0)} ms; ${(small.applyAlone * 1000).toFixed(0)} ms; ${(small.deltaApply / (small.deltaRead + small.applyAlone)).toFixed(2)}${range(small.floorRatios)} | |`,
    `| PostgreSQL alone copying as many changes into the stages, from local files in COPY's binary format (the load steps pay this while they read; the floor above leaves it out) | ${large.copyAlone.toFixed(2)} s | |`,
    `| Delta ÷ (reading + PostgreSQL alone copying and applying) | ${wholeFloorRatio.toFixed(2)} | |`,
    `| **Forced full reload ÷ full load**, nothing changed (whole \`npm run sync -- --mode full\` process, each repetition against its own load) | **${reload.toFixed(2)}**${range(large.reloadRatios)} | ≤ 1.2 ${reload <= 1.2 ? '✓' : '✗'} |`,
    `| Forced full reload ÷ full load, ${large.deltaChanges.toLocaleString('en')} rows (1%) created, updated or deleted | ${changedReload.toFixed(2)}${range(large.changedReloadRatios)} | about as fast |`,
    `| Forced full reload ÷ full load, nothing changed, the API sending 100,000 lines a second as a remote one might (the cores then have room beside the load, as PostgreSQL has on its own machine) | ${median(large.pacedReloadRatios).toFixed(2)}${range(large.pacedReloadRatios)} | |`,
    `| **Table size after the reload ÷ freshly loaded**, no VACUUM after it: nothing changed; then 1% changed (the largest of the repetitions) | **${large.reloadGrowth.toFixed(2)}**; ${large.changedReloadGrowth.toFixed(2)} | ≤ 1.1 ${Math.max(large.reloadGrowth, large.changedReloadGrowth) <= 1.1 ? '✓' : '✗'} |`,
    `| Unchanged run, whole execution, ${small.size.toLocaleString('en')} → ${large.size.toLocaleString('en')} rows | ${small.unchanged.toFixed(2)} s → ${large.unchanged.toFixed(2)} s | small, about constant |`,
    '',
    `| measure (${typesLarge.size.toLocaleString('en')} rows of a resource with a column of every API type, bench/every-type.json) | result | target |`,
    '|---|---|---|',
    `| Parsing and encoding alone, in COPY's binary format (no database) | ${perSecond(typesLarge.size, typesLarge.encodeOnly)} | |`,
    `| Lines that would send a load back to COPY text | ${typesLarge.textAgain ?? 'none'} | only malformed or unusual lines |`,
    `| Rows the JavaScript encoders would write in COPY text (lines the transcoder leaves) | ${percent(typesLarge.javaScriptShare)} | only malformed or unusual lines |`,
    `| COPY ceiling of the same rows (COPY text from a file) | ${perSecond(typesLarge.size, typesLarge.ceiling)} (${typesLarge.ceiling.toFixed(1)} s) | |`,
    `| The same rows in COPY's binary format, from a file | ${perSecond(typesLarge.size, typesLarge.binaryCeiling)} (${typesLarge.binaryCeiling.toFixed(1)} s) | |`,
    `| Full load, whole \`npm run sync\` process | ${perSecond(typesLarge.size, typesLarge.full)} (${typesLarge.full.toFixed(1)} s); sync CPU ${typesLarge.syncCpu.toFixed(1)} s; machine ${(typesLarge.machineBusy * 100).toFixed(0)}% busy | |`,
    `| **Full load ÷ COPY ceiling** (range) | **${typesRatio.toFixed(2)}**${range(typesLarge.ratios)} | ≥ 0.8 ${typesRatio >= 0.8 ? '✓' : '✗'} |`,
    `| Full load ÷ the binary COPY of the same rows | ${(typesLarge.binaryCeiling / typesLarge.full).toFixed(2)} | |`,
    `| Peak RSS of the sync process, ${typesSmall.size.toLocaleString('en')} → ${typesLarge.size.toLocaleString('en')} rows | ${typesSmall.peakRssMb.toFixed(0)} MB → ${typesLarge.peakRssMb.toFixed(0)} MB | < 128 MB, flat ${memoryMet(typesSmall, typesLarge) ? '✓' : '✗'} |`,
    '',
    `| four pairs loading at once (the simulator's own two resources × de, at; ${shares.rowsPerPair.toLocaleString('en')} rows each), rows/s over each pair's FullLoad | ${shares.runs.map((_, index) => `run ${index + 1}`).join(' | ')} |`,
    `|---|${shares.runs.map(() => '---').join('|')}|`,
    ...pairs.map((pair) => `| ${pair} | ${shares.runs.map((rates) => Math.round(rates[pair]!).toLocaleString('en')).join(' | ')} |`),
    `| **slowest ÷ mean of the others** (target ≥ 0.5: ${fairRatio >= 0.5 ? '✓' : '✗'} at the median ${fairRatio.toFixed(2)}) | ${fairRatios.map((ratio) => ratio.toFixed(2)).join(' | ')} |`,
    '',
    '| Lambda step | bundle (minified, AWS SDK external) | module initialisation |',
    '|---|---|---|',
    ...lambdas.map((lambda) => `| ${lambda.state} | ${lambda.kilobytes.toFixed(0)} KB | ${lambda.initMs.toFixed(0)} ms |`),
    '',
  ];
  return lines.join('\n');
}
