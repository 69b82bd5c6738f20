// README.md is the front door, and every relative link and #anchor in it and in docs/ leads
// somewhere: to a file that exists, and to a heading that file has, as GitHub names headings.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { githubSlug, headingAnchors, links } from '../../docs/generate/markdown.ts';
import { pageFiles, ROOT } from '../../docs/generate/pages.ts';

const pages = new Map<string, string>();
for (const file of await pageFiles()) pages.set(file, await readFile(join(ROOT, file), 'utf8'));

describe('the documentation', () => {
  it('has a README of at most 200 lines', () => {
    expect(pages.get('README.md')!.split('\n').length).toBeLessThanOrEqual(200);
  });

  it('has pages whose every relative link and #anchor resolves', async () => {
    const broken: string[] = [];
    for (const [file, page] of pages) {
      for (const { target, line } of links(page)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: …
        const [path = '', anchor] = target.split('#');
        const resolved = path === '' ? file : normalize(join(dirname(file), decodeURIComponent(path)));
        const where = `${file}:${line}: ${target}`;
        if (!existsSync(join(ROOT, resolved))) {
          broken.push(`${where}: there is no ${resolved}`);
        } else if (anchor !== undefined && !headingAnchors(await readFile(join(ROOT, resolved), 'utf8')).includes(anchor)) {
          broken.push(`${where}: ${resolved} has no heading whose anchor is #${anchor}`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('finds a link to a missing page or heading, so the check above can fail', () => {
    const page = '# Title\n\nSee [this](#nowhere) and [that](#title).\n\n```sh\n# not a heading\n[x](#not-a-link)\n```\n';
    expect(links(page).map((link) => link.target)).toEqual(['#nowhere', '#title']);
    expect(headingAnchors(page)).toEqual(['title']);
  });
});

describe('GitHub heading anchors', () => {
  it('are lower case, without punctuation, with hyphens for spaces', () => {
    expect(githubSlug('How it differs from the vendor\'s reference client')).toBe('how-it-differs-from-the-vendors-reference-client');
    expect(githubSlug('Against the real API, with your own PostgreSQL')).toBe('against-the-real-api-with-your-own-postgresql');
    expect(githubSlug('`focus_sync.runs`: the ledger')).toBe('focus_syncruns-the-ledger');
    expect(githubSlug('Every fault, tested (and [linked](x.md))')).toBe('every-fault-tested-and-linked');
    expect(githubSlug('Cost — per month')).toBe('cost--per-month');
  });

  it('number repeated headings -1, -2 in order', () => {
    expect(headingAnchors('# Alarms\n## Fix\n## Fix\n### Fix\n')).toEqual(['alarms', 'fix', 'fix-1', 'fix-2']);
  });
});
