// Every collection the simulator serves, the server clock, and the mutations that move them.

import { Clock } from './clock.ts';
import { Collection } from './collection.ts';
import { SimulatorRequestError } from './errors.ts';
import { hashString, mix, Random } from './random.ts';
import { RowEncoder } from './rows.ts';
import type { Attribute } from './schema.ts';
import { formatMicros } from './timestamp.ts';

export interface MutateRequest {
  created?: number;
  updated?: number;
  deleted?: number;
  resource?: string;
  country?: string;
}

export interface MutateResult {
  clock: string;
  totals: Record<string, Record<string, number>>;
}

// Changes of one call share a microsecond in threes, so deltas meet equal timestamps.
const CHANGES_PER_TICK = 3;

export class Dataset {
  readonly clock: Clock;
  private readonly collections = new Map<string, Map<string, Collection>>();
  private readonly random: Random;
  private readonly countries: string[];

  constructor(resources: Map<string, Attribute[]>, countries: string[], seed: number, items: number) {
    this.countries = countries;
    const seedHash = hashString(String(seed));
    this.random = new Random(mix(seedHash, 0x6d757461));
    let newest = -Infinity;
    for (const [resource, attributes] of resources) {
      const byCountry = new Map<string, Collection>();
      for (const country of countries) {
        const pairSeed = mix(mix(seedHash, hashString(resource)), hashString(country));
        const encoder = new RowEncoder(attributes, pairSeed, Math.max(1, items));
        const collection = new Collection(encoder, mix(pairSeed, 0x74696d65), items);
        newest = Math.max(newest, collection.newestBase);
        byCountry.set(country, collection);
      }
      this.collections.set(resource, byCountry);
    }
    this.clock = new Clock(newest + 1);
  }

  collection(resource: string, country: string): Collection | undefined {
    return this.collections.get(resource)?.get(country);
  }

  totals(): MutateResult['totals'] {
    const totals: MutateResult['totals'] = {};
    for (const [resource, byCountry] of this.collections) {
      totals[resource] = Object.fromEntries([...byCountry].map(([country, collection]) => [country, collection.total]));
    }
    return totals;
  }

  /** Creates, updates and deletes items in each selected collection; counts are per collection. */
  mutate(request: unknown): MutateResult {
    const { created, updated, deleted, targets } = this.parse(request);
    let changes = 0;
    let now = this.clock.now();
    const nextTime = () => {
      if (changes++ % CHANGES_PER_TICK === 0) now = this.clock.tick();
      return now;
    };
    for (const collection of targets) {
      const available = collection.total;
      const updates = Math.min(updated, available);
      const deletions = Math.min(deleted, available - updates);
      const taken = new Set<number>();
      for (let i = 0; i < created; i++) taken.add(collection.create(nextTime()));
      for (let i = 0; i < updates; i++) {
        const id = collection.pickLive(this.random, taken);
        taken.add(id);
        collection.update(id, nextTime());
      }
      for (let i = 0; i < deletions; i++) {
        const id = collection.pickLive(this.random, taken);
        taken.add(id);
        collection.delete(id, nextTime());
      }
    }
    return { clock: formatMicros(this.clock.now()), totals: this.totals() };
  }

  private parse(request: unknown) {
    if (typeof request !== 'object' || request === null || Array.isArray(request)) {
      throw new SimulatorRequestError(400, 'mutate expects a JSON object like {"created": 1, "updated": 1, "deleted": 1}');
    }
    const body = request as Record<string, unknown>;
    const unknown = Object.keys(body).filter((key) => !['created', 'updated', 'deleted', 'resource', 'country'].includes(key));
    if (unknown.length > 0) throw new SimulatorRequestError(400, `mutate does not know ${unknown.join(', ')}`);
    const count = (name: string) => {
      const value = body[name] ?? 0;
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
        throw new SimulatorRequestError(400, `mutate: ${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
      }
      return value;
    };
    const resources = this.select('resource', body.resource, [...this.collections.keys()]);
    const countries = this.select('country', body.country, this.countries);
    const targets = resources.flatMap((resource) => countries.map((country) => this.collection(resource, country) as Collection));
    return { created: count('created'), updated: count('updated'), deleted: count('deleted'), targets };
  }

  private select(name: string, value: unknown, known: string[]): string[] {
    if (value === undefined) return known;
    if (typeof value !== 'string' || !known.includes(value)) {
      throw new SimulatorRequestError(400, `mutate: unknown ${name} ${JSON.stringify(value)}; known: ${known.join(', ')}`);
    }
    return [value];
  }
}
