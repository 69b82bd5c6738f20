// On Lambda, each step's function reads its secrets from Secrets Manager through middy, caches
// them for the life of its sandbox, and reads them afresh once they fail (stored or rotated credentials).
import type { MiddlewareObj, Request } from '@middy/core';
import { loadConfig, SECRET_VARIABLES, type Environment, type Part, type SecretValues } from './config.ts';
import { ApiUnavailable, ConfigurationError, DatabaseUnavailable, type FocusSyncError } from './errors.ts';
import { useConfig } from './runtime.ts';

/** What each Task state's work reads. On AWS its function is given these secrets, and no others. */
export const STEP_READS = {
  Authenticate: ['api'],
  LoadSchema: ['api'],
  BuildDbSchema: ['database'],
  GetClientState: ['database'],
  FullLoad: ['api', 'database'],
  LoadCreated: ['api', 'database'],
  LoadUpdated: ['api', 'database'],
  ApplyDelta: ['api', 'database'],
  CheckServerState: ['api'],
  CompareState: ['database'],
  PlanRepair: [],
  Summarize: ['database'],
  // Not a Task state: EventBridge invokes it when an execution ends without succeeding.
  ReleaseExecution: ['database'],
} as const satisfies Record<string, readonly Part[]>;

export function stepReads(state: string): readonly Part[] {
  const reads = (STEP_READS as Record<string, readonly Part[]>)[state];
  if (!reads) throw new ConfigurationError(`The Task state ${state} has no entry in STEP_READS (functions/core/secrets.ts): say whether it reads the API, the database or both`);
  return reads;
}

let instances = 0;

/**
 * With FOCUS_API_SECRET_ARN or DATABASE_SECRET_ARN in the environment (a deployed function), reads
 * the secrets the state's step needs and makes the runtime from them; without, it does nothing and
 * the step runs on the environment (or on what the local runner handed in), as on a laptop.
 */
export function lambdaConfiguration(state: string, env: Environment = process.env): MiddlewareObj {
  let fetcher: { ids: Partial<Record<Part, string>>; middleware: MiddlewareObj } | undefined;
  return {
    before: async (request) => {
      if (!secretsConfigured(env)) return;
      const reads = stepReads(state);
      fetcher ??= await createFetcher(reads, env);
      try {
        await fetcher.middleware.before?.(request);
        const secrets = await resolve(request, fetcher.ids);
        await useConfig(loadConfig(env, { reads, secrets }));
      } catch (error) {
        fetcher = undefined;
        throw error;
      }
    },
    onError: (request) => {
      // Credentials refused since they were read: read them again next time.
      if (request.error?.name === 'AuthenticationFailed' || isDatabaseLoginFailure(request.error)) fetcher = undefined;
    },
  };
}

function secretsConfigured(env: Environment): boolean {
  return Object.values(SECRET_VARIABLES).some((variable) => (env[variable] ?? '').trim() !== '');
}

async function createFetcher(reads: readonly Part[], env: Environment) {
  // Loaded on first use, so that a local run (settings from the environment) never loads the AWS SDK.
  const { default: secretsManager } = await import('@middy/secrets-manager');
  const ids = Object.fromEntries(reads.flatMap((part) => {
    const id = env[SECRET_VARIABLES[part]]?.trim();
    return id ? [[part, id]] : [];
  })) as Partial<Record<Part, string>>;
  const middleware = secretsManager({
    fetchData: ids,
    // A prefetch at init that failed would be an unhandled rejection, killing the sandbox
    // before the step could name the error.
    disablePrefetch: true,
    // Each fetcher caches apart, so that a discarded one is really read again.
    cacheKey: `focus-sync-secrets-${++instances}`,
    cacheExpiry: -1,
  }) as MiddlewareObj;
  return { ids, middleware };
}

async function resolve(request: Request, ids: Partial<Record<Part, string>>): Promise<SecretValues> {
  const internal = request.internal as Record<string, unknown>;
  const entries = await Promise.all((Object.keys(ids) as Part[]).map(async (part) => {
    try {
      return [part, await internal[part]] as const;
    } catch (error) {
      throw unreadable(part, error);
    }
  }));
  return Object.fromEntries(entries);
}

function unreadable(part: Part, error: unknown): FocusSyncError {
  const { name, $fault, $retryable } = (error ?? {}) as { name?: string; $fault?: string; $retryable?: unknown };
  const what = `Could not read the secret named by ${SECRET_VARIABLES[part]} from Secrets Manager (${name ?? 'Error'})`;
  // Throttling and server faults pass; a missing secret or a refused permission does not.
  if ($fault !== 'client' || $retryable !== undefined) {
    const Transient = part === 'api' ? ApiUnavailable : DatabaseUnavailable;
    return new Transient(`${what}; it is retried`, { cause: error });
  }
  return new ConfigurationError(`${what}: check that the secret exists and that the function's role may read it (cdk deploy grants it)`, { cause: error });
}

// SQLSTATE class 28: invalid authorization (a password changed since it was read).
function isDatabaseLoginFailure(error: unknown): boolean {
  const code = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  return typeof code === 'string' && code.startsWith('28');
}
