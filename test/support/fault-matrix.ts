// The fault matrix: every fault the simulator can inject, on every endpoint class, and what the
// sync must make of it. test/integration/faults.test.ts runs every row; docs/guarantees.md shows them all
// (npm run docs writes the table there).
import type { Fault } from '../../simulator/index.ts';

export type Endpoint = 'auth' | 'schema' | 'full lines' | 'created lines' | 'updated lines' | 'deleted lines' | 'state';
/**
 * `converges`: the run succeeds and the mirror is exact. Otherwise the named error, with every table
 * and watermark untouched (for the state, asked after the data is applied, the whole change applied).
 */
export type Outcome = 'converges' | 'ApiUnavailable' | 'ApiRequestFailed' | 'AuthenticationFailed' | 'ApiResponseInvalid' | 'InvalidLine';

export const ENDPOINTS: Record<Endpoint, string> = {
  auth: '/auth',
  schema: '/resource/schema',
  'full lines': '/full/lines',
  'created lines': '/created/lines',
  'updated lines': '/updated/lines',
  'deleted lines': '/deleted/lines',
  state: '/state',
};

type Injected<F> = F extends unknown ? Omit<F, 'match'> : never;

export interface FaultRow {
  fault: string;
  inject: Injected<Fault>;
  outcome: (endpoint: Endpoint) => Outcome;
}

const isLines = (endpoint: Endpoint) => endpoint.endsWith('lines');

export const FAULT_MATRIX: FaultRow[] = [
  { fault: 'HTTP 503 once', inject: { status: 503 }, outcome: () => 'converges' },
  { fault: 'HTTP 429 once, Retry-After: 1', inject: { status: 429, retryAfter: 1 }, outcome: () => 'converges' },
  { fault: 'HTTP 500 on every try', inject: { status: 500, times: 1000 }, outcome: () => 'ApiUnavailable' },
  { fault: 'HTTP 401 once (token expired)', inject: { status: 401 }, outcome: (endpoint) => (endpoint === 'auth' ? 'AuthenticationFailed' : 'converges') },
  { fault: 'HTTP 403', inject: { status: 403 }, outcome: (endpoint) => (endpoint === 'auth' ? 'AuthenticationFailed' : 'ApiRequestFailed') },
  { fault: 'HTTP 404', inject: { status: 404 }, outcome: () => 'ApiRequestFailed' },
  { fault: 'connection dropped after 2 lines', inject: { dropAfterLines: 2 }, outcome: () => 'converges' },
  { fault: 'stream stalled after 2 lines for 5 s', inject: { stallAfterLines: 2, stallMs: 5_000 }, outcome: () => 'converges' },
  { fault: 'line 2 is not JSON', inject: { malformedAtLine: 2 }, outcome: (endpoint) => (isLines(endpoint) ? 'InvalidLine' : 'ApiResponseInvalid') },
  { fault: 'answer delayed 300 ms', inject: { delayMs: 300 }, outcome: () => 'converges' },
];

/** The table in docs/guarantees.md: one row per fault, one column per endpoint class. */
export function renderFaultTable(): string {
  const endpoints = Object.keys(ENDPOINTS) as Endpoint[];
  const cell = (outcome: Outcome) => (outcome === 'converges' ? 'converges' : `\`${outcome}\``);
  return [
    `| fault | ${endpoints.join(' | ')} |`,
    `|---|${endpoints.map(() => '---').join('|')}|`,
    ...FAULT_MATRIX.map((row) => `| ${row.fault} | ${endpoints.map((endpoint) => cell(row.outcome(endpoint))).join(' | ')} |`),
  ].join('\n');
}
