// The deployment's settings: CDK context (`-c key=value` or cdk.json), validated once at synth time.
import type { Node } from 'constructs';
import * as z from 'zod';
import { ConfigurationError } from '../functions/core/errors.ts';
import { LOG_LEVELS } from '../functions/core/telemetry/names.ts';

const text = z.string().trim().min(1, 'must not be empty');
const optionalText = z.string().trim().optional().transform((value) => value || undefined);
// `-c key=value` gives strings; cdk.json may give arrays, numbers and booleans.
const list = z.union([z.string().transform((value) => value.split(',').map((item) => item.trim()).filter(Boolean)), z.array(z.string())]);
const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]);
// A complete ARN, with the six characters Secrets Manager appends to the name: grants match it exactly.
const COMPLETE_SECRET_ARN = /^arn:aws[\w-]*:secretsmanager:[\w-]+:\d{12}:secret:[\w/+=.@-]+-[A-Za-z0-9]{6}$/;
const secretArn = z.string().regex(COMPLETE_SECRET_ARN, 'must be the complete ARN of a Secrets Manager secret (ending in -xxxxxx)');

const scheduleExpression = z.string().trim().regex(/^((rate|cron)\(.+\)|off)$/, 'must be an EventBridge expression such as rate(1 hour) or cron(0 2 * * ? *), or off');

