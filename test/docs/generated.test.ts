// The docs' reference sections are rendered from the code (npm run docs): a page that differs
// from what the generator would write is stale, and the renderers read what the code says.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as z from 'zod';
import { afterAll, describe, expect, it } from 'vitest';
import * as errors from '../../functions/core/errors.ts';
import { endMarker, generatePages, startMarker, withSections, type Section } from '../../docs/generate/pages.ts';
import { SECTIONS } from '../../docs/generate/sections.ts';
import { columnTypeTable, errorDocs, errorTable, settingsTable } from '../../docs/generate/tables.ts';

const temporary: string[] = [];
afterAll(() => Promise.all(temporary.map((directory) => rm(directory, { recursive: true, force: true }))));

const section = (name: string, text: string): Section => ({ name, source: `src/${name}.ts`, render: async () => text });

describe('npm run docs', () => {
  it('leaves every page as it is: README.md and docs/*.md are current with the code', async () => {
    const pages = await generatePages(SECTIONS);
    expect(pages.map((page) => page.file)).toEqual(expect.arrayContaining(['README.md', 'docs/configuration.md', 'docs/guarantees.md']));
    for (const page of pages) expect(page.current, `${page.file} differs from what npm run docs would write: run npm run docs and commit it`).toBe(page.generated);
  });

  it('rewrites only what lies between a section\'s markers, naming its source in the start marker', () => {
    const tables = section('tables', '| a |\n');
    const page = `# Title\n\n<!-- tables:start -->\nold\n${endMarker('tables')}\n\nAfter.\n`;
    expect(withSections('docs/x.md', page, [tables], new Map([['tables', '| a |\n']]))).toBe(
      `# Title\n\n${startMarker(tables)}\n| a |\n${endMarker('tables')}\n\nAfter.\n`,
    );
  });

  it('refuses a marker of no known section, and a start without its end, naming the page', () => {
    const known = [section('tables', '')];
    expect(() => withSections('docs/x.md', '<!-- tabels:start -->\n<!-- tabels:end -->\n', known, new Map())).toThrow('docs/x.md: there is no generated section "tabels" (there are tables)');
    expect(() => withSections('docs/x.md', '<!-- tables:start -->\n', known, new Map())).toThrow('docs/x.md: <!-- tables:start --> has no <!-- tables:end --> after it');
  });

  it('finds a stale page, and fails when a section is in no page at all', async () => {
    const root = await mkdtemp(join(tmpdir(), 'focus-sync-docs-'));
    temporary.push(root);
    await mkdir(join(root, 'docs'));
    await writeFile(join(root, 'README.md'), '# Title\n<!-- tables:start -->\n| old |\n<!-- tables:end -->\n');
    await writeFile(join(root, 'docs', 'page.md'), '# Page\n');
    const [readme, page] = await generatePages([section('tables', '| new |\n')], root);
    expect(readme!.generated).not.toBe(readme!.current);
    expect(readme!.generated).toContain('| new |\n<!-- tables:end -->');
    expect(page!.generated).toBe(page!.current);
    await expect(generatePages([section('tables', ''), section('other', '')], root)).rejects.toThrow('No page holds the generated section other');
  });
});

