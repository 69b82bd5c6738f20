// The ASL file is the contract between the flow, the handlers, the errors and the deployment.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as errors from '../../functions/core/errors.ts';
import { handlerFile, taskStates } from '../../statemachine/local/definition.ts';
import { DEFINITION_FILE, loadDefinition, loadHandler } from '../../statemachine/local/runner.ts';

type State = Record<string, unknown> & { Type: string };
const text = await readFile(DEFINITION_FILE, 'utf8');
const definition = JSON.parse(text) as { States: Record<string, State> };
const tasks = taskStates(definition);

function allStates(states: Record<string, State>): Array<[string, State]> {
  return Object.entries(states).flatMap(([name, state]) => [
    [name, state] as [string, State],
    ...[state.ItemProcessor as { States: Record<string, State> } | undefined, ...((state.Branches as Array<{ States: Record<string, State> }>) ?? [])]
      .flatMap((nested) => (nested ? allStates(nested.States) : [])),
  ]);
}

describe('statemachine/sync.asl.json', () => {
  it('is valid ASL, with valid paths, as aws-local-stepfunctions would check it (the local runner does not, to start fast)', async () => {
    const { default: aslValidator } = await import('asl-validator');
    const { isValid, errorsText } = aslValidator(await loadDefinition(), { checkArn: true, checkPaths: true });
    expect(isValid, errorsText('\n')).toBe(true);
  });

  it('fails validation when a state names a Next that does not exist, so the check above can fail', async () => {
    const { default: aslValidator } = await import('asl-validator');
    const broken = structuredClone(await loadDefinition()) as unknown as { States: Record<string, { Next?: string }> };
    broken.States.LoadSchema!.Next = 'NoSuchState';
    expect(aslValidator(broken, { checkArn: true, checkPaths: true }).isValid).toBe(false);
  });

  it('has the sequence flow of the reference client, as Task states', () => {
    expect(tasks).toEqual([
      'Authenticate', 'LoadSchema', 'BuildDbSchema', 'GetClientState', 'FullLoad', 'LoadCreated', 'LoadUpdated',
      'ApplyDelta', 'CheckServerState', 'CompareState', 'PlanRepair', 'Summarize',
    ]);
  });

  it('names each Task resource by a placeholder for its own function, and nothing else', () => {
    const placeholders = [...text.matchAll(/\$\{(\w+)\}/g)].map((match) => match[1]);
    expect(placeholders.sort()).toEqual(tasks.map((state) => `${state}FunctionArn`).sort());
    for (const [name, state] of allStates(definition.States).filter(([, state]) => state.Type === 'Task')) {
      expect(state.Resource).toBe(`\${${name}FunctionArn}`);
    }
  });

  it('has, for every Task state, a handler file exporting its handler and a SAM-style event it accepts', async () => {
    for (const state of tasks) {
      const handler = await loadHandler(state);
      expect(handler.state).toBe(state);
      const eventFile = new URL(`../events/${basename(handlerFile(state), '.ts')}.json`, import.meta.url);
      const event = JSON.parse(await readFile(eventFile, 'utf8'));
      const parsed = handler.input.safeParse(event);
      expect(parsed.success, `${state}: ${parsed.error?.message}`).toBe(true);
    }
  });

  it('retries and catches only errors that exist in functions/core/errors.ts (or Step Functions and Lambda own)', () => {
    const named = new Set(Object.values(errors).filter((value) => typeof value === 'function').map((Class) => {
      try {
        return new (Class as new (message: string) => Error)('probe').name;
      } catch {
        return undefined;
      }
    }));
    const used = allStates(definition.States).flatMap(([, state]) => [
      ...((state.Retry as Array<{ ErrorEquals: string[] }>) ?? []),
      ...((state.Catch as Array<{ ErrorEquals: string[] }>) ?? []),
      ...(state.Type === 'Fail' ? [{ ErrorEquals: [state.Error as string] }] : []),
    ]).flatMap((rule) => rule.ErrorEquals);
    expect(used.length).toBeGreaterThan(0);
    for (const name of used) {
      if (/^(States|Lambda)\./.test(name)) continue;
      expect(named, `${name} is not an error class's name`).toContain(name);
    }
    expect([...errors.TRANSIENT_ERRORS].every((name) => named.has(name))).toBe(true);
  });

  it('retries every Task on the transient errors, with backoff, and bounds each by a timeout', () => {
    for (const [name, state] of allStates(definition.States).filter(([, state]) => state.Type === 'Task')) {
      const retry = (state.Retry as Array<{ ErrorEquals: string[]; BackoffRate: number; MaxAttempts: number }>)[0]!;
      expect(retry.ErrorEquals, name).toEqual([...errors.TRANSIENT_ERRORS]);
      expect(retry.BackoffRate, name).toBeGreaterThan(1);
      expect(retry.MaxAttempts, name).toBeGreaterThan(0);
      expect(state.TimeoutSeconds, name).toBeLessThanOrEqual(900);
    }
  });

  it('bounds the Map over pairs and catches each pair\'s failure inside it', () => {
    const map = definition.States.SyncPairs!;
    expect(map.Type).toBe('Map');
    // BuildDbSchema passes FOCUS_MAP_CONCURRENCY (1 to 40, default 4); the config test covers the bounds.
    expect(map.MaxConcurrencyPath).toBe('$.maxConcurrency');
    const pair = (map.ItemProcessor as { States: Record<string, State> }).States.SyncPair!;
    expect(pair.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'PairFailed' }]);
  });
});
