// Seeded, allocation-free randomness. Item values are a pure function of their coordinates,
// so a million items can be served without ever being stored.

/** FNV-1a over UTF-16 code units: a stable 32-bit name for a string. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Combines two 32-bit values into a well-spread 32-bit value (murmur3 finaliser). */
export function mix(a: number, b: number): number {
  return avalanche((Math.imul(a, 0x9e3779b1) ^ avalanche((b + 0x7f4a7c15) | 0)) | 0);
}

/** Hash of a non-negative integer that may exceed 32 bits (ids, microseconds). */
export function mixNumber(a: number, value: number): number {
  return mix(mix(a, value >>> 0), Math.floor(value / 4294967296) >>> 0);
}

/** mulberry32: a fast 32-bit generator; one instance is reseeded per column value. */
export class Random {
  private state: number;

  constructor(seed = 0) {
    this.state = seed | 0;
  }

  reseed(seed: number): this {
    this.state = seed | 0;
    return this;
  }

  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** An integer in [0, bound), bound up to 2^32. */
  below(bound: number): number {
    return Math.floor((this.next() / 4294967296) * bound);
  }

  /** A double in [0, 1) with all 53 bits of precision. */
  fraction(): number {
    return ((this.next() >>> 5) * 67108864 + (this.next() >>> 6)) / 9007199254740992;
  }

  chance(percent: number): boolean {
    return this.below(100) < percent;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)] as T;
  }
}

function avalanche(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
