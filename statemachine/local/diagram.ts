// The ASL as a Mermaid flowchart: the README's picture of the flow is rendered from the file that
// runs (npm run docs), so it cannot drift from it (test/docs/generated.test.ts fails when it does).
import type { AslScope, AslState, ChoiceRule } from './definition.ts';

/** The state machine as a Mermaid `flowchart TD`, ending in a newline; same definition, same text. */
export function renderMermaid(definition: AslScope): string {
  return ['flowchart TD', ...scopeLines(definition, '', new NodeIds(), 1), ''].join('\n');
}

// Mermaid reads these words as keywords wherever an id starts with them ("classify" breaks a chart).
const KEYWORDS = /^(end|subgraph|graph|flowchart|style|linkStyle|classDef|class|click|call|href|default|interpolate|direction|_)/;
const OPERATORS: Record<string, string> = { Equals: '=', LessThan: '<', GreaterThan: '>', LessThanEquals: '<=', GreaterThanEquals: '>=' };
const SHAPES: Record<string, [string, string]> = {
  Choice: ['{', '}'], Succeed: ['([', '])'], Fail: ['([', '])'], Pass: ['(', ')'], Wait: ['(', ')'],
};

/** Mermaid ids, unique across the whole chart: a state's own name while it is free, else scoped by its parent. */
class NodeIds {
  private readonly taken = new Set<string>();

  claim(name: string, scopeId: string): string {
    const own = name.replace(/[^A-Za-z0-9_]/g, '_');
    const safe = KEYWORDS.test(own) || !/^[A-Za-z]/.test(own) ? `s_${own}` : own;
    const candidates = [safe, ...(scopeId ? [`${scopeId}__${own}`] : [])];
    let id = candidates.find((candidate) => !this.taken.has(candidate));
    for (let n = 2; id === undefined; n += 1) id = this.taken.has(`${safe}_${n}`) ? undefined : `${safe}_${n}`;
    this.taken.add(id);
    return id;
  }
}

// Nodes first, then edges: an edge naming a Map or Parallel before its subgraph would make it a plain node.
function scopeLines(scope: AslScope, scopeId: string, ids: NodeIds, depth: number): string[] {
  const idOf = new Map(Object.keys(scope.States).map((name) => [name, ids.claim(name, scopeId)]));
  const target = (from: string, name: string): string => {
    const id = idOf.get(name);
    if (id === undefined) throw new Error(`State ${from} goes to ${name}, which is not a state of its scope`);
    return id;
  };
  const states = Object.entries(scope.States);
  const indent = '  '.repeat(depth);
  return [
    ...states.flatMap(([name, state]) => stateLines(name, state, idOf.get(name)!, ids, depth)),
    ...states.flatMap(([name, state]) => edges(state, (next) => target(name, next)).map((edge) => `${indent}${idOf.get(name)} ${edge}`)),
  ];
}

function stateLines(name: string, state: AslState, id: string, ids: NodeIds, depth: number): string[] {
  const indent = '  '.repeat(depth);
  const subgraph = (title: string, body: string[]) => [`${indent}subgraph ${id} ["${text(title)}"]`, ...body, `${indent}end`];
  if (state.Type === 'Map') {
    const items = state.ItemProcessor ?? state.Iterator;
    if (!items) throw new Error(`Map state ${name} has no ItemProcessor`);
    return subgraph(`${name} (${mapSummary(state)})`, scopeLines(items, id, ids, depth + 1));
  }
  if (state.Type === 'Parallel') {
    const branches = state.Branches ?? [];
    // One branch is the common "wrap a flow to catch its failure" idiom: a box around it says enough.
    if (branches.length === 1) return subgraph(`${name} (Parallel)`, scopeLines(branches[0]!, id, ids, depth + 1));
    return subgraph(`${name} (Parallel, ${branches.length} branches)`, branches.flatMap((branch, index) => {
      const branchId = ids.claim(`${id}_branch${index + 1}`, '');
      const inner = '  '.repeat(depth + 1);
      return [`${inner}subgraph ${branchId} ["branch ${index + 1}"]`, ...scopeLines(branch, branchId, ids, depth + 2), `${inner}end`];
    }));
  }
  const [open, close] = SHAPES[state.Type] ?? ['[', ']'];
  return [`${indent}${id}${open}"${text(stateLabel(name, state))}"${close}`];
}

function stateLabel(name: string, state: AslState): string {
  if (state.Type === 'Succeed') return `${name}: succeeds`;
  if (state.Type === 'Fail') {
    if (state.Error !== undefined) return `${name}: fails with ${state.Error}`;
    return state.ErrorPath !== undefined ? `${name}: fails with the error at ${readablePath(state.ErrorPath)}` : `${name}: fails`;
  }
  return state.Type === 'Wait' ? `${name}: waits` : name;
}

function mapSummary(state: AslState): string {
  const over = `Map over ${readablePath(state.ItemsPath ?? '$')}`;
  if (state.MaxConcurrency) return `${over}, ${state.MaxConcurrency} at a time`;
  return state.MaxConcurrencyPath ? `${over}, ${readablePath(state.MaxConcurrencyPath)} at a time` : over;
}

/** The arrows leaving a state, each as `--> target` with its label. */
function edges(state: AslState, target: (name: string) => string): string[] {
  return [
    ...(state.Choices ?? []).map((rule) => `-- "${text(condition(rule))}" --> ${target(rule.Next ?? '')}`),
    ...(state.Default !== undefined ? [`-- "otherwise" --> ${target(state.Default)}`] : []),
    ...(state.Next !== undefined ? [`--> ${target(state.Next)}`] : []),
    ...(state.Catch ?? []).map((rule) => `-. "${text(rule.ErrorEquals.join(', '))}" .-> ${target(rule.Next)}`),
  ];
}

/** `$.load == "full"` reads `load = full`; combinations read `a and b`, `not (a)`. */
function condition(rule: ChoiceRule): string {
  if (rule.Condition !== undefined) return rule.Condition.replace(/^\{%\s*|\s*%\}$/g, '');
  if (rule.And) return rule.And.map(operand).join(' and ');
  if (rule.Or) return rule.Or.map(operand).join(' or ');
  if (rule.Not) return `not (${condition(rule.Not)})`;
  const variable = readablePath(rule.Variable ?? '$');
  for (const [key, value] of Object.entries(rule)) {
    const comparison = /^(?:String|Numeric|Boolean|Timestamp)(Equals|LessThan|GreaterThan|LessThanEquals|GreaterThanEquals)(Path)?$/.exec(key);
    if (comparison) return `${variable} ${OPERATORS[comparison[1]!]} ${comparison[2] ? readablePath(String(value)) : literal(value)}`;
    if (key === 'StringMatches') return `${variable} matches ${literal(value)}`;
    const test = /^Is(Null|Present|Numeric|String|Boolean|Timestamp)$/.exec(key);
    if (test) return `${variable} is ${value === false ? 'not ' : ''}${test[1]!.toLowerCase()}`;
  }
  throw new Error(`Cannot draw the Choice rule ${JSON.stringify(rule)}: it has no comparison the diagram knows`);
}

function operand(rule: ChoiceRule): string {
  return rule.And || rule.Or ? `(${condition(rule)})` : condition(rule);
}

function readablePath(path: string): string {
  if (path === '$') return 'input';
  return path.startsWith('$.') ? path.slice(2) : path;
}

function literal(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Text inside a quoted Mermaid label: no raw quote ends it early, no `<` is read as HTML. */
function text(value: string): string {
  return value.replace(/\s+/g, ' ').replace(/#/g, '#35;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;').replace(/`/g, '#96;');
}
