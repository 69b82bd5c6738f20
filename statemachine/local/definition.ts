// Reading the ASL: its Task states, wherever they are nested, and the file that handles each.
import type { StateMachineDefinition } from 'aws-local-stepfunctions';

interface StateNode {
  Type: string;
  Resource?: string;
  Retry?: Retrier[];
  ItemProcessor?: { States: Record<string, StateNode> };
  Iterator?: { States: Record<string, StateNode> };
  Branches?: Array<{ States: Record<string, StateNode> }>;
}

/** A Task state's retrier, as the ASL writes it. */
export interface Retrier {
  ErrorEquals: string[];
  MaxAttempts?: number;
  IntervalSeconds?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: string;
}

/** Every Task state's name, in document order, including those inside Map and Parallel states. */
export function taskStates(definition: StateMachineDefinition | { States: Record<string, unknown> }): string[] {
  return taskStateEntries(definition).map(([name]) => name);
}

/** Every Task state with its name, in document order, including those inside Map and Parallel states. */
export function taskStateEntries(definition: StateMachineDefinition | { States: Record<string, unknown> }): Array<[string, StateNode]> {
  return Object.entries(definition.States as Record<string, StateNode>).flatMap(([name, state]) => [
    ...(state.Type === 'Task' ? [[name, state] as [string, StateNode]] : []),
    ...[state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])].flatMap((nested) => (nested ? taskStateEntries(nested) : [])),
  ]);
}

/** The state of that name, wherever it is nested. */
export function findState(definition: { States: Record<string, unknown> }, name: string): unknown {
  for (const [key, state] of Object.entries(definition.States as Record<string, StateNode>)) {
    if (key === name) return state;
    for (const nested of [state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])]) {
      const found = nested && findState(nested, name);
      if (found) return found;
    }
  }
  return undefined;
}

/** State `FullLoad` is handled by functions/steps/full-load.ts. */
export function handlerFile(state: string): string {
  return `${state.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}.ts`;
}

/** A scope of states: the state machine itself, a Map's ItemProcessor or one branch of a Parallel. */
export interface AslScope {
  StartAt: string;
  States: Record<string, AslState>;
}

/** The fields of an ASL state that the diagram reads. */
export interface AslState {
  Type: string;
  Next?: string;
  End?: boolean;
  Choices?: ChoiceRule[];
  Default?: string;
  Catch?: Array<{ ErrorEquals: string[]; Next: string }>;
  Error?: string;
  ErrorPath?: string;
  ItemsPath?: string;
  MaxConcurrency?: number;
  MaxConcurrencyPath?: string;
  ItemProcessor?: AslScope;
  Iterator?: AslScope;
  Branches?: AslScope[];
}

/** A rule of a Choice state: a comparison of `Variable`, a combination, or a JSONata `Condition`. */
export interface ChoiceRule {
  Next?: string;
  Variable?: string;
  And?: ChoiceRule[];
  Or?: ChoiceRule[];
  Not?: ChoiceRule;
  Condition?: string;
  [comparison: string]: unknown;
}
