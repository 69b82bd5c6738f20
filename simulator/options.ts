// The simulator's options: one table of defaults, and a check that fails at once on a value
// it cannot serve, naming the option.

import { SimulatorConfigError } from './errors.ts';
import type { SchemaDocument } from './schema.ts';

export interface SimulatorOptions {
  port: number;
  host: string;
  items: number;
  seed: number;
  countries: string[];
  businessService: string;
  username: string;
  password: string;
  tokenTtlSeconds: number;
  schema?: SchemaDocument;
  gzip: boolean;
  stateShape: 'top' | 'payload';
  /** At most this many lines a second in each lines answer, as a remote API sends them; 0: as fast as it can. */
  linesPerSecond: number;
}

export const DEFAULTS: SimulatorOptions = {
  port: 0,
  host: '127.0.0.1',
  items: 1000,
  seed: 42,
  countries: ['de', 'at'],
  businessService: 'promo',
  username: 'demo',
  password: 'demo',
  tokenTtlSeconds: 1800,
  gzip: false,
  linesPerSecond: 0,
  stateShape: 'top',
};

const KNOWN = new Set<string>([...Object.keys(DEFAULTS), 'schema']);

export function resolveOptions(given: Partial<SimulatorOptions> = {}): SimulatorOptions {
  const unknown = Object.keys(given).filter((key) => !KNOWN.has(key));
  if (unknown.length > 0) throw new SimulatorConfigError(`unknown simulator option(s): ${unknown.join(', ')}`);
  const defined = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined));
  const options: SimulatorOptions = { ...DEFAULTS, ...defined, countries: [...(given.countries ?? DEFAULTS.countries)] };
  integer('port', options.port, 0, 65535);
  integer('items', options.items, 0, 2 ** 32 - 1);
  integer('seed', options.seed, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  integer('linesPerSecond', options.linesPerSecond, 0, Number.MAX_SAFE_INTEGER);
  if (typeof options.tokenTtlSeconds !== 'number' || !(options.tokenTtlSeconds > 0)) {
    throw new SimulatorConfigError(`tokenTtlSeconds must be a positive number of seconds, got ${String(options.tokenTtlSeconds)}`);
  }
  for (const key of ['host', 'businessService', 'username', 'password'] as const) text(key, options[key]);
  if (options.countries.length === 0) throw new SimulatorConfigError('countries must name at least one country');
  for (const country of options.countries) text('countries', country);
  if (new Set(options.countries).size !== options.countries.length) {
    throw new SimulatorConfigError(`countries names a country twice: ${options.countries.join(',')}`);
  }
  if (options.stateShape !== 'top' && options.stateShape !== 'payload') {
    throw new SimulatorConfigError(`stateShape must be "top" or "payload", got ${String(options.stateShape)}`);
  }
  if (typeof options.gzip !== 'boolean') throw new SimulatorConfigError('gzip must be true or false');
  return options;
}

function integer(name: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new SimulatorConfigError(`${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
}

function text(name: string, value: unknown): void {
  if (typeof value !== 'string' || value === '') {
    throw new SimulatorConfigError(`${name} must be a non-empty string, got ${JSON.stringify(value)}`);
  }
}
