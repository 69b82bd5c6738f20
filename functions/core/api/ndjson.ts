// Newline-delimited JSON, split as it streams: constant memory whatever the body's size.

/**
 * Yields the non-blank lines of a byte stream, with their 1-based line numbers. Lines may be
 * split across chunks (even inside a multi-byte character), end in LF or CRLF, or lack a final newline.
 */
export async function* splitLines(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<{ line: string; number: number }> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pending = '';
  let number = 0;
  for await (const chunk of chunks) {
    const text = pending + decoder.decode(chunk, { stream: true });
    let start = 0;
    let end = text.indexOf('\n');
    while (end !== -1) {
      number += 1;
      const line = trimCarriageReturn(text.slice(start, end));
      if (!isBlank(line)) yield { line, number };
      start = end + 1;
      end = text.indexOf('\n', start);
    }
    pending = text.slice(start);
  }
  pending += decoder.decode();
  if (!isBlank(pending)) yield { line: trimCarriageReturn(pending), number: number + 1 };
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

function trimCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

function isBlank(line: string): boolean {
  return line.trim() === '';
}
