// Reading the ASL: its Task states, wherever they are nested, and the file that handles each.
import type { StateMachineDefinition } from 'aws-local-stepfunctions';

interface StateNode {
  Type: string;
  Resource?: string;
  ItemProcessor?: { States: Record<string, StateNode> };
  Iterator?: { States: Record<string, StateNode> };
  Branches?: Array<{ States: Record<string, StateNode> }>;
}

/** Every Task state's name, in document order, including those inside Map and Parallel states. */
export function taskStates(definition: StateMachineDefinition | { States: Record<string, unknown> }): string[] {
  return Object.entries(definition.States as Record<string, StateNode>).flatMap(([name, state]) => [
    ...(state.Type === 'Task' ? [name] : []),
    ...[state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])].flatMap((nested) => (nested ? taskStates(nested) : [])),
  ]);
}

/** State `FullLoad` is handled by functions/steps/full-load.ts. */
export function handlerFile(state: string): string {
  return `${state.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}.ts`;
}
