// The names of the metrics the steps publish, shared with the CDK dashboard and alarms (which must
// not load Powertools to know them).

export const SERVICE = 'focus-sync';

export const NAMESPACE = 'FocusSync';

/** What FOCUS_LOG_LEVEL (and the CDK context key logLevel) may say. */
export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;

/** Every metric name, with the dimensions it carries besides `service`. */
export const METRIC = {
  stepDuration: 'StepDuration',     // State
  stepErrors: 'StepErrors',         // State
  retries: 'Retries',               // State
  rowsLoaded: 'RowsLoaded',         // Mode: full | delta
  pairsInSync: 'PairsInSync',
  pairsOutOfSync: 'PairsOutOfSync',
  pairsFailed: 'PairsFailed',
  pairsSkipped: 'PairsSkipped',
  pairLag: 'PairLagMinutes',        // the longest lag of the run's pairs after it
  pairsStale: 'PairsStale',         // pairs whose lag is above FOCUS_MAX_LAG_MINUTES
} as const;
