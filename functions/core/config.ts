// The one table of settings, read once and validated with zod: from the environment locally, and
// on Lambda from the environment plus the secrets its function reads (see secrets.ts).
import * as z from 'zod';
import { ConfigurationError } from './errors.ts';

/** What a step may read: the Focus API (its credentials) and the database (its connection). */
export type Part = 'api' | 'database';

/** On AWS, the variable naming each part's secret in Secrets Manager. */
export const SECRET_VARIABLES = { api: 'FOCUS_API_SECRET_ARN', database: 'DATABASE_SECRET_ARN' } as const satisfies Record<Part, string>;

/** The username of the API credentials secret the stack creates, until someone stores real ones. */
export const API_SECRET_PLACEHOLDER = 'replace-me';

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;
const list = z.string().transform((value) => value.split(',').map((item) => item.trim()).filter(Boolean));
const nonEmpty = z.string().trim().min(1, 'must not be empty');
// An empty value counts as unset: .env.example leaves the credentials blank, and
// `sam local invoke --env-vars` blanks the secret ARNs it replaces with plain values.
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? undefined : value), schema.optional());
const secretArn = z.string().trim().regex(/^arn:aws[\w-]*:secretsmanager:/, 'must be a Secrets Manager secret ARN');

// Each variable's meaning (and, where zod has no default, what leaving it unset means) is written
// here, beside its rule: docs/configuration.md's table is generated from it (npm run docs).
export const environment = z.object({
  FOCUS_API_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://api.example.com' })
    // Credentials and tokens must not cross a network in clear text; plain http is for a local simulator.
    .refine((url) => url.startsWith('https:') || LOOPBACK.test(new URL(url).hostname), 'must use https:// (plain http:// only for a loopback host such as 127.0.0.1)')
    .meta({ unset: 'the built-in simulator', description: 'service host, e.g. `https://api.example.com`; plain `http://` only for a loopback host' }),
  FOCUS_API_VERSION: z.string().trim().regex(/^v?\d+$/, 'must be a version such as 1 or v1').default('1')
    .meta({ description: 'API version; `1` and `v1` both work' }),
  FOCUS_BUSINESS_SERVICE: nonEmpty.meta({ unset: '(required with a real API)', description: 'the business service in the API\'s paths' }),
  FOCUS_COUNTRIES: list.pipe(z.array(z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be country codes such as de,at')).min(1, 'must name at least one country, such as de,at'))
    .meta({ unset: '(required with a real API)', description: 'comma-separated country codes, e.g. `de,at`' }),
  FOCUS_LANG: z.string().trim().optional().transform((value) => value || undefined)
    .meta({ description: 'language code sent as `lang`, e.g. `en`' }),
  FOCUS_API_STALL_SECONDS: z.coerce.number().int().min(1).max(900, 'must be at most 900 (a step\'s time)').default(60)
    .meta({ description: 'a stream that sends nothing for this long is broken off and retried' }),
  FOCUS_USERNAME: optional(nonEmpty).meta({ unset: '(required with a real API)', description: 'API user name' }),
  FOCUS_PASSWORD: optional(nonEmpty).meta({ unset: '(required with a real API)', description: 'API password' }),
  FOCUS_API_SECRET_ARN: optional(secretArn)
    .meta({ description: 'on AWS Lambda only, set by the stack: the Secrets Manager secret holding the API credentials, instead of `FOCUS_USERNAME` and `FOCUS_PASSWORD`' }),
  DATABASE_URL: optional(z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection URL')
    .refine((url) => !hostsOf(url).includes(','), 'must name one host (focus-sync does not connect to a list of hosts)'))
    .meta({
      unset: 'an embedded PostgreSQL 16 in `.focus-sync/`',
      description: '`postgres://user:password@host:port/database`, one host (a list of hosts is refused: connections are made with `TCP_NODELAY`, which postgres.js leaves off, and without its failover)',
    }),
  DATABASE_SECRET_ARN: optional(secretArn)
    .meta({ description: 'on AWS Lambda only, set by the stack: the database\'s secret in the RDS format, instead of `DATABASE_URL`' }),
  DATABASE_SSL: optional(z.enum(['disable', 'require', 'verify-full'], 'must be disable, require or verify-full'))
    .meta({ unset: 'from the URL (`verify-full` with a database secret)', description: '`disable`, `require` or `verify-full` (certificate checked) for the connection to PostgreSQL' }),
  FOCUS_TABLE_SCHEMA_PREFIX: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'must be a lower-case SQL name prefix such as focus_').default('focus_')
    .meta({ description: 'prefix of the per-country schemas' }),
  FOCUS_MAP_CONCURRENCY: z.coerce.number().int().min(1).max(40, 'must be at most 40: each pair holds database connections').default(4)
    .meta({ description: 'how many (resource, country) pairs sync at once (1 to 40)' }),
  FOCUS_OUT_OF_SYNC_REPAIR: z.enum(['delta-then-full', 'full', 'none'], 'must be delta-then-full, full or none').default('delta-then-full')
    .meta({ description: 'what a pair out of sync after a pass gets: another delta then a full reload, only a full reload (`full`), or nothing (`none`)' }),
  FOCUS_LEASE_SECONDS: z.coerce.number().int().min(10, 'must be at least 10').max(86_400).default(120)
    .meta({ description: 'how long a pair\'s lease lives unrenewed: the last resort for a holder that shows no proof of life (see docs/aws.md, Overlapping runs)' }),
  FOCUS_LEASE_WAIT_SECONDS: z.coerce.number().int().min(0).max(600, 'must be at most 600').default(10)
    .meta({ description: 'how long a run waits for a pair another run holds before skipping it' }),
  FOCUS_LOOKBACK_SECONDS: z.coerce.number().int().min(0).max(86_400, 'must be at most 86400 (a day)').default(0)
    .meta({ description: 'deltas re-read this many seconds before the watermark (changes the API records late)' }),
  FOCUS_RELOAD_PART_LINES: z.coerce.number().int().min(1, 'must be at least 1').max(100_000_000).default(131_072)
    .meta({ description: 'a full reload of a table that has rows stages its lines in parts of this many: each part\'s differences are found while the next one loads, the last part\'s at the end' }),
  FOCUS_MAX_LAG_MINUTES: z.coerce.number().int().min(1, 'must be at least 1').max(10_080, 'must be at most 10080 (a week)').default(180)
    .meta({ description: 'a pair not in sync for longer than this is stale: the summary warns about it (on AWS the context key `maxLagMinutes` sets it, and the `PairsStaleAlarm`)' }),
});

/** Every variable a function reads: the configuration's, and FOCUS_LOG_LEVEL (read by telemetry/logging.ts before it). */
export const ENVIRONMENT_VARIABLES: readonly string[] = [...Object.keys(environment.shape), 'FOCUS_LOG_LEVEL'];

const apiSecret = z.looseObject({ username: nonEmpty, password: nonEmpty });

// The JSON that RDS (and CDK's DatabaseSecret) generate for a database's credentials.
const databaseSecret = z.looseObject({
  host: nonEmpty,
  port: z.coerce.number().int().min(1).max(65535).default(5432),
  dbname: z.string().regex(/^[A-Za-z0-9_$-]+$/, 'must be a plain database name').default('postgres'),
  username: nonEmpty,
  password: nonEmpty,
});

export type DatabaseSsl = 'disable' | 'require' | 'verify-full';

export interface Config {
  api: {
    url: string;
    version: string;
    businessService: string;
    countries: string[];
    lang: string | undefined;
    username: string;
    password: string;
    /** A line stream that sends nothing for this long is broken off and retried. */
    stallTimeoutMs: number;
  };
  databaseUrl: string;
  /** TLS to PostgreSQL; unset leaves it to the URL's sslmode. */
  databaseSsl?: DatabaseSsl;
  tableSchemaPrefix: string;
  /** How many (resource, country) pairs the Map syncs at once. */
  mapConcurrency: number;
  /** What a pair out of sync after a pass leads to (see PlanRepair). */
  outOfSyncRepair: 'delta-then-full' | 'full' | 'none';
  /** One run per pair at a time: how long a lease lives unrenewed, and how long another run waits for it. */
  lease: { seconds: number; waitMs: number };
  /** Deltas re-read this many seconds before the watermark, for changes the API records late. */
  lookbackSeconds: number;
  /** A full reload stages its lines in parts of this many (see reloadTable). */
  reloadPartLines: number;
  /** A pair not in sync for longer than this is stale: the summary warns, and on AWS the PairsStale alarm fires. */
  maxLagMinutes: number;
  /**
   * The parts configured (default both). A Lambda function has only those its step reads; the
   * credentials or URL of another part are empty there, and the runtime refuses to use them.
   */
  reads?: readonly Part[];
}

export type Environment = Record<string, string | undefined>;

/** The content of the secrets named by FOCUS_API_SECRET_ARN and DATABASE_SECRET_ARN, as fetched. */
export type SecretValues = Partial<Record<Part, unknown>>;

export interface LoadOptions {
  /** The parts that must be configured; a Lambda function names those of its step (default both). */
  reads?: readonly Part[];
  secrets?: SecretValues;
}

/** Reads the configuration; a missing or wrong value fails naming the variable (never its value). */
export function loadConfig(env: Environment = process.env, options: LoadOptions = {}): Config {
  const reads = options.reads ?? ['api', 'database'];
  const secrets = options.secrets ?? {};
  const parsed = environment.safeParse(env);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((issue) => describe(String(issue.path[0]), issue.message, env))),
    ...requirements(env, reads, secrets).map(([variable, message]) => describe(variable, message, env)),
  ];
  const api = reads.includes('api') && secrets.api !== undefined ? readSecret('api', apiSecret, secrets.api, problems) : undefined;
  const database = reads.includes('database') && secrets.database !== undefined ? readSecret('database', databaseSecret, secrets.database, problems) : undefined;
  if (api?.username === API_SECRET_PLACEHOLDER) {
    problems.push(`${SECRET_VARIABLES.api} names a secret that still holds the placeholder the stack created: store the Focus API username and password in it (docs/aws.md)`);
  }
  if (!parsed.success || problems.length > 0) {
    const fix = options.secrets ? 'Check the function\'s environment, set by the CDK stack, and its secrets (docs/aws.md)' : 'Set it in the environment or a .env file (see docs/configuration.md)';
    throw new ConfigurationError(`Configuration is incomplete: ${problems.join('; ')}. ${fix}.`);
  }
  const value = parsed.data;
  const credentials = api ?? { username: value.FOCUS_USERNAME ?? '', password: value.FOCUS_PASSWORD ?? '' };
  return {
    api: {
      url: value.FOCUS_API_URL.replace(/\/+$/, ''),
      version: value.FOCUS_API_VERSION.replace(/^v/, ''),
      businessService: value.FOCUS_BUSINESS_SERVICE,
      countries: value.FOCUS_COUNTRIES,
      lang: value.FOCUS_LANG,
      username: credentials.username,
      password: credentials.password,
      stallTimeoutMs: value.FOCUS_API_STALL_SECONDS * 1000,
    },
    databaseUrl: database ? databaseUrl(database) : value.DATABASE_URL ?? '',
    // RDS speaks TLS with a certificate Lambda can verify (NODE_EXTRA_CA_CERTS): never settle for less there.
    databaseSsl: value.DATABASE_SSL ?? (database ? 'verify-full' : undefined),
    tableSchemaPrefix: value.FOCUS_TABLE_SCHEMA_PREFIX,
    mapConcurrency: value.FOCUS_MAP_CONCURRENCY,
    outOfSyncRepair: value.FOCUS_OUT_OF_SYNC_REPAIR,
    lease: { seconds: value.FOCUS_LEASE_SECONDS, waitMs: value.FOCUS_LEASE_WAIT_SECONDS * 1000 },
    lookbackSeconds: value.FOCUS_LOOKBACK_SECONDS,
    reloadPartLines: value.FOCUS_RELOAD_PART_LINES,
    maxLagMinutes: value.FOCUS_MAX_LAG_MINUTES,
    ...(options.reads && { reads }),
  };
}

