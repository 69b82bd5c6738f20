// Command-line flags → the execution input the state machine's first step validates.

export function executionInputFromArgs(values: { mode?: string; resources?: string; countries?: string }): Record<string, unknown> {
  const list = (value: string) => value.split(',').map((item) => item.trim()).filter(Boolean);
  return {
    ...(values.mode !== undefined && { mode: values.mode }),
    ...(values.resources !== undefined && { resources: list(values.resources) }),
    ...(values.countries !== undefined && { countries: list(values.countries) }),
  };
}