describe('the settings tables', () => {
  const schema = z.object({
    WITH_DEFAULT: z.coerce.number().default(4).meta({ description: 'a number' }),
    REQUIRED: z.string().meta({ description: 'must be given' }),
    OPTIONAL: z.string().optional().meta({ description: 'may be left out' }),
    SAID: z.string().optional().meta({ unset: 'the built-in simulator', description: 'has a default outside zod' }),
  });

  it('take each default from zod, or what the schema says being unset means, and the meaning from its description', () => {
    expect(settingsTable('variable', schema.shape)).toBe([
      '| variable | default | meaning |',
      '|---|---|---|',
      '| `WITH_DEFAULT` | `4` | a number |',
      '| `REQUIRED` | (required) | must be given |',
      '| `OPTIONAL` | none | may be left out |',
      '| `SAID` | the built-in simulator | has a default outside zod |',
      '',
    ].join('\n'));
  });

  it('refuse a setting without a description, naming it', () => {
    expect(() => settingsTable('variable', { UNDOCUMENTED: z.string() })).toThrow('UNDOCUMENTED has no description');
  });

  it('list every variable of the configuration schema, every field of the execution input and every CDK context key', async () => {
    const { environment } = await import('../../functions/core/config.ts');
    const { executionFields } = await import('../../functions/core/messages.ts');
    const { CONTEXT_KEYS } = await import('../../infra/context.ts');
    const page = await readFile(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    for (const name of [...Object.keys(environment.shape), 'FOCUS_LOG_LEVEL', ...Object.keys(executionFields.shape), ...CONTEXT_KEYS]) expect(page).toContain(`| \`${name}\` |`);
    expect(page).toContain('| `FOCUS_MAP_CONCURRENCY` | `4` |');
    expect(page).toContain('| `apiUrl` | (required) |');
  });
});

describe('the error table', () => {
  it('has a row for every error class that errors.ts exports, with its fixed name', async () => {
    const documented = errorDocs(await readFile(new URL('../../functions/core/errors.ts', import.meta.url), 'utf8')).map((error) => error.name);
    const exported = Object.values(errors)
      .filter((value): value is typeof errors.FocusSyncError => typeof value === 'function' && value.prototype instanceof errors.FocusSyncError)
      .map((ErrorClass) => new ErrorClass('').name);
    expect(documented.sort()).toEqual(exported.sort());
  });

  it('reads each meaning from the class\'s doc comment, and refuses a class without one', () => {
    const source = `export class FocusSyncError extends Error {}\n/**\n * The API is down:\n * try again.\n */\nexport class Down extends FocusSyncError {\n  override name = 'ApiDown';\n}\n`;
    expect(errorDocs(source)).toEqual([{ name: 'ApiDown', meaning: 'The API is down: try again.' }]);
    expect(() => errorDocs('export class Bare extends FocusSyncError {\n  override name = \'Bare\';\n}\n')).toThrow('Bare has no doc comment');
  });

  it('says "retried" from the ASL\'s Retry: which steps, how many tries, how far apart', () => {
    const retry = (errorEquals: string[], extra = {}) => [{ ErrorEquals: errorEquals, MaxAttempts: 2, IntervalSeconds: 5, BackoffRate: 2, ...extra }];
    const definition = {
      States: {
        First: { Type: 'Task', Retry: retry(['Flaky']) },
        Pairs: { Type: 'Map', ItemProcessor: { States: { Second: { Type: 'Task', Retry: [{ ErrorEquals: ['Other'] }, ...retry(['Flaky', 'OnlyHere'], { JitterStrategy: 'FULL' })] } } } },
        Last: { Type: 'Task', Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 1, IntervalSeconds: 3, BackoffRate: 1 }] },
        End: { Type: 'Succeed' },
      },
    };
    const rows = errorTable([{ name: 'Flaky', meaning: 'm' }, { name: 'OnlyHere', meaning: 'm' }, { name: 'Never', meaning: 'm' }], definition).split('\n');
    expect(rows[2]).toBe('| `Flaky` | m | yes: by the state machine in First, 2 more tries, 5 s × 2ⁿ apart; in Second, 2 more tries, 5 s × 2ⁿ apart, with jitter; in Last, 1 more try, every 3 s |');
    expect(rows[3]).toBe('| `OnlyHere` | m | yes: by the state machine in Second, 2 more tries, 5 s × 2ⁿ apart, with jitter; in Last, 1 more try, every 3 s |');
    expect(rows[4]).toBe('| `Never` | m | yes: by the state machine in Last, 1 more try, every 3 s |');
    const noCatchAll = { States: { First: definition.States.First } };
    expect(errorTable([{ name: 'Never', meaning: 'm' }], noCatchAll)).toContain('| `Never` | m | no |');
    expect(errorTable([{ name: 'Flaky', meaning: 'm' }], noCatchAll)).toContain('yes: by the state machine in every step, 2 more tries');
  });
});

describe('the column type table', () => {
  it('gives one row per PostgreSQL type with every API type that becomes it and their notes, then the fallback', () => {
    const encode = String;
    const table = columnTypeTable({
      int32: { sql: 'INTEGER', encode },
      time: { sql: 'TIMESTAMP', encode, note: 'microseconds kept' },
      int16: { sql: 'INTEGER', encode },
      datetime: { sql: 'TIMESTAMP', encode, note: 'microseconds kept' },
    }, { sql: 'JSONB', encode, unknown: true });
    expect(table.split('\n').slice(2)).toEqual([
      '| `int32`, `int16` | `INTEGER` |',
      '| `time`, `datetime` | `TIMESTAMP` (microseconds kept) |',
      '| anything else | `JSONB`, with a warning in BuildDbSchema\'s output |',
      '',
    ]);
  });
});
