// Text-like values as JSON text: strings, string arrays and free JSON. The pools are full of
// what breaks naive encoders: unicode, quotes, backslashes, control characters, array syntax.

import type { Random } from './random.ts';

const WORDS = [
  'Sommer', 'Rabatt', 'Angebot', 'Aktion', 'Gutschein', 'Bundle', 'Zubehör', 'Übergröße', 'Straße',
  'café', 'crème brûlée', 'naïve', 'Ørsted', 'Ελλάδα', 'Москва', 'עברית', 'العربية', '東京',
  '特价商品', 'セール', '할인', '🎉', '👍🏽', '🇩🇪', '👨‍👩‍👧', 'say "cheese"', '"quoted"', "it's",
  "l'été", 'C:\\promo\\', 'back\\slash', 'line\nbreak', 'two\n\nlines', 'tab\tstop',
  'carriage\rreturn', 'crlf\r\n', '50% off', '<b>bold</b>', '{"not": "json"}', 'a,b', '{x,y}',
  'NULL', 'null', '½ price', '€9.99', 'zero\u200bwidth', 'para\u2028sep', '\u0001control',
  'x\u007fdel', '  spaced  ', '--', '/* */', "'); DROP TABLE promotions; --",
];

const ELEMENTS = [
  'plain', 'with space', 'comma,inside', '{braces}', '}', '{', 'quote"inside', "single'quote",
  'back\\slash', 'trailing\\', 'NULL', 'null', '', ' ', 'ünïcødé', '東京', '🎉', 'a"b,c{d}e\\f',
  'new\nline',
];

const KEYS = ['id', 'name', 'size', 'colour', 'tags', 'Größe', '色', 'key with space', 'quo"te', 'nested', 'a.b', ''];

const ESCAPED_WORDS = WORDS.map(escape);
const ESCAPED_ELEMENTS = ELEMENTS.map(escape);
const ESCAPED_KEYS = KEYS.map(escape);

export function stringValue(random: Random): string {
  if (random.chance(3)) return '""';
  let text = '"' + random.pick(ESCAPED_WORDS);
  for (let words = random.below(5); words > 0; words--) text += ' ' + random.pick(ESCAPED_WORDS);
  return text + '"';
}

/** A string that is unique for the id, for string keys. */
export function stringKey(id: number): string {
  return '"key-' + id + '"';
}

export function stringArrayValue(random: Random): string {
  const length = random.chance(50) ? 0 : 1 + random.below(3);
  if (length === 0) return '[]';
  let text = '["' + random.pick(ESCAPED_ELEMENTS) + '"';
  for (let i = 1; i < length; i++) text += ',"' + random.pick(ESCAPED_ELEMENTS) + '"';
  return text + ']';
}

/** Any JSON value: mostly objects, sometimes an array or a bare scalar at the top. */
export function jsonValue(random: Random): string {
  const shape = random.below(100);
  if (shape < 60) return jsonObject(random, 2);
  if (shape < 80) return jsonArray(random, 2);
  return jsonScalar(random);
}

function jsonObject(random: Random, depth: number): string {
  const size = random.below(5);
  const start = random.below(ESCAPED_KEYS.length);
  const members: string[] = [];
  for (let i = 0; i < size; i++) {
    const key = ESCAPED_KEYS[(start + i) % ESCAPED_KEYS.length];
    members.push('"' + key + '":' + jsonMember(random, depth));
  }
  return '{' + members.join(',') + '}';
}

function jsonArray(random: Random, depth: number): string {
  const members: string[] = [];
  for (let size = random.below(4); size > 0; size--) members.push(jsonMember(random, depth));
  return '[' + members.join(',') + ']';
}

function jsonMember(random: Random, depth: number): string {
  if (depth > 0 && random.chance(25)) {
    return random.chance(50) ? jsonObject(random, depth - 1) : jsonArray(random, depth - 1);
  }
  return jsonScalar(random);
}

function jsonScalar(random: Random): string {
  switch (random.below(6)) {
    case 0: return '"' + random.pick(ESCAPED_WORDS) + '"';
    case 1: return String(random.below(2_000_000) - 1_000_000);
    case 2: return String((random.fraction() - 0.5) * 1000);
    case 3: return 'true';
    case 4: return 'false';
    default: return 'null';
  }
}

function escape(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}
