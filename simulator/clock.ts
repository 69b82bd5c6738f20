// The server clock: the API's clock is the only one that matters, and it never goes back.

export class Clock {
  private current: number;

  constructor(start: number) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  /** The next change time: at least one microsecond later, and no earlier than the wall clock. */
  tick(): number {
    const wall = Math.floor((performance.timeOrigin + performance.now()) * 1000);
    this.current = Math.max(this.current + 1, wall);
    return this.current;
  }
}
