// The simulator's errors. Names are fixed strings so they survive minification.

/** An option or the schema cannot be served: fix the argument named in the message. */
export class SimulatorConfigError extends Error {
  override name = 'SimulatorConfigError';
}

/** A request the simulator refuses; `status` is the HTTP answer. */
export class SimulatorRequestError extends Error {
  override name = 'SimulatorRequestError';
  readonly status: number;

  constructor(status: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.status = status;
  }
}
