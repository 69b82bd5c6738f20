// Every error a step can end with. The `name` strings are the state machine's contract:
// its Retry and Catch match them, so they are fixed strings, never class names.

export const TRANSIENT_ERRORS = ['ApiUnavailable', 'DatabaseUnavailable'] as const;

export class FocusSyncError extends Error {
  override name = 'FocusSyncError';
  readonly transient: boolean = false;
}

/** A setting is missing or wrong; fix the environment or the CDK context. */
export class ConfigurationError extends FocusSyncError {
  override name = 'ConfigurationError';
}

/** The execution input or a step's input does not match its schema. */
export class InvalidInput extends FocusSyncError {
  override name = 'InvalidInput';
}

/** The API refused the credentials. */
export class AuthenticationFailed extends FocusSyncError {
  override name = 'AuthenticationFailed';
}

/** The API could not be reached or answered 5xx/429: worth another try. */
export class ApiUnavailable extends FocusSyncError {
  override name = 'ApiUnavailable';
  override readonly transient = true;
}

/** The API answered a 4xx other than 429: retrying will not help. */
export class ApiRequestFailed extends FocusSyncError {
  override name = 'ApiRequestFailed';
}

/** The API answered, but not in the shape of the contract. */
export class ApiResponseInvalid extends FocusSyncError {
  override name = 'ApiResponseInvalid';
}

/** A line of the API's data cannot be stored: not JSON, no key, or a value that does not fit. */
export class InvalidLine extends FocusSyncError {
  override name = 'InvalidLine';
}

/** The API's schema cannot be mapped to tables. */
export class SchemaMappingError extends FocusSyncError {
  override name = 'SchemaMappingError';
}

/** PostgreSQL could not be reached or dropped the connection: worth another try. */
export class DatabaseUnavailable extends FocusSyncError {
  override name = 'DatabaseUnavailable';
  override readonly transient = true;
}

/** PostgreSQL rejected a statement. */
export class DatabaseError extends FocusSyncError {
  override name = 'DatabaseError';
}

/** Another run took over a pair this run was writing; this run applied nothing to it. */
export class LeaseLost extends FocusSyncError {
  override name = 'LeaseLost';
}

/** The mirror's COUNT(*) differs from the server's total_items after a run. */
export class OutOfSync extends FocusSyncError {
  override name = 'OutOfSync';
}

/** One or more pairs of an execution failed; the summary names them. */
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
