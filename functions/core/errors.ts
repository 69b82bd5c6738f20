// Every error a step can end with. The `name` strings are the state machine's contract:
// its Retry and Catch match them, so they are fixed strings, never class names. Each class's doc
// comment is its meaning in docs/guarantees.md's error table (npm run docs).

export const TRANSIENT_ERRORS = ['ApiUnavailable', 'DatabaseUnavailable'] as const;

export class FocusSyncError extends Error {
  override name = 'FocusSyncError';
  readonly transient: boolean = false;
}

/** A setting is wrong or missing (names the variable or context key): fix the environment, the CDK context or the secret. */
export class ConfigurationError extends FocusSyncError {
  override name = 'ConfigurationError';
}

/** The execution input or a step's input does not match its schema (names the field). */
export class InvalidInput extends FocusSyncError {
  override name = 'InvalidInput';
}

/** The API refused the credentials (also after one re-authentication on a 401). */
export class AuthenticationFailed extends FocusSyncError {
  override name = 'AuthenticationFailed';
}

/**
 * The API could not be reached, answered 5xx or 429, broke off or stalled a stream
 * (`FOCUS_API_STALL_SECONDS`, default 60): worth another try. The client has already tried 3 times
 * (backoff with jitter, `Retry-After` honoured); a broken stream is re-read from the start into a
 * fresh staging table.
 */
export class ApiUnavailable extends FocusSyncError {
  override name = 'ApiUnavailable';
  override readonly transient = true;
}

/** The API answered a 4xx other than 401/429 (wrong business service, resource or country): retrying will not help. */
export class ApiRequestFailed extends FocusSyncError {
  override name = 'ApiRequestFailed';
}

/** The API answered, but not in the shape of the contract. */
export class ApiResponseInvalid extends FocusSyncError {
  override name = 'ApiResponseInvalid';
}

/** A line of the API's data cannot be stored: not JSON, no key, a repeated key, or a value that does not fit its column (names resource, country, line and column; a key repeated in a forced full load's lines is named by its value, since it is found when the staged rows are keyed). */
export class InvalidLine extends FocusSyncError {
  override name = 'InvalidLine';
}

/** The API's schema cannot be mapped to tables: no key, no `created_at`/`updated_at`, a name too long. */
export class SchemaMappingError extends FocusSyncError {
  override name = 'SchemaMappingError';
}

/** PostgreSQL could not be reached or dropped the connection: worth another try. */
export class DatabaseUnavailable extends FocusSyncError {
  override name = 'DatabaseUnavailable';
  override readonly transient = true;
}

/** PostgreSQL refused a statement (names its SQLSTATE). */
export class DatabaseError extends FocusSyncError {
  override name = 'DatabaseError';
}

/** Another run took over a pair this run was writing (this run's lease expired while it stalled); this run applied nothing to it. */
export class LeaseLost extends FocusSyncError {
  override name = 'LeaseLost';
}

/**
 * A staging table no longer holds the rows a load step gave it: staging tables are unlogged, and
 * PostgreSQL empties those when it crashes or fails over. Nothing was applied; the next run loads the pair again.
 */
export class StagingLost extends FocusSyncError {
  override name = 'StagingLost';
}

/** The mirror's `COUNT(*)` still differs from the server's `total_items` after the repairs (gives both): run with `mode: full` if it persists. */
export class OutOfSync extends FocusSyncError {
  override name = 'OutOfSync';
}

/** The execution's final error when one or more pairs failed; the summary names them. */
export class SyncFailed extends FocusSyncError {
  override name = 'SyncFailed';
}

const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH',
  'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT',
]);
// SQLSTATE classes 08 (connection) and 57P (operator intervention: shutdown, crash recovery), too
// many connections, serialization failures and deadlocks, and a refused password: on AWS the
// function reads the database secret again before the retry, which a rotation needs.
const TRANSIENT_SQLSTATE = /^(08|57P|53300|40001|40P01|28P01)/;

/** Wraps whatever PostgreSQL or postgres.js threw into one of our named errors. */
export function databaseError(what: string, error: unknown): FocusSyncError {
  if (error instanceof FocusSyncError) return error;
  const code = (error as { code?: string } | null)?.code ?? '';
  const message = error instanceof Error ? error.message : String(error);
  if (CONNECTION_ERROR_CODES.has(code) || TRANSIENT_SQLSTATE.test(code)) {
    return new DatabaseUnavailable(`${what}: the database connection failed (${code || message}); it is retried, check DATABASE_URL and that PostgreSQL is up if it persists`, { cause: error });
  }
  // postgres.js names its own failures (COPY_IN_PROGRESS…) with codes that are not SQLSTATEs.
  if (!/^[0-9A-Z]{5}$/.test(code)) return new DatabaseError(`${what}: the database client failed: ${message}`, { cause: error });
  return new DatabaseError(`${what}: PostgreSQL said: ${message} (SQLSTATE ${code})`, { cause: error });
}

/** Runs `work`, and names whatever it throws with databaseError: `what` says what failed, and for which pair. */
export async function inDatabase<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw databaseError(what, error);
  }
}
