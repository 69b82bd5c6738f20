// How far a long load is: rows, rows/s, elapsed. Updated once per COPY chunk (never per row), it
// tells local listeners (npm run sync draws them) a few times a second, and logs a line every few
// seconds, which on Lambda is the only way to watch a load of millions of rows.
import { currentKeys, log, type InvocationKeys } from './logging.ts';

export interface Progress extends InvocationKeys {
  /** What is loading, e.g. "promotions/de full lines". */
  what: string;
  rows: number;
  elapsedMs: number;
  rowsPerSecond: number;
  done: boolean;
}

export type ProgressListener = (progress: Progress) => void;

export const LISTENER_INTERVAL_MS = 200;
export const LOG_INTERVAL_MS = 5_000;

const listeners = new Set<ProgressListener>();

/** Subscribes to every load's progress in this process; returns the unsubscribe. */
export function onProgress(listener: ProgressListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export class LoadProgress {
  readonly #what: string;
  readonly #keys = currentKeys();
  readonly #started = Date.now();
  #toldAt = this.#started;
  #loggedAt = this.#started;

  constructor(what: string) {
    this.#what = what;
  }

  /** Cheap enough for every chunk: a clock read, and work only when an interval has passed. */
  update(rows: number): void {
    const now = Date.now();
    if (listeners.size > 0 && now - this.#toldAt >= LISTENER_INTERVAL_MS) {
      this.#toldAt = now;
      this.#tell(this.#progress(rows, now, false));
    }
    if (now - this.#loggedAt >= LOG_INTERVAL_MS) {
      this.#loggedAt = now;
      const { what, elapsedMs, rowsPerSecond } = this.#progress(rows, now, false);
      log().info(`${what}: ${rows} rows so far`, { rows, rowsPerSecond, elapsedMs });
    }
  }

  /** The load ended, loaded or not: listeners drop it. */
  finish(rows: number): void {
    if (listeners.size > 0) this.#tell(this.#progress(rows, Date.now(), true));
  }

  #progress(rows: number, now: number, done: boolean): Progress {
    const elapsedMs = now - this.#started;
    return { ...this.#keys, what: this.#what, rows, elapsedMs, rowsPerSecond: elapsedMs > 0 ? Math.round((rows * 1000) / elapsedMs) : 0, done };
  }

  #tell(progress: Progress): void {
    for (const listener of listeners) listener(progress);
  }
}
