// The reference tables of the docs, each rendered from the code it describes: the configuration
// variables and CDK context keys from their zod schemas, the errors from errors.ts and the ASL,
// the column types from column-types.ts.
import ts from 'typescript';
import type * as z from 'zod';
import type { ColumnType } from '../../functions/core/db/column-types.ts';
import { taskStateEntries, type Retrier } from '../../statemachine/local/definition.ts';

/** A Markdown table; `|` inside a cell is escaped. */
export function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |\n`;
  return `${line(header)}|${header.map(() => '---').join('|')}|\n${rows.map(line).join('')}`;
}

/**
 * One row per setting: its name, its default and its meaning. The default is zod's own; without
 * one, the schema's `unset` metadata says what leaving it unset means ("(required)" when zod
 * refuses it unset, "none" when it may be left out). The meaning is the schema's description.
 */
export function settingsTable(heading: string, shape: Record<string, z.ZodType>): string {
  const rows = Object.entries(shape).map(([name, schema]) => {
    const meta = schema.meta() ?? {};
    if (!meta.description) throw new Error(`${name} has no description: give its schema .meta({ description: '…' }) beside its rule`);
    return [`\`${name}\``, defaultOf(schema, meta), meta.description];
  });
  return markdownTable([heading, 'default', 'meaning'], rows);
}

function defaultOf(schema: z.ZodType, meta: Record<string, unknown>): string {
  const def = schema.def as { type: string; defaultValue?: unknown };
  if (def.type === 'default') return `\`${String(def.defaultValue)}\``;
  if (typeof meta.unset === 'string') return meta.unset;
  return schema.safeParse(undefined).success ? 'none' : '(required)';
}

/** An error class of errors.ts: its fixed `name` and its doc comment. */
export interface ErrorDoc {
  name: string;
  meaning: string;
}

/** Every class of the source that extends FocusSyncError, with its `name` string and its doc comment as one line. */
export function errorDocs(source: string, fileName = 'errors.ts'): ErrorDoc[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true);
  return file.statements.filter(ts.isClassDeclaration)
    .filter((node) => node.heritageClauses?.some((clause) => clause.types.some((type) => type.expression.getText(file) === 'FocusSyncError')))
    .map((node) => {
      const className = node.name?.text ?? '(anonymous)';
      const nameProperty = node.members.find((member) => ts.isPropertyDeclaration(member) && member.name.getText(file) === 'name') as ts.PropertyDeclaration | undefined;
      if (!nameProperty?.initializer || !ts.isStringLiteral(nameProperty.initializer)) throw new Error(`${fileName}: ${className} has no fixed name = '…'`);
      const comment = ts.getJSDocCommentsAndTags(node).map((doc) => (ts.isJSDoc(doc) ? ts.getTextOfJSDocComment(doc.comment) ?? '' : '')).join(' ');
      if (!comment.trim()) throw new Error(`${fileName}: ${className} has no doc comment saying what it means`);
      return { name: nameProperty.initializer.text, meaning: comment.replace(/\s+/g, ' ').trim() };
    });
}

/** One row per error: its name, its meaning, and whether and how the state machine retries it. */
export function errorTable(errors: ErrorDoc[], definition: { States: Record<string, unknown> }): string {
  const tasks = taskStateEntries(definition).map(([name, state]): [string, Retrier[]] => [name, state.Retry ?? []]);
  return markdownTable(['error', 'meaning', 'retried'], errors.map((error) => [`\`${error.name}\``, error.meaning, retried(error.name, tasks)]));
}

/** "no", or how the state machine retries the error, read from each Task state's first matching retrier. */
export function retried(error: string, tasks: Array<[string, Retrier[]]>): string {
  const byPolicy = new Map<string, string[]>();
  for (const [state, retriers] of tasks) {
    // Step Functions applies the first retrier whose ErrorEquals matches.
    const retrier = retriers.find((candidate) => candidate.ErrorEquals.some((name) => [error, 'States.ALL', 'States.TaskFailed'].includes(name)));
    if (!retrier || retrier.MaxAttempts === 0) continue;
    const policy = describePolicy(retrier);
    byPolicy.set(policy, [...(byPolicy.get(policy) ?? []), state]);
  }
  if (byPolicy.size === 0) return 'no';
  const where = (states: string[]) => (states.length === tasks.length ? 'in every step' : `in ${states.join(', ')}`);
  return `yes: by the state machine ${[...byPolicy].map(([policy, states]) => `${where(states)}, ${policy}`).join('; ')}`;
}

function describePolicy(retrier: Retrier): string {
  const attempts = retrier.MaxAttempts ?? 3;
  const interval = retrier.IntervalSeconds ?? 1;
  const rate = retrier.BackoffRate ?? 2;
  return [
    `${attempts} more ${attempts === 1 ? 'try' : 'tries'}`,
    rate === 1 ? `every ${interval} s` : `${interval} s × ${rate}ⁿ apart`,
    ...(retrier.JitterStrategy === 'FULL' ? ['with jitter'] : []),
    ...(retrier.MaxDelaySeconds ? [`at most ${retrier.MaxDelaySeconds} s`] : []),
  ].join(', ');
}


/** One row per PostgreSQL type, with the API types that become it, and what an unknown type becomes. */
export function columnTypeTable(types: Readonly<Record<string, ColumnType>>, unknown: ColumnType): string {
  const bySql = new Map<string, { names: string[]; notes: Set<string> }>();
  for (const [name, type] of Object.entries(types)) {
    const row = bySql.get(type.sql) ?? { names: [], notes: new Set<string>() };
    row.names.push(`\`${name}\``);
    if (type.note) row.notes.add(type.note);
    bySql.set(type.sql, row);
  }
  const rows = [...bySql].map(([sql, { names, notes }]) => [names.join(', '), `\`${sql}\`${notes.size > 0 ? ` (${[...notes].join('; ')})` : ''}`]);
  return markdownTable(['API type', 'PostgreSQL type'], [...rows, ['anything else', `\`${unknown.sql}\`, with a warning in BuildDbSchema's output`]]);
}
