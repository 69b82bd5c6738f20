// API timestamps stay strings from the wire to the database and back: a JS Date keeps
// milliseconds only, and a watermark that loses its microseconds re-reads or misses items.

const WIRE = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?$/;

/** Normalises an API or database timestamp to the wire format with six fractional digits. */
export function toWireTimestamp(value: string): string {
  const match = WIRE.exec(value.trim());
  if (!match) throw new RangeError(`"${value}" is not a timestamp like 2025-07-01T16:01:00.827904`);
  const [, date, time, fraction = ''] = match;
  return `${date}T${time}.${fraction.padEnd(6, '0')}`;
}

export function isWireTimestamp(value: string): boolean {
  return WIRE.test(value);
}

/** SQL that renders a TIMESTAMP expression in the wire format, exactly. */
export function wireTimestampSql(expression: string): string {
  return `to_char(${expression}, 'YYYY-MM-DD"T"HH24:MI:SS.US')`;
}
