// The README's diagram is rendered from the ASL (npm run docs); these tests keep it Mermaid.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { taskStates, type AslScope, type AslState } from '../../statemachine/local/definition.ts';
import { renderMermaid } from '../../statemachine/local/diagram.ts';
import { DEFINITION_FILE } from '../../statemachine/local/runner.ts';

const definition = JSON.parse(await readFile(DEFINITION_FILE, 'utf8')) as AslScope;

const task = (next?: string, extra: Partial<AslState> = {}): AslState => ({ Type: 'Task', ...(next ? { Next: next } : { End: true }), ...extra });

/** Names that repeat across scopes and would break Mermaid if written as they are. */
const awkward: AslScope = {
  StartAt: 'Work',
  States: {
    Work: task('Items'),
    Items: {
      Type: 'Map',
      ItemsPath: '$.items',
      MaxConcurrency: 2,
      ItemProcessor: {
        StartAt: 'Work',
        States: {
          Work: task('Both', { Catch: [{ ErrorEquals: ['Timeout', 'States.TaskFailed'], Next: 'end' }] }),
          Both: {
            Type: 'Parallel',
            Branches: [
              { StartAt: 'Work', States: { Work: task() } },
              { StartAt: 'Work', States: { Work: task('class "x" (y)'), 'class "x" (y)': { Type: 'Pass', End: true } } },
            ],
            End: true,
          },
          end: { Type: 'Fail', Error: 'Broke <badly>' },
        },
      },
      Next: 'Decide',
    },
    Decide: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.load', StringEquals: 'full', Next: 'Done' },
        { And: [{ Variable: '$.count', NumericGreaterThanEquals: 10 }, { Not: { Variable: '$.dryRun', BooleanEquals: true } }], Next: 'Done' },
        { Variable: '$.cause', IsPresent: true, Next: 'Failed' },
      ],
      Default: 'Failed',
    },
    Done: { Type: 'Succeed' },
    Failed: { Type: 'Fail', Error: 'SyncFailed' },
  },
};

describe('renderMermaid', () => {
  it('draws every state exactly once in its own scope, Map and Parallel states as boxes around theirs', () => {
    expect(parse(renderMermaid(definition)).tree).toEqual(expectedTree(definition));
    expect(parse(renderMermaid(awkward)).tree).toEqual(expectedTree(awkward));
  });

  it('draws every Task state as a plain box', () => {
    const text = renderMermaid(definition);
    for (const name of taskStates(definition)) expect(text).toContain(`${name}["${name}"]`);
  });

  it('labels a Choice\'s edges with its conditions, read plainly, and its Default as otherwise', () => {
    const text = renderMermaid(awkward);
    expect(text).toContain('  Decide -- "load = full" --> Done\n');
    expect(text).toContain('  Decide -- "count #gt;= 10 and not (dryRun = true)" --> Done\n');
    expect(text).toContain('  Decide -- "cause is present" --> Failed\n');
    expect(text).toContain('  Decide -- "otherwise" --> Failed\n');
    expect(renderMermaid(definition)).toContain('FullOrDelta -- "load = full" --> FullLoad\n');
  });

  it('draws Catch edges dashed, labelled with the errors they catch', () => {
    expect(renderMermaid(definition)).toContain('    SyncPair -. "States.ALL" .-> PairFailed\n');
    expect(renderMermaid(awkward)).toContain('    Items__Work -. "Timeout, States.TaskFailed" .-> s_end\n');
  });

  it('draws Succeed and Fail states as end nodes, a Fail labelled with its error', () => {
    const text = renderMermaid(awkward);
    expect(text).toContain('  Done(["Done: succeeds"])\n');
    expect(text).toContain('  Failed(["Failed: fails with SyncFailed"])\n');
    expect(text).toContain('    s_end(["end: fails with Broke #lt;badly#gt;"])\n');
  });

  it('gives every node its own id when state names repeat across scopes, and edges only declared ids', () => {
    const { ids, targets } = parse(renderMermaid(awkward));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => id.endsWith('Work'))).toHaveLength(4);
    for (const target of targets) expect(ids).toContain(target);
  });

  it('writes only lines of a Mermaid flowchart, with quotes and brackets kept inside quoted labels', () => {
    for (const text of [renderMermaid(definition), renderMermaid(awkward)]) {
      const [header, ...lines] = text.trimEnd().split('\n');
      expect(header).toBe('flowchart TD');
      for (const line of lines) expect(line, line).toMatch(STATEMENT);
    }
    expect(renderMermaid(awkward)).toContain('("class #quot;x#quot; (y)")');
  });

  it('renders the same text for the same definition', () => {
    expect(renderMermaid(structuredClone(definition))).toBe(renderMermaid(definition));
  });
});

// The statements the renderer may write; an id never starts with a word Mermaid reserves.
const ID = '(?!(?:end|subgraph|graph|flowchart|style|linkStyle|classDef|class|click|call|href|default|interpolate|direction)(?![A-Za-z0-9_]))[A-Za-z][A-Za-z0-9_]*';
const LABEL = '"[^"`<>]*"';
const STATEMENT = new RegExp(`^(?:  )+(?:subgraph ${ID} \\[${LABEL}\\]|end|${ID}(?:\\[${LABEL}\\]|\\{${LABEL}\\}|\\(\\[${LABEL}\\]\\)|\\(${LABEL}\\))`
  + `|${ID} (?:-->|-- ${LABEL} -->|-\\. ${LABEL} \\.->) ${ID})$`);

interface Scope { name: string; children?: Scope[] }

/** The nesting of states the diagram shows: subgraphs with what they hold, and every node's id. */
function parse(text: string): { tree: Scope[]; ids: string[]; targets: string[] } {
  const root: Scope[] = [];
  const stack: Scope[][] = [root];
  const ids: string[] = [];
  const targets: string[] = [];
  for (const line of text.split('\n').map((raw) => raw.trim())) {
    const subgraph = /^subgraph (\w+) \["([^"]*)"\]$/.exec(line);
    const node = /^(\w+)[[{(]+"([^"]*)"[\]})]+$/.exec(line);
    const edge = /^(\w+) .*?(\w+)$/.exec(line);
    if (subgraph) {
      const scope = { name: stateName(subgraph[2]!), children: [] };
      ids.push(subgraph[1]!);
      stack.at(-1)!.push(scope);
      stack.push(scope.children);
    } else if (line === 'end') {
      stack.pop();
    } else if (node) {
      ids.push(node[1]!);
      stack.at(-1)!.push({ name: stateName(node[2]!) });
    } else if (edge && line.includes('->')) {
      targets.push(edge[1]!, edge[2]!);
    }
  }
  return { tree: root, ids, targets };
}

/** `PairOutOfSync: fails with OutOfSync` and `SyncPairs (Map over pairs)` are states PairOutOfSync and SyncPairs. */
function stateName(label: string): string {
  return label.replace(/#quot;/g, '"').replace(/(: (succeeds|fails|waits).*| \((Map|Parallel)\b.*\))$/, '');
}

function expectedTree(scope: AslScope): Scope[] {
  return Object.entries(scope.States).map(([name, state]) => {
    const items = state.ItemProcessor ?? state.Iterator;
    if (items) return { name, children: expectedTree(items) };
    const branches = state.Branches ?? [];
    if (branches.length === 1) return { name, children: expectedTree(branches[0]!) };
    if (branches.length > 1) return { name, children: branches.map((branch, index) => ({ name: `branch ${index + 1}`, children: expectedTree(branch) })) };
    return { name };
  });
}
