// The one table of settings, read once from the environment and validated with zod.
import { z } from 'zod';
import { ConfigurationError } from './errors.ts';

const list = z.string().transform((value) => value.split(',').map((item) => item.trim()).filter(Boolean));
const nonEmpty = z.string().trim().min(1, 'must not be empty');

const environment = z.object({
  FOCUS_API_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://api.example.com' }),
  FOCUS_API_VERSION: z.string().trim().regex(/^v?\d+$/, 'must be a version such as 1 or v1').default('1'),
  FOCUS_BUSINESS_SERVICE: nonEmpty,
  FOCUS_COUNTRIES: list.pipe(z.array(z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be country codes such as de,at')).min(1, 'must name at least one country, such as de,at')),
  FOCUS_LANG: z.string().trim().optional().transform((value) => value || undefined),
  FOCUS_USERNAME: nonEmpty,
  FOCUS_PASSWORD: nonEmpty,
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection URL'),
  FOCUS_TABLE_SCHEMA_PREFIX: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'must be a lower-case SQL name prefix such as focus_').default('focus_'),
  FOCUS_MAP_CONCURRENCY: z.coerce.number().int().min(1).max(40, 'must be at most 40: each pair holds database connections').default(4),
});

export interface Config {
  api: {
    url: string;
    version: string;
    businessService: string;
    countries: string[];
    lang: string | undefined;
    username: string;
    password: string;
  };
  databaseUrl: string;
  tableSchemaPrefix: string;
  /** How many (resource, country) pairs the Map syncs at once. */
  mapConcurrency: number;
}

export type Environment = Record<string, string | undefined>;

/** Reads the configuration; a missing or wrong value fails naming the variable (never its value). */
export function loadConfig(env: Environment = process.env): Config {
  const parsed = environment.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0]);
      return env[variable] === undefined ? `${variable} is not set` : `${variable} ${issue.message}`;
    });
    throw new ConfigurationError(`Configuration is incomplete: ${problems.join('; ')}. Set it in the environment or a .env file (see README, Configuration).`);
  }
  const value = parsed.data;
  return {
    api: {
      url: value.FOCUS_API_URL.replace(/\/+$/, ''),
      version: value.FOCUS_API_VERSION.replace(/^v/, ''),
      businessService: value.FOCUS_BUSINESS_SERVICE,
      countries: value.FOCUS_COUNTRIES,
      lang: value.FOCUS_LANG,
      username: value.FOCUS_USERNAME,
      password: value.FOCUS_PASSWORD,
    },
    databaseUrl: value.DATABASE_URL,
    tableSchemaPrefix: value.FOCUS_TABLE_SCHEMA_PREFIX,
    mapConcurrency: value.FOCUS_MAP_CONCURRENCY,
  };
}
