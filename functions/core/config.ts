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

const environment = z.object({
  FOCUS_API_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://api.example.com' })
    // Credentials and tokens must not cross a network in clear text; plain http is for a local simulator.
    .refine((url) => url.startsWith('https:') || LOOPBACK.test(new URL(url).hostname), 'must use https:// (plain http:// only for a loopback host such as 127.0.0.1)'),
  FOCUS_API_VERSION: z.string().trim().regex(/^v?\d+$/, 'must be a version such as 1 or v1').default('1'),
  FOCUS_BUSINESS_SERVICE: nonEmpty,
  FOCUS_COUNTRIES: list.pipe(z.array(z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be country codes such as de,at')).min(1, 'must name at least one country, such as de,at')),
  FOCUS_LANG: z.string().trim().optional().transform((value) => value || undefined),
  FOCUS_API_STALL_SECONDS: z.coerce.number().int().min(1).max(900, 'must be at most 900 (a step\'s time)').default(60),
  FOCUS_USERNAME: optional(nonEmpty),
  FOCUS_PASSWORD: optional(nonEmpty),
  FOCUS_API_SECRET_ARN: optional(secretArn),
  DATABASE_URL: optional(z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection URL')
    .refine((url) => !hostsOf(url).includes(','), 'must name one host (focus-sync does not connect to a list of hosts)')),
  DATABASE_SECRET_ARN: optional(secretArn),
  DATABASE_SSL: optional(z.enum(['disable', 'require', 'verify-full'], 'must be disable, require or verify-full')),
  FOCUS_TABLE_SCHEMA_PREFIX: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'must be a lower-case SQL name prefix such as focus_').default('focus_'),
  FOCUS_MAP_CONCURRENCY: z.coerce.number().int().min(1).max(40, 'must be at most 40: each pair holds database connections').default(4),
  FOCUS_OUT_OF_SYNC_REPAIR: z.enum(['delta-then-full', 'full', 'none'], 'must be delta-then-full, full or none').default('delta-then-full'),
  FOCUS_LEASE_SECONDS: z.coerce.number().int().min(10, 'must be at least 10').max(86_400).default(120),
  FOCUS_LEASE_WAIT_SECONDS: z.coerce.number().int().min(0).max(600, 'must be at most 600').default(10),
  FOCUS_LOOKBACK_SECONDS: z.coerce.number().int().min(0).max(86_400, 'must be at most 86400 (a day)').default(0),
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
    problems.push(`${SECRET_VARIABLES.api} names a secret that still holds the placeholder the stack created: store the Focus API username and password in it (README, Deploying to AWS)`);
  }
  if (!parsed.success || problems.length > 0) {
    const fix = options.secrets ? 'Check the function\'s environment, set by the CDK stack, and its secrets (README, Deploying to AWS)' : 'Set it in the environment or a .env file (see README, Configuration)';
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
