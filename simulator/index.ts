// The Focus API simulator: a real HTTP server that serves the vendor contract
// (shared/focus-api-contract.md) from seeded, on-demand data, for tests and benchmarks.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Dataset, type MutateRequest, type MutateResult } from './dataset.ts';
import { SimulatorRequestError } from './errors.ts';
import { FaultList, type Fault } from './faults.ts';
import { resolveOptions, type SimulatorOptions } from './options.ts';
import { RequestLog, type ServedRequest } from './request-log.ts';
import { requestHandler } from './routes.ts';
import { defaultSchema, schemaAttributes, type SchemaDocument } from './schema.ts';
import { formatMicros } from './timestamp.ts';
import { TokenStore } from './tokens.ts';

export { SimulatorConfigError, SimulatorRequestError } from './errors.ts';
export { defaultSchema } from './schema.ts';
export type { MutateRequest, MutateResult } from './dataset.ts';
export type { BodyFault, DelayFault, Fault, FaultTarget, StatusFault } from './faults.ts';
export type { ServedRequest } from './request-log.ts';
export type { SimulatorOptions } from './options.ts';
export type { SchemaDocument } from './schema.ts';

export interface Simulator {
  readonly url: string;
  readonly options: SimulatorOptions;
  readonly schema: SchemaDocument;
  stop(): Promise<void>;
  mutate(request: MutateRequest): MutateResult;
  items(resource: string, country: string): Record<string, unknown>[];
  totalItems(resource: string, country: string): number;
  clock(): string;
  /** Arms a fault, as POST /__simulator/faults does (see routes.ts); throws naming a wrong field. */
  addFault(fault: Fault): void;
  clearFaults(): void;
  /** The API requests answered, oldest first: the last 10,000, /__simulator hooks left out. */
  requests(): ReadonlyArray<ServedRequest>;
  clearRequests(): void;
  /** The tokens handed out and still remembered, for tests that check none leaks. */
  issuedTokens(): string[];
}

type SourceReviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown;

// Integers beyond 2^53 stay exact decimal strings: a JS number would round them.
/** A JSON.parse reviver keeping integers beyond 2^53 exact, as their digits: how the simulator's items hold them. */
export const keepBigIntegers: SourceReviver = (_key, value, context) =>
  typeof value === 'number' && !Number.isSafeInteger(value) && /^-?\d+$/.test(context?.source ?? '')
    ? context?.source
    : value;

export async function startSimulator(given: Partial<SimulatorOptions> = {}): Promise<Simulator> {
  const options = resolveOptions(given);
  const schema = structuredClone(options.schema ?? defaultSchema());
  const dataset = new Dataset(schemaAttributes(schema), options.countries, options.seed, options.items);
  const faults = new FaultList();
  const requests = new RequestLog();
  const tokens = new TokenStore(options.tokenTtlSeconds * 1000);
  const server = createServer(requestHandler({ options, dataset, tokens, schemaJson: schema, faults, requests }));
  server.on('clientError', (_error, socket) => socket.destroy());
  await listen(server, options.port, options.host);
  const { port } = server.address() as AddressInfo;
  const collection = (resource: string, country: string) => {
    const found = dataset.collection(resource, country);
    if (found === undefined) throw new SimulatorRequestError(404, `no resource ${resource} in country ${country}`);
    return found;
  };

  return {
    url: `http://${urlHost(options.host)}:${port}`,
    options: { ...options, port },
    schema,
    stop: () => close(server),
    mutate: (request) => dataset.mutate(request),
    items: (resource, country) =>
      Array.from(collection(resource, country).fullLines(), (line) => JSON.parse(line, keepBigIntegers as never)),
    totalItems: (resource, country) => collection(resource, country).total,
    clock: () => formatMicros(dataset.clock.now()),
    addFault: (fault) => {
      faults.add(fault);
    },
    issuedTokens: () => tokens.list(),
    clearFaults: () => {
      faults.clear();
    },
    requests: () => requests.list(),
    clearRequests: () => requests.clear(),
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function close(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}

// A wildcard address is not somewhere a client can connect to; loopback is.
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
