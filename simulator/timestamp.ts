// The API's timestamps as integer microseconds since the epoch (exact in a double until the
// year 2255) and their wire form, 'YYYY-MM-DDTHH:MM:SS.ffffff' with no zone.

export const MICROS_PER_SECOND = 1_000_000;
export const JULY_2025 = Date.UTC(2025, 6, 1) * 1000;

const WIRE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;
const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, '0'));
const dayPrefixes = new Map<number, string>();
// 'HH:MM:SS.' per second of the day, filled as seconds are met: formatting is on the hot path.
const timesOfDay: string[] = [];

export function formatMicros(micros: number): string {
  const seconds = Math.floor(micros / MICROS_PER_SECOND);
  const day = Math.floor(seconds / 86400);
  return (
    dayPrefix(day) + timeOfDay(seconds - day * 86400) + String(MICROS_PER_SECOND + micros - seconds * MICROS_PER_SECOND).slice(1)
  );
}

/** 'YYYY-MM-DD' of a day number since the epoch. */
export function formatDay(day: number): string {
  return dayPrefix(day).slice(0, 10);
}

/** Accepts `T` or a space as separator and 0-6 fractional digits; undefined if not a timestamp. */
export function parseTimestamp(text: string): number | undefined {
  const match = WIRE.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number, number, number, number, number, number,
  ];
  const millis = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(millis);
  const valid =
    check.getUTCFullYear() === year && check.getUTCMonth() === month - 1 && check.getUTCDate() === day &&
    check.getUTCHours() === hour && check.getUTCMinutes() === minute && check.getUTCSeconds() === second;
  if (!valid) return undefined;
  return millis * 1000 + Number((match[7] ?? '').padEnd(6, '0'));
}

function timeOfDay(second: number): string {
  let text = timesOfDay[second];
  if (text === undefined) {
    const minutes = Math.floor(second / 60);
    text = `${TWO_DIGITS[Math.floor(minutes / 60)]}:${TWO_DIGITS[minutes % 60]}:${TWO_DIGITS[second % 60]}.`;
    timesOfDay[second] = text;
  }
  return text;
}

function dayPrefix(day: number): string {
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    prefix = new Date(day * 86_400_000).toISOString().slice(0, 11);
    dayPrefixes.set(day, prefix);
  }
  return prefix;
}
