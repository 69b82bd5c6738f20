// The Focus API client: token handling, retries of transient failures, checked answers, streamed lines.
import type * as z from 'zod';
import {
  ApiRequestFailed, ApiResponseInvalid, ApiUnavailable, AuthenticationFailed, FocusSyncError,
} from '../errors.ts';
import { resourcesFromSchema, type Resource } from '../resources.ts';
import { describeIssues } from '../messages.ts';
import { recordRetry } from '../telemetry/logging.ts';
import { splitLines, type LineBatch } from './ndjson.ts';
import { authResponse, schemaResponse, stateResponse } from './responses.ts';

export type LineMode = 'full' | 'created' | 'updated' | 'deleted';

export interface ApiSettings {
  url: string;
  version: string;
  businessService: string;
  lang: string | undefined;
  username: string;
  password: string;
  stallTimeoutMs?: number;
}

export interface ApiOptions {
  attempts: number;         // per request, for transient failures
  backoffMs: number;        // first pause; doubles each attempt, with full jitter
  maxRetryAfterMs: number;  // a longer Retry-After is not waited for here: the state machine retries later
  requestTimeoutMs: number; // for the small JSON requests
  stallTimeoutMs: number;   // a line stream that sends nothing for this long is broken off (and retried)
  tokenRefreshMs: number;   // tokens live 30 minutes; renew before that, like the reference client
}

const defaults: ApiOptions = {
  attempts: 3,
  backoffMs: 500,
  maxRetryAfterMs: 30_000,
  requestTimeoutMs: 30_000,
  stallTimeoutMs: 60_000,
  tokenRefreshMs: 29 * 60_000,
};

export class FocusApi {
  readonly #settings: ApiSettings;
  readonly #options: ApiOptions;
  #token: { value: string; at: number } | undefined;

  constructor(settings: ApiSettings, options: Partial<ApiOptions> = {}) {
    this.#settings = settings;
    this.#options = { ...defaults, ...(settings.stallTimeoutMs && { stallTimeoutMs: settings.stallTimeoutMs }), ...options };
  }

  get base(): string {
    return `${this.#settings.url}/api/v${this.#settings.version}`;
  }

