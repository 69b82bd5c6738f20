// Newline-delimited JSON, split as it streams: constant memory whatever the body's size.

/** The lines of one received chunk: `lines[i]` is line number `first + i` (1-based), blank ones included. */
export interface LineBatch {
  first: number;
  lines: string[];
}

/**
 * Splits a byte stream into lines, a batch per received chunk (so that nothing downstream pays a
 * promise per line). Lines may be split across chunks (even inside a multi-byte character), end in
 * LF or CRLF, or lack a final newline; skip blank ones with isBlankLine.
 */
export async function* splitLines(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<LineBatch> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pending = '';
  let next = 1;
  for await (const chunk of chunks) {
    const text = pending + decoder.decode(chunk, { stream: true });
    const lines: string[] = [];
    let start = 0;
    let end = text.indexOf('\n');
    while (end !== -1) {
      lines.push(text.charCodeAt(end - 1) === CARRIAGE_RETURN ? text.slice(start, end - 1) : text.slice(start, end));
      start = end + 1;
      end = text.indexOf('\n', start);
    }
    pending = text.slice(start);
    if (lines.length > 0) {
      yield { first: next, lines };
      next += lines.length;
    }
  }
  pending += decoder.decode();
  if (!isBlankLine(pending)) yield { first: next, lines: [trimCarriageReturn(pending)] };
}

/** True for a line of nothing but whitespace (which NDJSON readers skip); cheap for the usual `{…`. */
export function isBlankLine(line: string): boolean {
  return line.charCodeAt(0) !== OPEN_BRACE && line.trim() === '';
}

/**
 * Parses one line at full speed. Integers beyond 2^53 come back rounded: the column encoders
 * notice (they throw InexactNumber) and the line is parsed again with parseLineExactly.
 */
export function parseLine(line: string): unknown {
  return JSON.parse(line);
}

/** Parses one line keeping integers beyond 2^53 exact, as their decimal string (several times slower). */
export function parseLineExactly(line: string): unknown {
  return JSON.parse(line, keepLargeIntegers);
}

function keepLargeIntegers(this: unknown, _key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value === 'number' && !Number.isSafeInteger(value) && context?.source && /^-?\d+$/.test(context.source)) {
    return context.source;
  }
  return value;
}

const CARRIAGE_RETURN = 13;
const OPEN_BRACE = 123;

function trimCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
