// Command-line flags → the execution input, checked by the same zod schema the first step uses,
// so that `npm run sync` and `npm run execution -- start` refuse a wrong value before anything starts.
import { describeIssues, executionInput } from '../../functions/core/messages.ts';

export function executionInputFromArgs(values: { mode?: string; resources?: string; countries?: string }): Record<string, unknown> {
  const list = (value: string) => value.split(',').map((item) => item.trim()).filter(Boolean);
  return {
    ...(values.mode !== undefined && { mode: values.mode }),
    ...(values.resources !== undefined && { resources: list(values.resources) }),
    ...(values.countries !== undefined && { countries: list(values.countries) }),
  };
}

/** Why the input is refused, naming each field and what it may be; undefined when it is valid. */
export function executionInputProblem(input: unknown): string | undefined {
  const checked = executionInput.safeParse(input);
  if (checked.success) return undefined;
  return `The execution input is not valid: ${describeIssues(checked.error)}`;
}
