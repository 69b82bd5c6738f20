// The deployment's settings: CDK context (`-c key=value` or cdk.json), validated once at synth time.
import type { Node } from 'constructs';
import * as z from 'zod';
import { ConfigurationError } from '../functions/core/errors.ts';
import { LOG_LEVELS } from '../functions/core/telemetry/names.ts';

export const CONTEXT_KEYS = [
  'apiUrl', 'apiVersion', 'businessService', 'countries', 'lang', 'tableSchemaPrefix', 'mapConcurrency', 'schedule', 'fullCheckSchedule',
  'alarmEmail', 'apiSecret', 'vpcId', 'databaseSecretArn', 'databaseInstanceType', 'multiAz',
  'outOfSyncRepair', 'lookbackSeconds', 'leaseSeconds', 'leaseWaitSeconds', 'apiStallSeconds', 'logLevel',
] as const;

const text = z.string().trim().min(1, 'must not be empty');
const optionalText = z.string().trim().optional().transform((value) => value || undefined);
// `-c key=value` gives strings; cdk.json may give arrays, numbers and booleans.
const list = z.union([z.string().transform((value) => value.split(',').map((item) => item.trim()).filter(Boolean)), z.array(z.string())]);
const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]);
// A complete ARN, with the six characters Secrets Manager appends to the name: grants match it exactly.
const COMPLETE_SECRET_ARN = /^arn:aws[\w-]*:secretsmanager:[\w-]+:\d{12}:secret:[\w/+=.@-]+-[A-Za-z0-9]{6}$/;
const secretArn = z.string().regex(COMPLETE_SECRET_ARN, 'must be the complete ARN of a Secrets Manager secret (ending in -xxxxxx)');

const scheduleExpression = z.string().trim().regex(/^((rate|cron)\(.+\)|off)$/, 'must be an EventBridge expression such as rate(1 hour) or cron(0 2 * * ? *), or off');

const settings = z.object({
  // The functions refuse plain http for anything but a loopback host, which Lambda has no use for.
  apiUrl: z.url({ protocol: /^https$/, error: 'must be an https:// URL such as https://api.example.com' }),
  apiVersion: z.coerce.string().regex(/^v?\d+$/, 'must be a version such as 1').default('1'),
  businessService: text,
  countries: list.pipe(z.array(z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be country codes such as de,at')).min(1, 'must name at least one country, such as de,at')),
  lang: optionalText,
  tableSchemaPrefix: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'must be a lower-case SQL name prefix such as focus_').default('focus_'),
  mapConcurrency: z.coerce.number().int().min(1).max(40, 'must be at most 40: each pair holds database connections').default(4),
  schedule: scheduleExpression.default('rate(1 hour)'),
  // A second schedule whose runs are forced full reloads: a check that the deltas missed nothing.
  fullCheckSchedule: scheduleExpression.default('off'),
  alarmEmail: z.email('must be an email address').optional(),
  apiSecret: optionalText.pipe(z.string().refine((value) => COMPLETE_SECRET_ARN.test(value) || /^[\w/+=.@-]+$/.test(value), 'must be the name or the complete ARN (ending in -xxxxxx) of a Secrets Manager secret').optional()),
  vpcId: z.string().regex(/^vpc-[0-9a-f]+$/, 'must be a VPC id such as vpc-0123456789abcdef0').optional(),
  databaseSecretArn: secretArn.optional(),
  databaseInstanceType: z.string().regex(/^[a-z0-9]+\.[a-z0-9]+$/, 'must be an instance type such as t4g.micro').default('t4g.micro'),
  multiAz: flag.default(false),
  // The sync's own settings, passed to every function as the FOCUS_* variable of the same meaning.
  outOfSyncRepair: z.enum(['delta-then-full', 'full', 'none'], 'must be delta-then-full, full or none').default('delta-then-full'),
  lookbackSeconds: z.coerce.number().int().min(0).max(86_400, 'must be at most 86400 (a day)').default(0),
  leaseSeconds: z.coerce.number().int().min(10, 'must be at least 10').max(86_400).default(120),
  leaseWaitSeconds: z.coerce.number().int().min(0).max(600, 'must be at most 600').default(10),
  apiStallSeconds: z.coerce.number().int().min(1).max(900, 'must be at most 900 (a step\'s time)').default(60),
  logLevel: z.string().trim().toUpperCase().pipe(z.enum(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`)).default('INFO'),
});

export type Settings = z.output<typeof settings>;

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
    return given[key] === undefined ? `${key} is not set` : `${key} ${issue.message}`;
  });
  throw new ConfigurationError(`CDK context: ${problems.join('; ')}. Pass -c key=value to cdk, or set it in cdk.json (README, Deploying to AWS).`);
}