function describe(variable: string, message: string, env: Environment): string {
  return env[variable] === undefined ? `${variable} is not set` : `${variable} ${message}`;
}

/** Each part a step reads comes from its plain variables or its secret, never both. */
function requirements(env: Environment, reads: readonly Part[], secrets: SecretValues): Array<[string, string]> {
  const set = (variable: string) => (env[variable] ?? '').trim() !== '';
  const rules: Record<Part, string[]> = { api: ['FOCUS_USERNAME', 'FOCUS_PASSWORD'], database: ['DATABASE_URL'] };
  return reads.flatMap((part): Array<[string, string]> => {
    const secret = SECRET_VARIABLES[part];
    const plain = rules[part];
    if (set(secret)) {
      return [
        ...plain.filter(set).map((variable): [string, string] => [variable, `cannot be set together with ${secret}: use one or the other`]),
        ...(secrets[part] === undefined ? [[secret, `is only read on AWS Lambda; set ${plain.join(' and ')} instead`] as [string, string]] : []),
      ];
    }
    return plain.filter((variable) => !set(variable)).map((variable) => [variable, 'must not be empty']);
  });
}

function readSecret<T extends z.ZodType>(part: Part, schema: T, content: unknown, problems: string[]): z.output<T> | undefined {
  const parsed = schema.safeParse(content);
  if (parsed.success) return parsed.data;
  const fields = content !== null && typeof content === 'object' ? content as Record<string, unknown> : undefined;
  const faults = fields === undefined ? ['is not a JSON object'] : [...new Set(parsed.error.issues.map((issue) => {
    const key = String(issue.path[0]);
    return fields[key] === undefined ? `has no "${key}"` : `has an invalid "${key}"`;
  }))];
  problems.push(`${SECRET_VARIABLES[part]} names a secret that ${faults.join(' and ')}`);
  return undefined;
}

function databaseUrl(secret: z.output<typeof databaseSecret>): string {
  const user = encodeURIComponent(secret.username);
  const password = encodeURIComponent(secret.password);
  return `postgres://${user}:${password}@${secret.host}:${secret.port}/${secret.dbname}`;
}

/** The host part of a connection URL (after any user:password@), as written. */
function hostsOf(url: string): string {
  const authority = url.replace(/^[^/]*\/\//, '').split(/[/?]/)[0]!;
  return authority.slice(authority.lastIndexOf('@') + 1);
}
