// npm run diagram [-- --check]
// Writes the state machine's diagram into README.md between its markers; --check only compares (for CI).
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { AslScope } from './definition.ts';
import { renderMermaid, withDiagram } from './diagram.ts';
import { DEFINITION_FILE } from './runner.ts';

const README_FILE = new URL('../../README.md', import.meta.url);

try {
  const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } }, strict: true });
  const definition = JSON.parse(await readFile(DEFINITION_FILE, 'utf8')) as AslScope;
  const readme = await readFile(README_FILE, 'utf8');
  const rendered = withDiagram(readme, renderMermaid(definition));
  if (rendered === readme) {
    process.stdout.write('README.md: the diagram matches statemachine/sync.asl.json\n');
  } else if (values.check) {
    process.stderr.write('README.md: the diagram differs from statemachine/sync.asl.json; run npm run diagram and commit README.md\n');
    process.exitCode = 1;
  } else {
    await writeFile(README_FILE, rendered);
    process.stdout.write('README.md: diagram rewritten from statemachine/sync.asl.json\n');
  }
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
}
