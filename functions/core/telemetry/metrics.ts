// CloudWatch metrics in the embedded metric format (Powertools Metrics), on Lambda only: the log
// line is the metric, so nothing is sent anywhere else. infra/dashboard.ts reads these names.
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Applied, Summary } from '../messages.ts';
import { onLambda } from './logging.ts';
import { METRIC, NAMESPACE, SERVICE } from './names.ts';

const metrics = new Metrics({ namespace: NAMESPACE, serviceName: SERVICE });

export interface StepOutcome {
  state: string;
  durationMs: number;
  retries: number;
  output?: unknown;
  error?: string;
}

/** One EMF line per metric: each carries its own dimensions, which one shared flush cannot. */
export function publishStep(outcome: StepOutcome): void {
  if (!onLambda()) return;
  const { state } = outcome;
  emit(METRIC.stepDuration, MetricUnit.Milliseconds, outcome.durationMs, { State: state });
  if (outcome.retries > 0) emit(METRIC.retries, MetricUnit.Count, outcome.retries, { State: state });
  if (outcome.error !== undefined) {
    emit(METRIC.stepErrors, MetricUnit.Count, 1, { State: state });
    return;
  }
  if (state === 'FullLoad') emit(METRIC.rowsLoaded, MetricUnit.Count, (outcome.output as Applied).loaded, { Mode: 'full' });
  if (state === 'ApplyDelta') {
    const applied = outcome.output as Applied;
    emit(METRIC.rowsLoaded, MetricUnit.Count, applied.loaded + applied.deleted, { Mode: 'delta' });
  }
  if (state === 'Summarize') publishSummary(outcome.output as Summary);
}

function publishSummary(summary: Summary): void {
  const outOfSync = summary.pairs.filter((pair) => pair.error === 'OutOfSync').length;
  emit(METRIC.pairsInSync, MetricUnit.Count, summary.inSync, {});
  emit(METRIC.pairsOutOfSync, MetricUnit.Count, outOfSync, {});
  emit(METRIC.pairsFailed, MetricUnit.Count, summary.failed, {});
  emit(METRIC.pairsSkipped, MetricUnit.Count, summary.skipped, {});
  emit(METRIC.pairLag, MetricUnit.NoUnit, summary.maxLagMinutes, {});
  emit(METRIC.pairsStale, MetricUnit.Count, summary.stale.length, {});
}

function emit(name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number, dimensions: Record<string, string>): void {
  const single = metrics.singleMetric();
  for (const [key, dimension] of Object.entries(dimensions)) single.addDimension(key, dimension);
  single.addMetric(name, unit, value);
}
