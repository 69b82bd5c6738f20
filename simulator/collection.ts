// The items of one resource in one country. Base items 1..N are computed on demand; only
// changes are stored, so the memory used grows with mutations, never with N.

import { mix, mixNumber, type Random } from './random.ts';
import type { RowEncoder } from './rows.ts';
import { JULY_2025, MICROS_PER_SECOND } from './timestamp.ts';

export type DeltaMode = 'created' | 'updated' | 'deleted';

export interface ItemState {
  version: number;
  createdAt: number;
  updatedAt: number;
  deletedAt: number | undefined;
}

// Consecutive base items share a created_at to the microsecond, as real batch imports do.
const GROUP_SIZE = 3;
const UNCHANGED_PERCENT = 40;
const UPDATE_SPREAD_GROUPS = 500;
const RANDOM_PICKS = 32;

export class Collection {
  /** Newest base timestamp: deltas strictly after it only need the change log. */
  readonly newestBase: number;
  readonly encoder: RowEncoder;
  private readonly timeSeed: number;
  private readonly changes = new Map<number, ItemState>();
  /** Every change as [time, id], in time order (the clock never goes back): what a delta reads. */
  private readonly changeLog: Array<[number, number]> = [];
  private readonly lastGroup: number;
  private maxId: number;
  private live: number;

  constructor(encoder: RowEncoder, timeSeed: number, baseItems: number) {
    this.encoder = encoder;
    this.timeSeed = timeSeed;
    this.maxId = baseItems;
    this.live = baseItems;
    this.lastGroup = Math.max(0, Math.floor((baseItems - 1) / GROUP_SIZE));
    this.newestBase = baseItems > 0 ? this.groupCreatedAt(this.lastGroup) : JULY_2025;
  }

  get total(): number {
    return this.live;
  }

  *fullLines(): Generator<string> {
    for (let id = 1; id <= this.maxId; id++) {
      const change = this.changes.size > 0 ? this.changes.get(id) : undefined;
      if (change === undefined) {
        const createdAt = this.groupCreatedAt(Math.floor((id - 1) / GROUP_SIZE));
        yield this.encoder.line(id, 0, createdAt, this.baseUpdatedAt(id, createdAt));
      } else if (change.deletedAt === undefined) {
        yield this.encoder.line(id, change.version, change.createdAt, change.updatedAt);
      }
    }
  }

  /** Items whose latest change is of this kind and strictly after `since`, by id. */
  *deltaLines(mode: DeltaMode, since: number): Generator<string> {
    for (const id of this.candidates(since)) {
      const item = this.state(id);
      if (classify(item, since) !== mode) continue;
      yield mode === 'deleted'
        ? this.encoder.deletedLine(id, item.deletedAt as number)
        : this.encoder.line(id, item.version, item.createdAt, item.updatedAt);
    }
  }

  create(now: number): number {
    const id = ++this.maxId;
    this.changes.set(id, { version: 0, createdAt: now, updatedAt: now, deletedAt: undefined });
    this.changeLog.push([now, id]);
    this.live++;
    return id;
  }

  update(id: number, now: number): void {
    const item = this.state(id);
    this.changes.set(id, { ...item, version: item.version + 1, updatedAt: now });
    this.changeLog.push([now, id]);
  }

  delete(id: number, now: number): void {
    this.changes.set(id, { ...this.state(id), deletedAt: now });
    this.changeLog.push([now, id]);
    this.live--;
  }

  /** A random live item not in `taken`; the caller guarantees one exists. */
  pickLive(random: Random, taken: Set<number>): number {
    const eligible = (id: number) => !taken.has(id) && this.state(id).deletedAt === undefined;
    for (let attempt = 0; attempt < RANDOM_PICKS; attempt++) {
      const id = 1 + random.below(this.maxId);
      if (eligible(id)) return id;
    }
    // Mostly deleted or taken: walk from a random start instead of guessing forever.
    const start = random.below(this.maxId);
    for (let step = 0; step < this.maxId; step++) {
      const id = ((start + step) % this.maxId) + 1;
      if (eligible(id)) return id;
    }
    throw new RangeError('no live item left to pick');
  }

  private state(id: number): ItemState {
    const change = this.changes.get(id);
    if (change !== undefined) return change;
    const createdAt = this.groupCreatedAt(Math.floor((id - 1) / GROUP_SIZE));
    return { version: 0, createdAt, updatedAt: this.baseUpdatedAt(id, createdAt), deletedAt: undefined };
  }

  /**
   * The ids that may have changed after `since`, ascending. After every base item's time, only
   * those the log holds after it: a delta costs what changed since, not every change ever made.
   */
  private candidates(since: number): Iterable<number> {
    if (since < this.newestBase) return ascending(this.maxId);
    let [low, high] = [0, this.changeLog.length];
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.changeLog[middle]![0] > since) high = middle;
      else low = middle + 1;
    }
    return [...new Set(this.changeLog.slice(low).map(([, id]) => id))].sort((a, b) => a - b);
  }

  private groupCreatedAt(group: number): number {
    return JULY_2025 + group * MICROS_PER_SECOND + (mixNumber(this.timeSeed, group) % MICROS_PER_SECOND);
  }

  // Later updates land on another group's created_at, so created_at and updated_at values
  // collide across items, which is what trips up a watermark compared with >= instead of >.
  private baseUpdatedAt(id: number, createdAt: number): number {
    const draw = mixNumber(mix(this.timeSeed, 0x75706474), id);
    if (draw % 100 < UNCHANGED_PERCENT) return createdAt;
    const group = Math.floor((id - 1) / GROUP_SIZE) + 1 + ((draw >>> 8) % UPDATE_SPREAD_GROUPS);
    return this.groupCreatedAt(Math.min(group, this.lastGroup));
  }
}

function classify(item: ItemState, since: number): DeltaMode | undefined {
  if (item.deletedAt !== undefined) return item.deletedAt > since ? 'deleted' : undefined;
  if (item.createdAt > since) return 'created';
  if (item.updatedAt > since) return 'updated';
  return undefined;
}

function* ascending(last: number): Generator<number> {
  for (let id = 1; id <= last; id++) yield id;
}
