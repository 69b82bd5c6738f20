// How far a long load is: rows, rows/s, elapsed, and against the server's total where it is known,
// the percentage and the time left. Updated once per COPY chunk (never per row), it tells local
// listeners (npm run sync draws them) a few times a second, and logs a line every few seconds,
// which on Lambda is the only way to watch a load of millions of rows.
import { currentKeys, log, type InvocationKeys } from './logging.ts';

export interface Progress extends InvocationKeys {
  /** What is loading, e.g. "promotions/de full lines". */
  what: string;
  rows: number;
  elapsedMs: number;
  rowsPerSecond: number;
  done: boolean;
  /** The rows the server says the load brings (its total_items), once it has answered. */
  total?: number;
}

/** The rows a load will bring, asked of the server (GET /state) while the load runs. */
export type TotalRows = () => Promise<number>;

/** What a COPY tells of its rows so far, chunk by chunk. */
export interface RowProgress {
  update(rows: number): void;
}

export type ProgressListener = (progress: Progress) => void;

export const LISTENER_INTERVAL_MS = 200;
export const LOG_INTERVAL_MS = 5_000;
// A load still running after this long asks for its total; a short one costs the API no request.
export const ASK_TOTAL_AFTER_MS = 1_000;

const listeners = new Set<ProgressListener>();

/** Subscribes to every load's progress in this process; returns the unsubscribe. */
export function onProgress(listener: ProgressListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export class LoadProgress implements RowProgress {
  readonly #what: string;
  #rows = 0;
  readonly #keys = currentKeys();
  readonly #started = Date.now();
  #toldAt = this.#started;
  #loggedAt = this.#started;
  #askTotal: TotalRows | undefined;
  #total: number | undefined;

  constructor(what: string, total?: TotalRows) {
    this.#what = what;
    this.#askTotal = total;
  }

  /** Cheap enough for every chunk: a clock read, and work only when an interval has passed. */
  update(rows: number): void {
    this.#rows = rows;
    const now = Date.now();
    if (this.#askTotal && now - this.#started >= ASK_TOTAL_AFTER_MS) this.#ask(this.#askTotal);
    if (listeners.size > 0 && now - this.#toldAt >= LISTENER_INTERVAL_MS) {
      this.#toldAt = now;
      this.#tell(this.#progress(rows, now, false));
    }
    if (now - this.#loggedAt >= LOG_INTERVAL_MS) {
      this.#loggedAt = now;
      const progress = this.#progress(rows, now, false);
      const { what, elapsedMs, rowsPerSecond, total } = progress;
      const left = estimate(progress);
      const timeLeft = left?.remainingMs === undefined ? '' : `, about ${duration(left.remainingMs)} left`;
      log().info(left ? `${what}: ${rows} of ${total} rows (${left.percent}%)${timeLeft}` : `${what}: ${rows} rows so far`, {
        rows, rowsPerSecond, elapsedMs, ...(left && { total, percent: left.percent, remainingMs: left.remainingMs }),
      });
    }
  }

  /** The progress of a part of this load's rows, which comes after `before` of them. */
  after(before: number): RowProgress {
    return { update: (rows) => this.update(before + rows) };
  }

  /** The load ended, loaded or not: listeners drop it. */
  finish(rows = this.#rows): void {
    if (listeners.size > 0) this.#tell(this.#progress(rows, Date.now(), true));
  }

  #progress(rows: number, now: number, done: boolean): Progress {
    const elapsedMs = now - this.#started;
    const rowsPerSecond = elapsedMs > 0 ? Math.round((rows * 1000) / elapsedMs) : 0;
    return { ...this.#keys, what: this.#what, rows, elapsedMs, rowsPerSecond, done, ...(this.#total !== undefined && { total: this.#total }) };
  }

  /** Once: the progress goes on without a total if the server does not give one. */
  #ask(total: TotalRows): void {
    this.#askTotal = undefined;
    total().then((rows) => {
      this.#total = rows;
    }, (error: unknown) => {
      log().debug(`${this.#what}: the server's total is unknown, progress goes on without it`, { error: error instanceof Error ? error.message : String(error) });
    });
  }

  #tell(progress: Progress): void {
    for (const listener of listeners) listener(progress);
  }
}

/** Against a known total: how far (a whole percentage, at most 100) and how long is left at the rate so far. */
export function estimate(progress: Progress): { percent: number; remainingMs: number | undefined } | undefined {
  const { total, rows, rowsPerSecond } = progress;
  if (total === undefined || total <= 0) return undefined;
  const left = Math.max(0, total - rows);
  return {
    percent: Math.min(100, Math.floor((rows * 100) / total)),
    remainingMs: rowsPerSecond > 0 ? Math.round((left * 1000) / rowsPerSecond) : undefined,
  };
}

/** `42 s`, `3 min 05 s`, `1 h 02 min`. */
export function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const pad = (value: number) => String(value).padStart(2, '0');
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${pad(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${pad(Math.floor((seconds % 3600) / 60))} min`;
}
