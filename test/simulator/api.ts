// Talks to a simulator the way the vendor client does, for the simulator's own tests.

import type { Simulator } from '../../simulator/index.ts';

export const ALL_TYPES = [
  'int64', 'int32', 'int16', 'int', 'database.nullint16', 'string', 'float64', 'float32',
  'uuid', 'time', 'datetime', 'date', '[]string', 'bytes', 'bool', 'json',
];

export const WIRE_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/;

export async function authenticate(simulator: Simulator): Promise<string> {
  const { username, password } = simulator.options;
  const response = await post(simulator, '/api/v1/auth', { username, password });
  const body = (await response.json()) as { token: string };
  return body.token;
}

export function post(simulator: Simulator, path: string, body: unknown): Promise<Response> {
  return fetch(simulator.url + path, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
}

/** GET under the business service, e.g. `/resource/promotions/de/full/lines`. */
export function get(simulator: Simulator, token: string | undefined, path: string): Promise<Response> {
  const headers: Record<string, string> = token === undefined ? {} : { authorization: token };
  return fetch(`${simulator.url}/api/v1/${simulator.options.businessService}${path}`, { headers });
}

export async function lines(simulator: Simulator, token: string, path: string): Promise<Record<string, unknown>[]> {
  const response = await get(simulator, token, path);
  if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
  return parseLines(await response.text());
}

/** Parses NDJSON like Simulator.items(): integers beyond 2^53 stay exact decimal strings. */
export function parseLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line, keepBigIntegers as never) as Record<string, unknown>);
}

function keepBigIntegers(_key: string, value: unknown, context?: { source?: string }): unknown {
  const source = context?.source ?? '';
  return typeof value === 'number' && !Number.isSafeInteger(value) && /^-?\d+$/.test(source) ? source : value;
}

export function ids(items: Record<string, unknown>[]): number[] {
  return items.map((item) => item.id as number);
}

export function delta(mode: string, resource: string, country: string, since: string): string {
  return `/resource/${resource}/${country}/${mode}/lines?delta_timestamp=${encodeURIComponent(since)}`;
}
