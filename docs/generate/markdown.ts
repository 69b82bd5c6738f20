// What the link check reads in a Markdown page: its headings' anchors, as GitHub makes them, and
// its links, outside code.

/** A link as written: `[text](target)`, with the line it is on. */
export interface Link {
  target: string;
  line: number;
}

/** The anchors of the page's headings, as GitHub makes them, in order; code blocks hold none. */
export function headingAnchors(page: string): string[] {
  const seen = new Map<string, number>();
  return proseLines(page).flatMap(({ text }) => {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(text);
    if (!heading) return [];
    const slug = githubSlug(heading[1]!);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    return [count === 0 ? slug : `${slug}-${count}`];
  });
}

/**
 * GitHub's anchor for a heading: its text as shown (code spans and link texts kept, markup
 * dropped), lower case, punctuation removed, each space a hyphen.
 */
export function githubSlug(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*]|<[^>]*>/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Every inline link of the page outside fenced code blocks and code spans. */
export function links(page: string): Link[] {
  return proseLines(page).flatMap(({ text, line }) => [...text.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map((match) => ({ target: match[1]!, line })));
}

/** The page's lines outside fenced code blocks, numbered from 1. */
function proseLines(page: string): Array<{ text: string; line: number }> {
  let fence: string | undefined;
  return page.split('\n').flatMap((text, index) => {
    const marker = /^\s*(```|~~~)/.exec(text)?.[1];
    if (marker && (fence === undefined || fence === marker)) {
      fence = fence === undefined ? marker : undefined;
      return [];
    }
    return fence === undefined ? [{ text, line: index + 1 }] : [];
  });
}
