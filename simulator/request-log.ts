// The requests the simulator has answered, newest last, so that tests can count what a client
// did (how often it authenticated, how many times it retried). Bounded: the last 10,000.

export interface ServedRequest {
  readonly method: string;
  /** The path without the query, percent-decoded. */
  readonly path: string;
  /** The status the answer's headers carried; 0 when nothing was sent (the client left first). */
  readonly status: number;
}

const KEPT = 10_000;

export class RequestLog {
  private entries: ServedRequest[] = [];

  add(method: string, path: string, status: number): void {
    this.entries.push({ method, path, status });
    // Trimming in batches keeps adding O(1) on average, with no shift of 10,000 entries each time.
    if (this.entries.length >= 2 * KEPT) this.entries = this.entries.slice(-KEPT);
  }

  list(): ReadonlyArray<ServedRequest> {
    return this.entries.slice(-KEPT);
  }

  clear(): void {
    this.entries = [];
  }
}
