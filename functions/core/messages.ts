// What travels in the state machine's state, step by step: names, counts and timestamps, never
// data rows or credentials. Each step parses its input and output with these.
import * as z from 'zod';

const name = z.string().min(1);
const timestamp = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/);

/** The execution's input; each field's meaning is docs/configuration.md's table (npm run docs). */
export const executionFields = z.strictObject({
  mode: z.enum(['auto', 'full']).default('auto')
    .meta({ description: '`auto` or `full`: `full` reloads every selected pair in full, whatever its state' }),
  resources: z.array(name).min(1).optional()
    .meta({ unset: 'every resource', description: 'resource names from the schema: only these resources; an unknown name fails at once, listing the valid ones' }),
  countries: z.array(z.string().regex(/^[A-Za-z0-9_-]+$/, 'a country code such as de')).min(1).optional()
    .meta({ unset: '`FOCUS_COUNTRIES`', description: 'country codes: only these countries' }),
  // The Step Functions console fills its input box with {"Comment": "…"}: accepted, and ignored.
  Comment: z.string().optional()
    .meta({ description: 'any text, ignored: the Step Functions console starts with `{"Comment": …}`; any other unknown field is refused by name' }),
});

export const executionInput = executionFields.nullish().transform((input) => input ?? { mode: 'auto' as const });

/** Authenticate's input: the execution input as the user gave it, and the execution's name (for the logs). */
export const authenticateInput = z.object({ execution: name, input: executionInput });

export const runOptions = z.object({
  execution: name,
  mode: z.enum(['auto', 'full']),
  resources: z.array(name).nullable(),
  countries: z.array(name).min(1),
});

export const resource = z.object({
  name,
  attributes: z.array(z.object({ name, type: name, primaryKey: z.boolean() })).min(1),
});

export const schemaLoaded = z.object({
  execution: name,
  mode: z.enum(['auto', 'full']),
  countries: z.array(name).min(1),
  resources: z.array(resource).min(1),
});

/** What CompareState's "out of sync" leads to: another delta then a full reload, a full reload, or failing at once. */
export const repairPolicy = z.enum(['delta-then-full', 'full', 'none']);

export const pairItem = z.object({ resource: name, country: name, mode: z.enum(['auto', 'full']), onOutOfSync: repairPolicy });

export const tablesReady = z.object({ pairs: z.array(pairItem), warnings: z.array(z.string()), maxConcurrency: z.number().int().min(1) });

export const pair = pairItem.extend({ execution: name });

/** GetClientState's input: the pair, and the execution's ARN, by which another execution can ask Step Functions whether this one still runs. */
export const clientStateInput = pair.extend({ executionArn: name.optional() });

/** What FullLoad reads: the pair, and why GetClientState or PlanRepair chose this pass (for the run ledger). */
export const passInput = pair.extend({ reason: z.string().optional() });

/** One pass that ended out of sync, before a repair. */
export const pass = z.object({ load: z.enum(['full', 'delta']), clientCount: z.number().int(), serverCount: z.number().int() });

export const clientState = pair.extend({
  load: z.enum(['full', 'delta', 'skip']),
  reason: z.string(),
  watermark: timestamp.nullable(),
  repairs: z.array(pass).optional(),
});

export const staged = z.object({ rows: z.number().int().nonnegative() });

export const applied = z.object({
  loaded: z.number().int().nonnegative(),
  deleted: z.number().int().nonnegative(),
  watermark: timestamp.nullable(),
});

export const afterApply = pair.extend({ applied });

export const serverState = z.object({ totalItems: z.number().int().nonnegative() });

export const afterServerState = afterApply.extend({ server: serverState });

export const comparison = z.object({
  clientCount: z.number().int().nonnegative(),
  serverCount: z.number().int().nonnegative(),
  inSync: z.boolean(),
  message: z.string(),
});

export const outOfSync = afterServerState.extend({
  load: z.enum(['full', 'delta']),
  watermark: timestamp.nullable(),
  compare: comparison,
  repairs: z.array(pass).optional(),
});

