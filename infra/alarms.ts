// Executions that failed, timed out or were throttled, pairs left out of sync, and pairs not in sync
// for too long: an alarm each, to one SNS topic (and an email).
import { Duration, type Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData, type Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { METRIC } from '../functions/core/telemetry/names.ts';
import { stepMetric } from './dashboard.ts';

export function createAlarms(stack: Stack, stateMachine: StateMachine, email: string | undefined, maxLagMinutes: number | undefined): Topic {
  const topic = new Topic(stack, 'AlarmTopic', { displayName: 'focus-sync alarms', enforceSSL: true });
  if (email) topic.addSubscription(new EmailSubscription(email));
  const alarms: Array<[string, Metric, string]> = [
    ['ExecutionsFailedAlarm', stateMachine.metricFailed(), 'A sync execution failed: a pair failed or is out of sync (the Summarize output names it), or a step failed before the pairs (see the execution in the Step Functions console).'],
    ['ExecutionsTimedOutAlarm', stateMachine.metricTimedOut(), 'A sync execution hit its 6-hour timeout; the tables are as the last completed transaction left them.'],
    ['ExecutionsThrottledAlarm', stateMachine.metricThrottled(), 'Step Functions throttled the sync; executions may be delayed or missing.'],
    // Published by Summarize: pairs whose mirror still differs from the server after every repair the policy allows.
    ['PairsOutOfSyncAlarm', stepMetric(METRIC.pairsOutOfSync), 'A pair ended out of sync (its row count differs from the server after the repairs): see focus_sync.pair_status, and run with mode "full" if it persists.'],
  ];
  for (const [id, metric, description] of alarms) {
    new Alarm(stack, id, {
      alarmDescription: `focus-sync: ${description}`,
      metric: metric.with({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(new SnsAction(topic));
  }
  if (maxLagMinutes !== undefined) {
    // Summarize publishes the longest lag of its pairs. No value in the whole window counts as
    // breaching too: the schedule is off, or no execution reached Summarize.
    new Alarm(stack, 'PairsStaleAlarm', {
      alarmDescription: `focus-sync: a pair has not been in sync for more than ${maxLagMinutes} minutes (maxLagMinutes), or no execution has finished in that time: repeated skips or failures, or a disabled schedule. See focus_sync.pair_status (lag, last_status, last_error).`,
      metric: stepMetric(METRIC.pairLag).with({ period: Duration.minutes(maxLagMinutes), statistic: 'Maximum' }),
      threshold: maxLagMinutes,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.BREACHING,
    }).addAlarmAction(new SnsAction(topic));
  }
  return topic;
}
