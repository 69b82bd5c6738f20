// The pages that hold generated sections, and how a section is written between its markers:
// `<!-- name:start … -->` and `<!-- name:end -->`, everything between them being the generator's.
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A part of a page written by `npm run docs`: its marker name, where it comes from, its text. */
export interface Section {
  name: string;
  source: string;
  render(): Promise<string>;
}

export interface Page {
  /** Relative to the project root, e.g. `docs/aws.md`. */
  file: string;
  current: string;
  generated: string;
}

/** README.md and every docs/*.md, relative to the project root. */
export async function pageFiles(root = ROOT): Promise<string[]> {
  const docs = (await readdir(`${root}/docs`)).filter((name) => name.endsWith('.md')).sort();
  return ['README.md', ...docs.map((name) => `docs/${name}`)];
}

/** Every page as it is and as `npm run docs` would write it; fails on a section no page holds. */
export async function generatePages(sections: Section[], root = ROOT): Promise<Page[]> {
  const texts = new Map<string, string>();
  for (const section of sections) {
    const text = await section.render();
    texts.set(section.name, text.endsWith('\n') ? text : `${text}\n`);
  }
  const used = new Set<string>();
  const pages: Page[] = [];
  for (const file of await pageFiles(root)) {
    const current = await readFile(`${root}/${file}`, 'utf8');
    const generated = withSections(file, current, sections, texts);
    for (const name of markerNames(current)) used.add(name);
    pages.push({ file, current, generated });
  }
  const missing = sections.filter((section) => !used.has(section.name));
  if (missing.length > 0) {
    throw new Error(`No page holds the generated section${missing.length > 1 ? 's' : ''} ${missing.map((section) => section.name).join(', ')}: put ${missing.map((section) => `${startMarker(section)} ${endMarker(section.name)}`).join(' and ')} where it belongs`);
  }
  return pages;
}

/** The page with each generated section's text between its markers, and nothing else changed. */
export function withSections(file: string, page: string, sections: Section[], texts: Map<string, string>): string {
  let result = '';
  let rest = page;
  for (let start = START.exec(rest); start !== null; start = START.exec(rest)) {
    const name = start[1]!;
    const section = sections.find((candidate) => candidate.name === name);
    if (!section) throw new Error(`${file}: there is no generated section "${name}" (there are ${sections.map((known) => known.name).join(', ')})`);
    const end = rest.indexOf(`\n${endMarker(name)}`, start.index) + 1;
    if (end === 0) throw new Error(`${file}: ${start[0]} has no ${endMarker(name)} after it`);
    result += `${rest.slice(0, start.index)}${startMarker(section)}\n${texts.get(name)}`;
    rest = rest.slice(end);
  }
  return result + rest;
}

export function startMarker(section: Pick<Section, 'name' | 'source'>): string {
  return `<!-- ${section.name}:start: generated from ${section.source} by npm run docs -->`;
}

export function endMarker(name: string): string {
  return `<!-- ${name}:end -->`;
}

// A marker starts a line. Non-global on purpose: each search starts where the last section ended.
const START = /^<!-- ([a-z][a-z0-9-]*):start\b[^>]*-->/m;

function markerNames(page: string): string[] {
  return [...page.matchAll(new RegExp(START.source, 'gm'))].map((match) => match[1]!);
}