// Each key's meaning, and what leaving it unset means where zod has no default, is written beside
// its rule: docs/configuration.md's table is generated from these fields (npm run docs). A rule
// across keys belongs on `settings`, so that the fields stay a plain object.
export const contextFields = z.object({
  // The functions refuse plain http for anything but a loopback host, which Lambda has no use for.
  apiUrl: z.url({ protocol: /^https$/, error: 'must be an https:// URL such as https://api.example.com' })
    .meta({ description: 'the Focus API host (`FOCUS_API_URL`)' }),
  apiVersion: z.coerce.string().regex(/^v?\d+$/, 'must be a version such as 1').default('1')
    .meta({ description: 'API version (`FOCUS_API_VERSION`)' }),
  businessService: text.meta({ description: 'the business service (`FOCUS_BUSINESS_SERVICE`)' }),
  countries: list.pipe(z.array(z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be country codes such as de,at')).min(1, 'must name at least one country, such as de,at'))
    .meta({ description: 'comma-separated country codes (`FOCUS_COUNTRIES`)' }),
  lang: optionalText.meta({ description: 'language code sent as `lang` (`FOCUS_LANG`)' }),
  tableSchemaPrefix: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'must be a lower-case SQL name prefix such as focus_').default('focus_')
    .meta({ description: 'prefix of the per-country schemas (`FOCUS_TABLE_SCHEMA_PREFIX`)' }),
  mapConcurrency: z.coerce.number().int().min(1).max(40, 'must be at most 40: each pair holds database connections').default(4)
    .meta({ description: 'pairs synced at once, 1 to 40 (`FOCUS_MAP_CONCURRENCY`); a pair\'s function holds up to 4 database connections, so keep 4 × this well below the database\'s `max_connections`' }),
  schedule: scheduleExpression.default('rate(1 hour)')
    .meta({ description: 'an EventBridge `rate(…)` or `cron(…)` expression, or `off` for no schedule' }),
  fullCheckSchedule: scheduleExpression.default('off')
    .meta({ description: 'a second schedule whose executions are forced full reloads (`{"mode": "full"}`), a check that the deltas missed nothing, e.g. `cron(0 3 ? * SUN *)`: the ledger\'s `rows_added`, `rows_changed`, `rows_removed` give its result ([checking that the deltas missed nothing](ledger.md#checking-that-the-deltas-missed-nothing))' }),
  alarmEmail: z.email('must be an email address').optional()
    .meta({ description: 'an address subscribed to the alarms (confirm the email AWS sends it)' }),
  apiSecret: optionalText.pipe(z.string().refine((value) => COMPLETE_SECRET_ARN.test(value) || /^[\w/+=.@-]+$/.test(value), 'must be the name or the complete ARN (ending in -xxxxxx) of a Secrets Manager secret').optional())
    .meta({ unset: 'a new secret', description: 'name or ARN of an existing secret holding `{"username", "password"}`' }),
  vpcId: z.string().regex(/^vpc-[0-9a-f]+$/, 'must be a VPC id such as vpc-0123456789abcdef0').optional()
    .meta({ unset: 'a new VPC', description: 'an existing VPC with private subnets that have a route to the internet (NAT), looked up when you synthesize' }),
  databaseSecretArn: secretArn.optional().meta({
    unset: 'a new RDS database',
    description: 'ARN of the secret of an existing PostgreSQL 12+ database, in the RDS format (`host`, `port`, `dbname`, `username`, `password`); no database is created, and the database must admit the `DatabaseClientsSecurityGroupId` output\'s group and speak TLS with a certificate from a public or Amazon RDS CA',
  }),
  databaseInstanceType: z.string().regex(/^[a-z0-9]+\.[a-z0-9]+$/, 'must be an instance type such as t4g.micro').default('t4g.micro')
    .meta({ description: 'the RDS instance class, without `db.`' }),
  multiAz: flag.default(false).meta({ description: '`true` adds a standby in a second AZ (about twice the database cost)' }),
  // The sync's own settings, passed to every function as the FOCUS_* variable of the same meaning.
  outOfSyncRepair: z.enum(['delta-then-full', 'full', 'none'], 'must be delta-then-full, full or none').default('delta-then-full')
    .meta({ description: 'what a pair out of sync after a pass gets (`FOCUS_OUT_OF_SYNC_REPAIR`: `delta-then-full`, `full`, `none`)' }),
  lookbackSeconds: z.coerce.number().int().min(0).max(86_400, 'must be at most 86400 (a day)').default(0)
    .meta({ description: 'deltas re-read this many seconds before the watermark (`FOCUS_LOOKBACK_SECONDS`)' }),
  leaseSeconds: z.coerce.number().int().min(10, 'must be at least 10').max(86_400).default(120)
    .meta({ description: 'how long a pair\'s lease lives unrenewed (`FOCUS_LEASE_SECONDS`)' }),
  leaseWaitSeconds: z.coerce.number().int().min(0).max(600, 'must be at most 600').default(10)
    .meta({ description: 'how long a run waits for a pair another run holds before skipping it (`FOCUS_LEASE_WAIT_SECONDS`)' }),
  apiStallSeconds: z.coerce.number().int().min(1).max(900, 'must be at most 900 (a step\'s time)').default(60)
    .meta({ description: 'a stream that sends nothing for this long is broken off and retried (`FOCUS_API_STALL_SECONDS`)' }),
  logLevel: z.string().trim().toUpperCase().pipe(z.enum(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`)).default('INFO')
    .meta({ description: `the functions' JSON log lines: ${LOG_LEVELS.map((level) => `\`${level}\``).join(', ')} (\`FOCUS_LOG_LEVEL\`)` }),
  maxLagMinutes: z.coerce.number().int().min(1, 'must be at least 1').max(10_080, 'must be at most 10080 (a week)').optional()
    .meta({ unset: 'three schedule intervals (180 at the default schedule; none with `schedule=off`)', description: 'a pair not in sync for longer than this fires `PairsStaleAlarm` (`FOCUS_MAX_LAG_MINUTES`, at most 10080, since CloudWatch evaluates an alarm over at most seven days); required for a `cron(…)` whose interval is not plain hourly or daily' }),
});

// How long a pair may go without being in sync before PairsStale fires: three schedule intervals
// unless set; with no schedule, no such alarm unless asked.
const settings = contextFields.transform((value, context) => {
  if (value.maxLagMinutes !== undefined || value.schedule === 'off') return { ...value, maxLagMinutes: value.maxLagMinutes };
  const interval = scheduleMinutes(value.schedule);
  if (interval === undefined) {
    context.addIssue({ code: 'custom', path: ['maxLagMinutes'], message: `must be set for the schedule ${value.schedule}, whose interval focus-sync cannot tell (three intervals is the usual choice)` });
    return z.NEVER;
  }
  return { ...value, maxLagMinutes: Math.min(10_080, 3 * interval) };
});

/** Every context key the stack reads, in the order of the fields. */
export const CONTEXT_KEYS = Object.keys(contextFields.shape) as Array<keyof typeof contextFields.shape>;

export type Settings = z.output<typeof settings>;

const MINUTES: Record<string, number> = { minute: 1, hour: 60, day: 1440 };

/** The minutes between two scheduled runs: rate(N unit), or a cron that fires hourly or daily at fixed times; else undefined. */
export function scheduleMinutes(expression: string): number | undefined {
  const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
  if (rate) return Number(rate[1]) * MINUTES[rate[2]!]!;
  const fields = /^cron\((.+)\)$/.exec(expression)?.[1]!.trim().split(/\s+/);
  if (!fields || fields.length !== 6) return undefined;
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fields as [string, string, string, string, string];
  const every = (field: string) => field === '*' || field === '?';
  if (!/^\d+$/.test(minute) || !every(month) || !(every(dayOfMonth) && every(dayOfWeek))) return undefined;
  if (every(hour)) return 60;
  return /^\d+$/.test(hour) ? 1440 : undefined;
}

/** What `-c example=true` (npm run synth) fills in for the required keys left unset: enough to synthesize, not to sync. */
export const EXAMPLE_CONTEXT = { apiUrl: 'https://api.example.com', businessService: 'example', countries: 'de' } as const;

/** Reads every context key; fails naming each missing or wrong key, and how to set it. */
export function readSettings(node: Node): Settings {
  const example = [true, 'true'].includes(node.tryGetContext('example')) ? EXAMPLE_CONTEXT : {};
  const given = Object.fromEntries(CONTEXT_KEYS.flatMap((key) => {
    const value: unknown = node.tryGetContext(key) ?? (example as Record<string, unknown>)[key];
    return value === undefined || value === '' ? [] : [[key, value]];
  }));
  const parsed = settings.safeParse(given);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const key = String(issue.path[0]);
    return given[key] === undefined && issue.code !== 'custom' ? `${key} is not set` : `${key} ${issue.message}`;
  });
  throw new ConfigurationError(`CDK context: ${problems.join('; ')}. Pass -c key=value to cdk, or set it in cdk.json (docs/aws.md).`);
}