export const repairPlan = clientState.extend({
  load: z.enum(['full', 'delta', 'none']),
  repairs: z.array(pass),
  compare: comparison,
});

// A pair as the Map hands it back: synced (every field above) or caught by PairFailed.
export const pairResult = z.looseObject({
  resource: name,
  country: name,
  execution: name.optional(),
  load: z.enum(['full', 'delta', 'skip']).optional(),
  reason: z.string().optional(),
  created: staged.optional(),
  updated: staged.optional(),
  applied: applied.optional(),
  compare: comparison.optional(),
  repairs: z.array(pass).optional(),
  onOutOfSync: repairPolicy.optional(),
  failure: z.object({ Error: z.string(), Cause: z.string().optional() }).optional(),
});

export const summarizeInput = z.object({ execution: name, pairs: z.array(pairResult) });

export const summaryRow = z.object({
  resource: name,
  country: name,
  status: z.enum(['in_sync', 'skipped', 'failed']),
  load: z.enum(['full', 'delta', 'skip']).nullable(),
  reason: z.string().nullable(),
  rows: z.object({ loaded: z.number(), created: z.number(), updated: z.number(), deleted: z.number() }).nullable(),
  clientCount: z.number().nullable(),
  serverCount: z.number().nullable(),
  watermark: timestamp.nullable(),
  /** The passes before the last one, each of which ended out of sync and was repaired. */
  repairs: z.array(pass),
  onOutOfSync: repairPolicy.nullable(),
  error: z.string().nullable(),
  cause: z.string().nullable(),
});

/** How long ago a pair was last in sync (from its first attempt when it never was). */
export const pairLag = z.object({ resource: name, country: name, lagMinutes: z.number().nonnegative(), everInSync: z.boolean() });

export const summary = z.object({
  execution: name,
  pairs: z.array(summaryRow),
  inSync: z.number().int(),
  skipped: z.number().int(),
  failed: z.number().int(),
  /** The longest lag among this run's pairs, after it (absent from what an older deployment's Summarize wrote). */
  maxLagMinutes: z.number().nonnegative().default(0),
  /** Pairs whose lag, after this run, is above the configured maximum (FOCUS_MAX_LAG_MINUTES). */
  stale: z.array(pairLag).default([]),
});

/** EventBridge's "Step Functions Execution Status Change" event, for an execution that did not succeed. */
export const executionEnded = z.looseObject({
  'detail-type': z.literal('Step Functions Execution Status Change'),
  detail: z.looseObject({ executionArn: name, name, status: z.enum(['ABORTED', 'TIMED_OUT', 'FAILED']) }),
});

export const released = z.object({
  execution: name,
  status: z.string(),
  pairs: z.array(z.object({ resource: name, country: name, applied: z.boolean(), step: z.string().nullable() })),
});

export type AuthenticateInput = z.output<typeof authenticateInput>;
export type RunOptions = z.output<typeof runOptions>;
export type SchemaLoaded = z.output<typeof schemaLoaded>;
export type TablesReady = z.output<typeof tablesReady>;
export type PairInput = z.output<typeof pair>;
export type ClientStateInput = z.output<typeof clientStateInput>;
export type PassInput = z.output<typeof passInput>;
export type ClientStateOutput = z.output<typeof clientState>;
export type Applied = z.output<typeof applied>;
export type Comparison = z.output<typeof comparison>;
export type PairResult = z.output<typeof pairResult>;
export type Summary = z.output<typeof summary>;
export type OutOfSync = z.output<typeof outOfSync>;
export type RepairPlan = z.output<typeof repairPlan>;
export type RepairPolicy = z.output<typeof repairPolicy>;
export type SummaryRow = z.output<typeof summaryRow>;

/** zod's complaints about a value, field by field: `mode: Invalid option: expected one of "auto"|"full"`. */
export function describeIssues(error: z.ZodError, root = '(input)'): string {
  return error.issues.map((issue) => `${issue.path.join('.') || root}: ${issue.message}`).join('; ');
}
