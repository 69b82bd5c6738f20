// A small CloudWatch dashboard of what the steps publish (functions/core/telemetry): pairs in and
// out of sync, rows loaded per mode, step durations, retries and errors, the freshness of the
// mirror, beside the executions.
import { Duration, type Stack } from 'aws-cdk-lib';
import { Dashboard, GraphWidget, Metric, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { METRIC, NAMESPACE, SERVICE } from '../functions/core/telemetry/names.ts';

const PERIOD = Duration.hours(1);

/** A metric the steps publish, with the `service` dimension Powertools adds to every one. */
export function stepMetric(name: string, dimensions: Record<string, string> = {}, statistic = 'Sum'): Metric {
  return new Metric({ namespace: NAMESPACE, metricName: name, dimensionsMap: { service: SERVICE, ...dimensions }, statistic, period: PERIOD });
}

export function createDashboard(stack: Stack, stateMachine: StateMachine, states: readonly string[]): Dashboard {
  const perState = (name: string, statistic: string) => states.map((state) => stepMetric(name, { State: state }, statistic).with({ label: state }));
  const graph = (title: string, left: IMetric[]) => new GraphWidget({ title, left, width: 12, height: 6 });
  const dashboard = new Dashboard(stack, 'Dashboard', { dashboardName: `${stack.stackName}-sync`, defaultInterval: Duration.days(7) });
  dashboard.addWidgets(
    graph('Pairs per execution', [
      stepMetric(METRIC.pairsInSync).with({ label: 'in sync' }), stepMetric(METRIC.pairsOutOfSync).with({ label: 'out of sync' }),
      stepMetric(METRIC.pairsFailed).with({ label: 'failed' }), stepMetric(METRIC.pairsSkipped).with({ label: 'skipped' }),
    ]),
    graph('Rows loaded per mode', [stepMetric(METRIC.rowsLoaded, { Mode: 'full' }).with({ label: 'full' }), stepMetric(METRIC.rowsLoaded, { Mode: 'delta' }).with({ label: 'delta' })]),
  );
  dashboard.addWidgets(
    graph('Step duration (p90, ms)', perState(METRIC.stepDuration, 'p90')),
    graph('Retries and step errors', [...perState(METRIC.retries, 'Sum').map((metric) => metric.with({ label: `${metric.label} retries` })), ...perState(METRIC.stepErrors, 'Sum').map((metric) => metric.with({ label: `${metric.label} errors` }))]),
  );
  dashboard.addWidgets(
    graph('Executions', [
      stateMachine.metricSucceeded({ period: PERIOD, label: 'succeeded' }), stateMachine.metricFailed({ period: PERIOD, label: 'failed' }),
      stateMachine.metricTimedOut({ period: PERIOD, label: 'timed out' }), stateMachine.metricAborted({ period: PERIOD, label: 'aborted' }),
    ]),
    graph('Freshness: minutes since a pair was last in sync (max)', [stepMetric(METRIC.pairLag, {}, 'Maximum').with({ label: 'longest lag' })]),
  );
  return dashboard;
}