  /** Asks for a fresh token; fails with AuthenticationFailed when the credentials are refused. */
  async authenticate(): Promise<void> {
    const response = await this.#send(`${this.base}/auth`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: this.#settings.username, password: this.#settings.password }),
    }, 'authenticate');
    if (response.status !== 201) {
      await response.body?.cancel();
      if (response.status === 401 || response.status === 403) {
        throw new AuthenticationFailed(`The Focus API refused the credentials of user "${this.#settings.username}" (HTTP ${response.status}); check FOCUS_USERNAME and FOCUS_PASSWORD (or the credentials secret)`);
      }
      throw statusError(response, 'authenticate');
    }
    const { token } = await readJson(response, authResponse, 'authenticate');
    this.#token = { value: token, at: Date.now() };
  }

  async resources(): Promise<Resource[]> {
    return resourcesFromSchema(await this.#getJson(`${this.#service}/resource/schema`, schemaResponse, 'load the resource schema'));
  }

  async totalItems(resource: string, country: string, since: string | null): Promise<number> {
    const url = `${this.#pairUrl(resource, country)}/state${query({ delta_timestamp: since ?? undefined })}`;
    return this.#getJson(url, stateResponse, `read the server state of ${resource}/${country}`);
  }

  /** Streams the lines of one mode, in batches; `since` is the watermark for created/updated/deleted. */
  async *lines(resource: string, country: string, mode: LineMode, since?: string): AsyncGenerator<LineBatch> {
    const what = `read ${mode} lines of ${resource}/${country}`;
    const url = `${this.#pairUrl(resource, country)}/${mode}/lines${query({ delta_timestamp: since, lang: this.#settings.lang })}`;
    const response = await this.#authorized(url, what, false);
    try {
      yield* splitLines(chunksUntilStalled(response.body!, this.#options.stallTimeoutMs, what));
    } catch (error) {
      if (error instanceof FocusSyncError) throw error;
      if (error instanceof TypeError && /decode|encoded data/i.test(error.message)) {
        throw new ApiResponseInvalid(`Could not ${what}: the body is not valid UTF-8`, { cause: error });
      }
      throw new ApiUnavailable(`Could not ${what}: the connection broke mid-stream (${describe(error)}); the step is retried from the start`, { cause: error });
    }
  }

  get #service(): string {
    return `${this.base}/${encodeURIComponent(this.#settings.businessService)}`;
  }

  #pairUrl(resource: string, country: string): string {
    return `${this.#service}/resource/${encodeURIComponent(resource)}/${encodeURIComponent(country)}`;
  }

  async #getJson<T extends z.ZodType>(url: string, schema: T, what: string): Promise<z.output<T>> {
    return readJson(await this.#authorized(url, what, true), schema, what);
  }

  /** GETs with the token: renews it when old, and once more after a 401. */
  async #authorized(url: string, what: string, timed: boolean): Promise<Response> {
    for (let renewed = false; ; renewed = true) {
      if (!this.#token || Date.now() - this.#token.at >= this.#options.tokenRefreshMs) await this.authenticate();
      const response = await this.#send(url, { headers: { authorization: this.#token!.value, 'accept-encoding': 'gzip' } }, what, timed);
      if (response.status === 200) return response;
      await response.body?.cancel();
      if (response.status === 401 && !renewed) {
        this.#token = undefined;
        continue;
      }
      if (response.status === 401) {
        throw new AuthenticationFailed(`Could not ${what}: the API refused a fresh token (HTTP 401); check the account's access to this business service`);
      }
      throw statusError(response, what);
    }
  }

  /** One request, retried on network errors, 5xx and 429 with exponential backoff and jitter. */
  async #send(url: string, init: RequestInit, what: string, timed = true): Promise<Response> {
    for (let attempt = 1; ; attempt += 1) {
      let failure: FocusSyncError;
      let pauseMs = this.#options.backoffMs * 2 ** (attempt - 1) * Math.random();
      try {
        // A JSON answer must arrive whole within the request timeout, and never take longer than a stalled stream may.
        const signal = timed ? AbortSignal.timeout(Math.min(this.#options.requestTimeoutMs, this.#options.stallTimeoutMs)) : undefined;
        const response = await fetch(url, { ...init, ...(signal && { signal }) });
        if (response.status < 500 && response.status !== 429) return response;
        await response.body?.cancel();
        failure = statusError(response, what);
        const retryAfterMs = Number(response.headers.get('retry-after')) * 1000;
        if (retryAfterMs > this.#options.maxRetryAfterMs) throw failure;
        if (retryAfterMs > 0) pauseMs = retryAfterMs;
      } catch (error) {
        if (error instanceof FocusSyncError) throw error;
        failure = new ApiUnavailable(`Could not ${what}: ${describe(error)}; check FOCUS_API_URL and the network`, { cause: error });
      }
      if (attempt >= this.#options.attempts) throw failure;
      recordRetry(what, attempt, failure.name);
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }
}

/** The body's chunks; a wait for the next one longer than `timeoutMs` cancels the stream. */
async function* chunksUntilStalled(body: ReadableStream<Uint8Array>, timeoutMs: number, what: string): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const stalled = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new ApiUnavailable(`Could not ${what}: the stream sent nothing for ${timeoutMs / 1000} s; the step is retried from the start`)), timeoutMs);
      });
      try {
        const { done, value } = await Promise.race([reader.read(), stalled]);
        if (done) return;
        yield value;
      } finally {
        clearTimeout(timer);
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

function statusError(response: Response, what: string): FocusSyncError {
  const path = new URL(response.url || 'http://unknown').pathname;
  if (response.status >= 500 || response.status === 429) {
    return new ApiUnavailable(`Could not ${what}: the API answered HTTP ${response.status} for ${path}; retried with backoff`);
  }
  const hint = response.status === 404 ? 'check FOCUS_BUSINESS_SERVICE, the resource and the country' : 'the request was refused; this will not succeed by retrying';
  return new ApiRequestFailed(`Could not ${what}: the API answered HTTP ${response.status} for ${path}; ${hint}`);
}

async function readJson<T extends z.ZodType>(response: Response, schema: T, what: string): Promise<z.output<T>> {
  let body: unknown;
  try {
    body = await response.json();
  } catch (error) {
    if (error instanceof SyntaxError) throw new ApiResponseInvalid(`Could not ${what}: the answer is not JSON`, { cause: error });
    // The body broke off or stalled on its way: the network's fault, worth another try.
    throw new ApiUnavailable(`Could not ${what}: the answer broke off (${describe(error)}); retried`, { cause: error });
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error, '(root)');
    throw new ApiResponseInvalid(`Could not ${what}: the answer does not match the API contract (${issues})`);
  }
  return parsed.data;
}

function query(parameters: Record<string, string | undefined>): string {
  const present = Object.entries(parameters).filter((entry): entry is [string, string] => Boolean(entry[1]));
  return present.length ? `?${new URLSearchParams(present)}` : '';
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  if (error instanceof Error && error.name === 'TimeoutError') return 'no answer in time';
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
