// npm run docs [-- --check]: rewrites every generated section of README.md and docs/*.md from
// its source; --check only compares, and exits 1 naming each page that differs.
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { generatePages, ROOT } from './pages.ts';
import { SECTIONS } from './sections.ts';

try {
  const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } }, strict: true });
  const stale = (await generatePages(SECTIONS)).filter((page) => page.generated !== page.current);
  if (stale.length === 0) {
    process.stdout.write(`Every generated section is current (${SECTIONS.map((section) => section.name).join(', ')})\n`);
  } else if (values.check) {
    for (const page of stale) process.stderr.write(`${page.file} differs from its sources: run npm run docs and commit it\n`);
    process.exitCode = 1;
  } else {
    for (const page of stale) {
      await writeFile(`${ROOT}/${page.file}`, page.generated);
      process.stdout.write(`${page.file}: generated sections rewritten\n`);
    }
  }
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
}
