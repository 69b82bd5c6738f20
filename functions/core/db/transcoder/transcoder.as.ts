// AssemblyScript, compiled to WebAssembly by build.mjs (the result is in wasm.ts): API lines, as
// the UTF-8 bytes they arrived in, straight to COPY text, with no JavaScript string or object per
// line. It takes the usual line (one object of strings, numbers, booleans, nulls, arrays of
// strings, and nested JSON for json columns) and produces exactly what the JavaScript encoders in
// column-types.ts would, as PostgreSQL reads it. Anything else (a nested value in a column that is
// not json, an escaped key, a duplicate key, a number
// with an exponent, a value the column's encoder would refuse, a blank or malformed line) stops
// the run at that line, untouched, for the JavaScript path to encode or to name what is wrong.
// test/unit/db/transcoder.test.ts checks that both paths agree.
//
// Configured for COPY's binary format, it writes PostgreSQL's own binary form of each value
// instead (binaryValue), where PostgreSQL would read the text the same; any line it leaves then
// sends the load back to text (copy.ts). test/integration/binary-copy.test.ts compares the two
// loads row by row.
//
// Memory, laid out by transcoder.ts: the column table from 0 (COLUMN_BYTES per column: kind,
// key flag, name length, name address), column names, then scratch, input and output regions.

// Column kinds; 0 (or anything else) is not handled here.
const INT64: u8 = 1;
const INT32: u8 = 2;
const INT16: u8 = 3;
const FLOAT64: u8 = 4;
const TEXT: u8 = 5;
const BOOL: u8 = 6;
const DATE: u8 = 7;
const TIMESTAMP: u8 = 8;
const TEXT_ARRAY: u8 = 9;
const UUID: u8 = 10;
const BYTES: u8 = 11;
const FLOAT32: u8 = 12;
const JSON_VALUE: u8 = 13;

// run() results.
const DONE: i32 = 0;
const OUTPUT_FULL: i32 = 1;
const NEEDS_JS: i32 = 2;

// Values are copied and scanned 16 bytes at a time: a copy may write up to 15 bytes past its
// end (which the next write overwrites), and reads never look past the line.
const BLOCK: usize = 16;

const COLUMN_BYTES: usize = 16;
// In a column's entry, after what transcoder.ts writes: 1 when its name needs no JSON escape.
const PLAIN_NAME: usize = 8;
const MAX_COLUMNS: i32 = 1024;
// Per column while a line is scanned: where its encoded value starts in scratch, and its length.
const VALUES: usize = COLUMN_BYTES * <usize>MAX_COLUMNS;
const ABSENT: i32 = -1;
const FAILED: usize = <usize>-1;

const BINARY_COLUMN_BYTES: usize = 32;
const QUOTE: u8 = 0x22;
const BACKSLASH: u8 = 0x5c;
const LF: u8 = 0x0a;
const CR: u8 = 0x0d;
const TAB: u8 = 0x09;

let columns: i32 = 0;
// COPY's binary format instead of text: each row its field count, each value its length (-1 for
// NULL) and PostgreSQL's own binary form of it.
let binary = false;
let scratchStart: usize = 0;
let scratch: usize = 0;
let cursor: usize = 0;
let inputEnd: usize = 0;
let outputStart: usize = 0;
let output: usize = 0;
let outputEnd: usize = 0;
let lines: i32 = 0;
let stopStart: usize = 0;
let stopEnd: usize = 0;

/** Once per load, after the column table is written. */
export function configure(count: i32, scratchAt: usize, binaryFormat: bool): void {
  columns = count;
  binary = binaryFormat;
  scratchStart = scratchAt;
  // A name JSON writes as it is (no quote, backslash or control character) can be matched
  // against a key's raw bytes; any other is looked up through plainStringEnd, which leaves an
  // escaped key to JavaScript.
  for (let column = 0; column < columns; column++) {
    const entry = <usize>column * COLUMN_BYTES;
    const name = <usize>load<u32>(entry, 4);
    let plain: u8 = 1;
    for (let index: usize = 0; index < <usize>load<u16>(entry, 2); index++) {
      const byte = load<u8>(name + index);
      if (byte < 0x20 || byte == QUOTE || byte == BACKSLASH) plain = 0;
    }
    store<u8>(entry, plain, PLAIN_NAME);
  }
}

/** Before each batch of complete lines: where they are, and where their COPY text goes. */
export function start(inputAt: usize, inputLength: usize, outputAt: usize, outputLength: usize): void {
  cursor = inputAt;
  inputEnd = inputAt + inputLength;
  outputStart = outputAt;
  output = outputAt;
  outputEnd = outputAt + outputLength;
  lines = 0;
}

/** After OUTPUT_FULL, once the caller has taken the output: write from the start again. */
export function resetOutput(): void {
  output = outputStart;
}

export function outputLength(): usize {
  return output - outputStart;
}

/** Lines consumed since start(), the one handed to JavaScript included. */
export function linesDone(): i32 {
  return lines;
}

export function stoppedAt(): usize {
  return stopStart;
}

export function stoppedEnd(): usize {
  return stopEnd;
}

/** Encodes lines until the input ends (DONE), the output cannot take the next one (OUTPUT_FULL) or one needs JavaScript (NEEDS_JS). */
export function run(): i32 {
  while (cursor < inputEnd) {
    const end = newline(cursor, inputEnd);
    const next = end < inputEnd ? end + 1 : end;
    let lineEnd = end;
    if (lineEnd > cursor && load<u8>(lineEnd - 1) == CR) lineEnd--;
    // At most two bytes out for one in (a JSON "\\" in an array element), "\N" and a separator
    // per column, and a block a copy may write past the end. In binary, a length per value and
    // at most 12 bytes for the shortest ("0": a float64), an array's header, a field count.
    const worst: usize = (lineEnd - cursor) * 2 + <usize>columns * (binary ? BINARY_COLUMN_BYTES : 3) + 2 + BLOCK;
    if (outputEnd - output < worst) return OUTPUT_FULL;
    const written = encodeLine(cursor, lineEnd);
    lines++;
    if (written == FAILED) {
      stopStart = cursor;
      stopEnd = end;
      cursor = next;
      return NEEDS_JS;
    }
    output = written;
    cursor = next;
  }
  return DONE;
}

/** The line's COPY text at `output`; returns where it ends, or FAILED when the line needs JavaScript. */
function encodeLine(from: usize, end: usize): usize {
  const written = encodeObject(from, end, true);
  return written == OUT_OF_ORDER ? encodeObject(from, end, false) : written;
}

const OUT_OF_ORDER: usize = <usize>-2;

/**
 * `inOrder`, for the usual line, whose keys come in the columns' order (some perhaps absent,
 * others unknown): each value is written straight to the output, after the NULLs of the columns
 * it skipped. A key that comes back to an earlier column, or a line without a key column, is
 * OUT_OF_ORDER, to be encoded again without `inOrder`: each value then goes to scratch as its key
 * comes, and all of them to the output in the columns' order at the end.
 */
function encodeObject(from: usize, end: usize, inOrder: bool): usize {
  if (inOrder) {
    scratch = output;
    if (binary) emit16(<u16>columns);
  } else {
    for (let column = 0; column < columns; column++) store<i32>(VALUES + <usize>column * 8, ABSENT);
    scratch = scratchStart;
  }
  // In order, the next column to write; else the column whose key is likely to come next.
  let next = 0;
  let at = skipSpace(from, end);
  if (at >= end || load<u8>(at) != 0x7b) return FAILED;
  at = skipSpace(at + 1, end);
  if (at < end && load<u8>(at) == 0x7d) {
    at++;
  } else {
    while (true) {
      let column = next;
      let nameEnd = next < columns ? matchName(next, at, end) : FAILED;
      if (nameEnd == FAILED) {
        nameEnd = plainStringEnd(at, end);
        if (nameEnd == FAILED) return FAILED;
        column = findColumn(at + 1, nameEnd - at - 1);
        if (inOrder && column >= 0 && column < next) return OUT_OF_ORDER;
      }
      at = skipSpace(nameEnd + 1, end);
      if (at >= end || load<u8>(at) != 0x3a) return FAILED;
      at = skipSpace(at + 1, end);
      if (column < 0) {
        at = skipScalar(at, end);
      } else if (inOrder) {
        if (!nullsUntil(next, column)) return OUT_OF_ORDER;
        if (column > 0 && !binary) emit(TAB);
        at = encodeValue(column, at, end);
        next = column + 1;
      } else {
        const slot = VALUES + <usize>column * 8;
        if (load<i32>(slot) != ABSENT) return FAILED;
        const valueStart = scratch;
        at = encodeValue(column, at, end);
        store<i32>(slot, <i32>valueStart);
        store<i32>(slot, <i32>(scratch - valueStart), 4);
        next = column + 1;
      }
      if (at == FAILED) return FAILED;
      at = skipSpace(at, end);
      if (at >= end) return FAILED;
      const separator = load<u8>(at);
      if (separator == 0x2c) {
        at = skipSpace(at + 1, end);
        continue;
      }
      if (separator != 0x7d) return FAILED;
      at++;
      break;
    }
  }
  if (skipSpace(at, end) != end) return FAILED;
  if (!inOrder) return valuesInOrder();
  if (!nullsUntil(next, columns)) return OUT_OF_ORDER;
  if (!binary) emit(LF);
  return scratch;
}

/** NULL for each column from `from` to before `to`, each after its separator; false when one of them is a key column. */
function nullsUntil(from: i32, to: i32): bool {
  for (let column = from; column < to; column++) {
    if (load<u8>(<usize>column * COLUMN_BYTES, 1) != 0) return false;
    emitNull(column);
  }
  return true;
}

/** The values in scratch written to the output in the columns' order (NULL for absent ones); FAILED when a key column is absent. */
function valuesInOrder(): usize {
  let out = output;
  if (binary) {
    store<u16>(out, bswap<u16>(<u16>columns));
    out += 2;
  }
  for (let column = 0; column < columns; column++) {
    if (column > 0 && !binary) store<u8>(out++, TAB);
    const slot = VALUES + <usize>column * 8;
    const start = load<i32>(slot);
    if (start == ABSENT) {
      if (load<u8>(<usize>column * COLUMN_BYTES, 1) != 0) return FAILED;
      if (binary) {
        store<i32>(out, -1);
        out += 4;
      } else {
        store<u8>(out++, BACKSLASH);
        store<u8>(out++, 0x4e);
      }
    } else {
      const length = <usize>load<i32>(slot, 4);
      copyBlocks(out, <usize>start, length);
      out += length;
    }
  }
  if (!binary) store<u8>(out++, LF);
  return out;
}

/** Where the key at `at` closes when it is the column's own name, written as it is; else FAILED. */
function matchName(column: i32, at: usize, end: usize): usize {
  const entry = <usize>column * COLUMN_BYTES;
  const length = <usize>load<u16>(entry, 2);
  const close = at + 1 + length;
  if (close >= end || load<u8>(at) != QUOTE || load<u8>(close) != QUOTE || load<u8>(entry, PLAIN_NAME) == 0) return FAILED;
  return sameBytes(<usize>load<u32>(entry, 4), at + 1, length) ? close : FAILED;
}

/** The column named by the bytes; -1 if none. */
function findColumn(name: usize, length: usize): i32 {
  for (let column = 0; column < columns; column++) if (sameName(column, name, length)) return column;
  return -1;
}

function sameName(column: i32, name: usize, length: usize): bool {
  const entry = <usize>column * COLUMN_BYTES;
  return <usize>load<u16>(entry, 2) == length && sameBytes(<usize>load<u32>(entry, 4), name, length);
}

/** Eight bytes at a time. */
function sameBytes(a: usize, b: usize, length: usize): bool {
  let index: usize = 0;
  for (; index + 8 <= length; index += 8) if (load<u64>(a + index) != load<u64>(b + index)) return false;
  for (; index < length; index++) if (load<u8>(a + index) != load<u8>(b + index)) return false;
  return true;
}

function encodeValue(column: i32, at: usize, end: usize): usize {
  const entry = <usize>column * COLUMN_BYTES;
  const kind = load<u8>(entry);
  if (at < end && load<u8>(at) == 0x6e) {
    if (!literal(at, end, 0x6e, 0x75, 0x6c, 0x6c) || load<u8>(entry, 1) != 0) return FAILED;
    emitNull(-1);
    return at + 4;
  }
  if (!binary) return textValue(kind, at, end);
  // The value's length goes before it, once it is written.
  const lengthAt = scratch;
  scratch += 4;
  const next = binaryValue(kind, at, end);
  store<u32>(lengthAt, bswap<u32>(<u32>(scratch - lengthAt - 4)));
  return next;
}

function textValue(kind: u8, at: usize, end: usize): usize {
  if (kind == INT64 || kind == INT32 || kind == INT16) return integer(kind, at, end);
  if (kind == FLOAT64) return float(at, end);
  if (kind == BOOL) return boolean(at, end);
  if (kind == TEXT) return text(at, end, false);
  if (kind == DATE || kind == TIMESTAMP) return dateTime(kind, at, end);
  if (kind == TEXT_ARRAY) return textArray(at, end);
  if (kind == UUID) return uuid(at, end);
  if (kind == BYTES) return base64(at, end);
  if (kind == FLOAT32) return float32(at, end);
  if (kind == JSON_VALUE) return json(at, end, 0);
  return FAILED;
}

/** true or false: t or f in text, 1 or 0 in binary. */
function boolean(at: usize, end: usize): usize {
  if (literal(at, end, 0x74, 0x72, 0x75, 0x65)) {
    emit(binary ? 1 : 0x74);
    return at + 4;
  }
  if (literal(at, end, 0x66, 0x61, 0x6c, 0x73) && at + 4 < end && load<u8>(at + 4) == 0x65) {
    emit(binary ? 0 : 0x66);
    return at + 5;
  }
  return FAILED;
}

/** NULL: "\N" after its separator in text, a length of -1 in binary. */
function emitNull(column: i32): void {
  if (binary) {
    store<i32>(scratch, -1);
    scratch += 4;
    return;
  }
  if (column > 0) emit(TAB);
  emit(BACKSLASH);
  emit(0x4e);
}

// JavaScript's Number() of a decimal's text: the double nearest to it, for a float64 with more
// significant digits than the exact shortcut below takes.
@external("env", "decimalValue")
declare function decimalValue(at: usize, length: usize): f64;

// PostgreSQL's epoch: days and microseconds are counted from 2000-01-01.
const EPOCH_DAYS: i64 = 730425;
const MICROS_PER_DAY: i64 = 86400000000;
const TEXT_OID: u32 = 25;

/**
 * A value in PostgreSQL's binary form, as its text form would read: the same checks as the text
 * encoders (FAILED where they fail), and FAILED too wherever PostgreSQL would read the text some
 * other way than written here (a date that does not exist, an hour 24), for the load to go again
 * in text and PostgreSQL to decide.
 */
function binaryValue(kind: u8, at: usize, end: usize): usize {
  if (kind == INT64 || kind == INT32 || kind == INT16) return binaryInteger(kind, at, end);
  if (kind == FLOAT64 || kind == FLOAT32) return binaryFloat(kind, at, end);
  if (kind == BOOL) return boolean(at, end);
  if (kind == TEXT) return text(at, end, false);
  if (kind == DATE || kind == TIMESTAMP) return binaryDateTime(kind, at, end);
  if (kind == TEXT_ARRAY) return binaryTextArray(at, end);
  if (kind == UUID) return binaryUuid(at, end);
  if (kind == BYTES) return base64(at, end);
  if (kind == JSON_VALUE) {
    // jsonb's binary form: a version, then the JSON text.
    emit(1);
    return json(at, end, 0);
  }
  return FAILED;
}

function binaryInteger(kind: u8, at: usize, end: usize): usize {
  const written = scratch;
  const next = integer(kind, at, end);
  if (next == FAILED) return FAILED;
  // integer() checked the digits and the range, and wrote them: read them back as a number.
  let absolute: u64 = 0;
  let digit = written;
  const negative = load<u8>(digit) == 0x2d;
  if (negative) digit++;
  for (; digit < scratch; digit++) absolute = absolute * 10 + <u64>(load<u8>(digit) - 0x30);
  const value = negative ? <i64>(0 - absolute) : <i64>absolute;
  scratch = written;
  // int16 columns are INTEGER too (column-types.ts): only int64 is BIGINT.
  if (kind == INT64) {
    store<u64>(scratch, bswap<u64>(<u64>value));
    scratch += 8;
  } else {
    store<u32>(scratch, bswap<u32>(<u32>value));
    scratch += 4;
  }
  return next;
}

/**
 * The double a plain decimal stands for, as PostgreSQL's strtod and JavaScript's Number() both
 * round it: with at most 15 significant digits and a power of ten up to 22, one exact division or
 * multiplication of two exact doubles; otherwise Number() itself. A float32 is that double
 * rounded to single precision, which float32() allows only away from a midpoint (see there).
 */
function binaryFloat(kind: u8, at: usize, end: usize): usize {
  const written = scratch;
  const next = kind == FLOAT64 ? float(at, end) : float32(at, end);
  if (next == FAILED) return FAILED;
  // float() writes a zero as 0 (a negative one as -0, whose magnitude below is 0, negated), and
  // any other number as it is written.
  const zero = scratch - written == 1 && load<u8>(written) == 0x30;
  scratch = written;
  let value: f64 = 0;
  if (!zero) {
    value = magnitude(at, next, true);
    if (isNaN(value)) value = decimalValue(at, next - at);
    else if (load<u8>(at) == 0x2d) value = -value;
  }
  if (kind == FLOAT64) {
    store<u64>(scratch, bswap<u64>(reinterpret<u64>(value)));
    scratch += 8;
  } else {
    store<u32>(scratch, bswap<u32>(reinterpret<u32>(<f32>value)));
    scratch += 4;
  }
  return next;
}

/**
 * date: days since 2000-01-01 (int4); timestamp: microseconds since its midnight (int8). FAILED
 * for a day the calendar lacks, an hour from 24, a minute or second from 60, or year 0: the text
 * load then lets PostgreSQL refuse it or read it its own way.
 */
function binaryDateTime(kind: u8, at: usize, end: usize): usize {
  const written = scratch;
  const next = dateTime(kind, at, end);
  if (next == FAILED) return FAILED;
  const start = at + 1;
  const year = <i32>digitsAt(start, 4);
  const month = <i32>digitsAt(start + 5, 2);
  const day = <i32>digitsAt(start + 8, 2);
  scratch = written;
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return FAILED;
  const days = daysFromCivil(year, month, day) - EPOCH_DAYS;
  if (kind == DATE) {
    store<u32>(scratch, bswap<u32>(<u32>(<i32>days)));
    scratch += 4;
    return next;
  }
  const hour = digitsAt(start + 11, 2);
  const minute = digitsAt(start + 14, 2);
  const second = digitsAt(start + 17, 2);
  if (hour > 23 || minute > 59 || second > 59) return FAILED;
  let micros: i64 = 0;
  let place: i64 = 100000;
  for (let index = start + 20; index < next - 1 && load<u8>(start + 19) == 0x2e; index++) {
    micros += <i64>(load<u8>(index) - 0x30) * place;
    place /= 10;
  }
  const value = days * MICROS_PER_DAY + ((hour * 60 + minute) * 60 + second) * 1000000 + micros;
  store<u64>(scratch, bswap<u64>(<u64>value));
  scratch += 8;
  return next;
}

function digitsAt(at: usize, count: i32): i64 {
  let value: i64 = 0;
  for (let index = 0; index < count; index++) value = value * 10 + <i64>(load<u8>(at + <usize>index) - 0x30);
  return value;
}

function daysInMonth(year: i32, month: i32): i32 {
  if (month == 2) return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
  return month == 4 || month == 6 || month == 9 || month == 11 ? 30 : 31;
}

/** Days since 0000-03-01 of the proleptic Gregorian calendar, which PostgreSQL's dates follow (H. Hinnant's days_from_civil, unshifted). */
function daysFromCivil(year: i32, month: i32, day: i32): i64 {
  const y = <i64>(month <= 2 ? year - 1 : year);
  const era = y / 400;
  const yearOfEra = y - era * 400;
  const dayOfYear = <i64>((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1);
  const dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
  return era * 146097 + dayOfEra;
}

/** A one-dimensional text[]: dimensions, a has-NULL flag, the element type, then each element's length and bytes. */
function binaryTextArray(at: usize, end: usize): usize {
  if (at >= end || load<u8>(at) != 0x5b) return FAILED;
  const header = scratch;
  scratch += 20;
  let count: u32 = 0;
  let nulls: u32 = 0;
  at = skipSpace(at + 1, end);
  if (at < end && load<u8>(at) == 0x5d) {
    at++;
  } else {
    while (true) {
      if (literal(at, end, 0x6e, 0x75, 0x6c, 0x6c)) {
        store<i32>(scratch, -1);
        scratch += 4;
        nulls = 1;
        at += 4;
      } else {
        const lengthAt = scratch;
        scratch += 4;
        at = text(at, end, false);
        if (at == FAILED) return FAILED;
        store<u32>(lengthAt, bswap<u32>(<u32>(scratch - lengthAt - 4)));
      }
      count++;
      at = skipSpace(at, end);
      if (at >= end) return FAILED;
      const separator = load<u8>(at);
      if (separator == 0x5d) break;
      if (separator != 0x2c) return FAILED;
      at = skipSpace(at + 1, end);
    }
    at++;
  }
  store<u32>(header, bswap<u32>(count > 0 ? 1 : 0));
  store<u32>(header + 4, bswap<u32>(nulls));
  store<u32>(header + 8, bswap<u32>(TEXT_OID));
  if (count == 0) {
    scratch = header + 12;
  } else {
    store<u32>(header + 12, bswap<u32>(count));
    store<u32>(header + 16, bswap<u32>(1));
  }
  return at;
}

/** A UUID's 16 bytes, from the forms uuid() takes. */
function binaryUuid(at: usize, end: usize): usize {
  const written = scratch;
  const next = uuid(at, end);
  if (next == FAILED) return FAILED;
  const digitsEnd = scratch;
  let out = written;
  let high = true;
  let byte: i32 = 0;
  for (let index = written; index < digitsEnd; index++) {
    const value = hexValue(load<u8>(index));
    if (value < 0) continue;
    if (high) {
      byte = value << 4;
    } else {
      store<u8>(out++, <u8>(byte | value));
    }
    high = !high;
  }
  scratch = out;
  return next;
}

function literal(at: usize, end: usize, a: u8, b: u8, c: u8, d: u8): bool {
  return at + 4 <= end && load<u8>(at) == a && load<u8>(at + 1) == b && load<u8>(at + 2) == c && load<u8>(at + 3) == d;
}

/** The end of a JSON number's digits before any fraction or exponent; FAILED when there is no valid integer part. */
function integerPart(at: usize, end: usize): usize {
  if (at < end && load<u8>(at) == 0x2d) at++;
  if (at >= end || !isDigit(load<u8>(at))) return FAILED;
  if (load<u8>(at) == 0x30) return at + 1 < end && isDigit(load<u8>(at + 1)) ? FAILED : at + 1;
  while (at < end && isDigit(load<u8>(at))) at++;
  return at;
}

// What the JavaScript encoders print for an integer: its digits, "-0" as "0". A fraction or an
// exponent ("1.0", "1e3") goes to JavaScript, which may still accept it.
function integer(kind: u8, at: usize, end: usize): usize {
  const digitsEnd = integerPart(at, end);
  if (digitsEnd == FAILED || (digitsEnd < end && isNumberTail(load<u8>(digitsEnd)))) return FAILED;
  const negative = load<u8>(at) == 0x2d;
  const digits = at + (negative ? 1 : 0);
  const count = digitsEnd - digits;
  if (kind == INT64) {
    if (count > 19) return FAILED;
    if (count == 19 && !notAbove(digits, negative)) return FAILED;
  } else {
    if (count > 10) return FAILED;
    let value: i64 = 0;
    for (let index = digits; index < digitsEnd; index++) value = value * 10 + <i64>(load<u8>(index) - 0x30);
    if (negative) value = -value;
    if (kind == INT32 ? value < -2147483648 || value > 2147483647 : value < -32768 || value > 32767) return FAILED;
  }
  if (negative && count == 1 && load<u8>(digits) == 0x30) {
    emit(0x30);
    return digitsEnd;
  }
  copy(at, digitsEnd);
  return digitsEnd;
}

/** Nineteen digits within int64: at most 9223372036854775807, or …808 when negative. */
function notAbove(digits: usize, negative: bool): bool {
  const limit: u64 = <u64>9223372036854775807 + (negative ? 1 : 0);
  let value: u64 = 0;
  for (let index: usize = 0; index < 19; index++) {
    const digit = <u64>(load<u8>(digits + index) - 0x30);
    // value * 10 + digit > limit, without overflowing
    if (value > (limit - digit) / 10) return false;
    value = value * 10 + digit;
  }
  return true;
}

// A plain decimal reaches PostgreSQL as written: both it and JSON.parse round it to the same
// double; a zero as 0, or -0 when negative (PostgreSQL keeps the sign). An exponent or a very
// long number (which could overflow or underflow, where JavaScript and PostgreSQL part ways)
// goes to JavaScript.
function float(at: usize, end: usize): usize {
  let index = integerPart(at, end);
  if (index == FAILED) return FAILED;
  let nonZero = false;
  for (let digit = at; digit < index; digit++) if (load<u8>(digit) >= 0x31 && load<u8>(digit) <= 0x39) nonZero = true;
  if (index < end && load<u8>(index) == 0x2e) {
    index++;
    if (index >= end || !isDigit(load<u8>(index))) return FAILED;
    while (index < end && isDigit(load<u8>(index))) {
      if (load<u8>(index) != 0x30) nonZero = true;
      index++;
    }
  }
  if (index < end && isNumberTail(load<u8>(index))) return FAILED;
  if (index - at > 24) return FAILED;
  if (!nonZero) {
    if (load<u8>(at) == 0x2d) emit(0x2d);
    emit(0x30);
    return index;
  }
  copy(at, index);
  return index;
}

// FLT_MIN and FLT_MAX, with a margin: PostgreSQL refuses a real that underflows or overflows,
// naming the text, which JavaScript would have written differently.
const FLOAT32_LEAST: f64 = 1.2e-38;
const FLOAT32_MOST: f64 = 3.4e38;

/** Whether float() wrote, from `written`, a zero: 0 or -0. */
function wroteZero(written: usize): bool {
  const length = scratch - written;
  return load<u8>(scratch - 1) == 0x30 && (length == 1 || (length == 2 && load<u8>(written) == 0x2d));
}

/**
 * A float32 column as float64 (the decimal as written), unless the decimal lies so close to the
 * midpoint between two float32 values that PostgreSQL, rounding it straight to a real, could round
 * it the other way than it rounds the double JavaScript prints. Only when the nearest double is
 * exactly such a midpoint can the two differ; an approximation tells which decimals are near one.
 */
function float32(at: usize, end: usize): usize {
  const written = scratch;
  const next = float(at, end);
  if (next == FAILED || wroteZero(written)) return next;
  const value = magnitude(at, next, false);
  if (!(value >= FLOAT32_LEAST && value <= FLOAT32_MOST)) return FAILED;
  const single = <f32>value;
  const nearest = <f64>single;
  const above = <f64>reinterpret<f32>(reinterpret<u32>(single) + 1);
  const below = <f64>reinterpret<f32>(reinterpret<u32>(single) - 1);
  const tolerance = value * 1e-13;
  if (Math.abs(value - (nearest + above) / 2) <= tolerance || Math.abs(value - (nearest + below) / 2) <= tolerance) return FAILED;
  return next;
}

/**
 * The magnitude of a plain decimal (no exponent, its sign left out) from its first 19 significant
 * digits, to within a few units in the last place; NaN when its power of ten is beyond 22. With
 * `exact`, only for at most 15 significant digits (NaN otherwise): then it is one division or
 * multiplication of two exact doubles, so the double nearest to the decimal itself.
 */
function magnitude(from: usize, to: usize, exact: bool): f64 {
  let mantissa: u64 = 0;
  let digits = 0;
  let exponent: i32 = 0;
  let fraction = false;
  for (let index = from; index < to; index++) {
    const byte = load<u8>(index);
    if (byte == 0x2d) continue;
    if (byte == 0x2e) {
      fraction = true;
      continue;
    }
    if (digits < 19) {
      if (mantissa != 0 || byte != 0x30) {
        mantissa = mantissa * 10 + <u64>(byte - 0x30);
        digits++;
      }
      if (fraction) exponent--;
    } else if (!fraction) {
      exponent++;
    }
  }
  if (exponent < -22 || exponent > 22 || (exact && digits > 15)) return NaN;
  let scale: f64 = 1;
  for (let power = 0; power < (exponent < 0 ? -exponent : exponent); power++) scale *= 10;
  return exponent < 0 ? <f64>mantissa / scale : <f64>mantissa * scale;
}

function isNumberTail(byte: u8): bool {
  return byte == 0x2e || byte == 0x65 || byte == 0x45 || isDigit(byte);
}

function isDigit(byte: u8): bool {
  return byte >= 0x30 && byte <= 0x39;
}

// The lanes of a block from a date's first digit that must hold digits: YYYY-MM-DD, and
// YYYY-MM-DD?HH:MM for a timestamp (its seconds are checked one by one).
const DATE_DIGITS: i32 = 0b0000_0011_0110_1111;
const TIMESTAMP_DIGITS: i32 = DATE_DIGITS | 0b1101_1000_0000_0000;

/**
 * DATE: YYYY-MM-DD; TIMESTAMP: YYYY-MM-DD[T ]HH:MM:SS[.F{1,6}], as the JavaScript encoders check
 * them, in a string without escapes. The digits of the first 16 bytes are checked at once; a
 * lane past the line's end can hold anything, but then the closing quote is past it too.
 */
function dateTime(kind: u8, at: usize, end: usize): usize {
  if (at >= end || load<u8>(at) != QUOTE) return FAILED;
  const start = at + 1;
  const digits = i8x16.bitmask(i8x16.le_u(i8x16.sub(v128.load(start), i8x16.splat(0x30)), i8x16.splat(9)));
  if (load<u8>(start + 4) != 0x2d || load<u8>(start + 7) != 0x2d) return FAILED;
  let close = start + 10;
  if (kind == TIMESTAMP) {
    if ((digits & TIMESTAMP_DIGITS) != TIMESTAMP_DIGITS) return FAILED;
    const separator = load<u8>(start + 10);
    if (separator != 0x54 && separator != 0x20) return FAILED;
    if (load<u8>(start + 13) != 0x3a || load<u8>(start + 16) != 0x3a || !isDigit(load<u8>(start + 17)) || !isDigit(load<u8>(start + 18))) return FAILED;
    close = start + 19;
    if (close < end && load<u8>(close) == 0x2e) {
      const fraction = ++close;
      while (close < end && isDigit(load<u8>(close))) close++;
      if (close == fraction || close - fraction > 6) return FAILED;
    }
  } else if ((digits & DATE_DIGITS) != DATE_DIGITS) {
    return FAILED;
  }
  if (close >= end || load<u8>(close) != QUOTE) return FAILED;
  copy(start, close);
  return close + 1;
}

/** Where the JSON string at `at` closes, if it has no escape (a key, a date); else FAILED. */
function plainStringEnd(at: usize, end: usize): usize {
  if (at >= end || load<u8>(at) != QUOTE) return FAILED;
  let close = at + 1;
  while (close < end && load<u8>(close) != QUOTE) {
    if (load<u8>(close) == BACKSLASH) return FAILED;
    close++;
  }
  return close < end ? close : FAILED;
}

/** A UUID as the JavaScript encoder takes it: 32 hex digits, in either case, hyphens optional between the usual groups; copied as written. */
function uuid(at: usize, end: usize): usize {
  const canonical = at + 37;
  if (canonical < end && load<u8>(at) == QUOTE && load<u8>(canonical) == QUOTE && isCanonicalUuid(at + 1)) {
    copy(at + 1, canonical);
    return canonical + 1;
  }
  const close = plainStringEnd(at, end);
  if (close == FAILED) return FAILED;
  let index = at + 1;
  for (let group = 0; group < 5; group++) {
    if (group > 0 && index < close && load<u8>(index) == 0x2d) index++;
    const count = group == 0 ? 8 : group == 4 ? 12 : 4;
    for (let digit = 0; digit < count; digit++) {
      if (index >= close || hexValue(load<u8>(index)) < 0) return FAILED;
      index++;
    }
  }
  if (index != close) return FAILED;
  copy(at + 1, close);
  return close + 1;
}

// The lanes of a UUID's first and second block that hold hyphens (8, 13; 18 and 23 from 16).
const UUID_HYPHENS_FIRST: i32 = 1 << 8 | 1 << 13;
const UUID_HYPHENS_SECOND: i32 = 1 << 2 | 1 << 7;

/** The usual form, 8-4-4-4-12 hex digits in either case, checked two blocks and four bytes at a time. */
function isCanonicalUuid(at: usize): bool {
  return hexLanes(v128.load(at)) == (0xffff ^ UUID_HYPHENS_FIRST) && hyphenLanes(v128.load(at)) == UUID_HYPHENS_FIRST
    && hexLanes(v128.load(at + 16)) == (0xffff ^ UUID_HYPHENS_SECOND) && hyphenLanes(v128.load(at + 16)) == UUID_HYPHENS_SECOND
    && hexValue(load<u8>(at + 32)) >= 0 && hexValue(load<u8>(at + 33)) >= 0 && hexValue(load<u8>(at + 34)) >= 0 && hexValue(load<u8>(at + 35)) >= 0;
}

function hexLanes(bytes: v128): i32 {
  const digit = i8x16.le_u(i8x16.sub(bytes, i8x16.splat(0x30)), i8x16.splat(9));
  const letter = i8x16.le_u(i8x16.sub(v128.or(bytes, i8x16.splat(0x20)), i8x16.splat(0x61)), i8x16.splat(5));
  return i8x16.bitmask(v128.or(digit, letter));
}

function hyphenLanes(bytes: v128): i32 {
  return i8x16.bitmask(i8x16.eq(bytes, i8x16.splat(0x2d)));
}

function hexValue(byte: u8): i32 {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  return -1;
}

/**
 * Base64 (standard or URL-safe letters, up to two "=" at the end) as bytea's hex form, "\\x…" in
 * COPY text; as Node decodes it: six bits a letter, a byte for every eight, leftover bits dropped.
 */
function base64(at: usize, end: usize): usize {
  const close = plainStringEnd(at, end);
  if (close == FAILED) return FAILED;
  let dataEnd = close;
  for (let padding = 0; padding < 2 && dataEnd > at + 1 && load<u8>(dataEnd - 1) == 0x3d; padding++) dataEnd--;
  if (!binary) {
    emit(BACKSLASH);
    emit(BACKSLASH);
    emit(0x78);
  }
  let bits: u32 = 0;
  let count: u32 = 0;
  for (let index = at + 1; index < dataEnd; index++) {
    const sextet = sextetOf(load<u8>(index));
    if (sextet < 0) return FAILED;
    bits = ((bits << 6) | <u32>sextet) & 0xffff;
    count += 6;
    if (count >= 8) {
      count -= 8;
      const byte = (bits >> count) & 0xff;
      if (binary) {
        emit(<u8>byte);
      } else {
        emit(hexDigit(byte >> 4));
        emit(hexDigit(byte & 0xf));
      }
    }
  }
  return close + 1;
}

function sextetOf(byte: u8): i32 {
  if (byte >= 0x41 && byte <= 0x5a) return byte - 0x41;
  if (byte >= 0x61 && byte <= 0x7a) return byte - 0x61 + 26;
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30 + 52;
  if (byte == 0x2b || byte == 0x2d) return 62;
  if (byte == 0x2f || byte == 0x5f) return 63;
  return -1;
}

@inline function hexDigit(value: u32): u8 {
  return <u8>(value < 10 ? 0x30 + value : 0x57 + value);
}

const MAX_JSON_DEPTH = 64;

/**
 * A json column: the value's own JSON text, without the spaces between its tokens, escaped for
 * COPY. PostgreSQL's jsonb then holds what it holds from JSON.stringify's text: both drop spaces,
 * keep a duplicate key's last value, order keys their own way and read escapes alike, and numbers
 * stay as written on both paths. A surrogate or NUL escape goes to JavaScript, as does deep nesting.
 */
function json(at: usize, end: usize, depth: i32): usize {
  if (at >= end) return FAILED;
  const byte = load<u8>(at);
  if (byte == QUOTE) return jsonString(at, end);
  if (byte == 0x7b || byte == 0x5b) {
    if (depth >= MAX_JSON_DEPTH) return FAILED;
    const object = byte == 0x7b;
    const close: u8 = object ? 0x7d : 0x5d;
    emit(byte);
    at = skipSpace(at + 1, end);
    if (at < end && load<u8>(at) == close) {
      emit(close);
      return at + 1;
    }
    while (true) {
      if (object) {
        at = jsonString(at, end);
        if (at == FAILED) return FAILED;
        at = skipSpace(at, end);
        if (at >= end || load<u8>(at) != 0x3a) return FAILED;
        emit(0x3a);
        at = skipSpace(at + 1, end);
      }
      at = json(at, end, depth + 1);
      if (at == FAILED) return FAILED;
      at = skipSpace(at, end);
      if (at >= end) return FAILED;
      const separator = load<u8>(at);
      if (separator == close) break;
      if (separator != 0x2c) return FAILED;
      emit(0x2c);
      at = skipSpace(at + 1, end);
    }
    emit(close);
    return at + 1;
  }
  if (literal(at, end, 0x6e, 0x75, 0x6c, 0x6c) || literal(at, end, 0x74, 0x72, 0x75, 0x65)) {
    copy(at, at + 4);
    return at + 4;
  }
  if (literal(at, end, 0x66, 0x61, 0x6c, 0x73) && at + 4 < end && load<u8>(at + 4) == 0x65) {
    copy(at, at + 5);
    return at + 5;
  }
  return jsonNumber(at, end);
}

/** A JSON string as written, its backslashes doubled for COPY; FAILED when invalid or with a \u0000 or surrogate escape. */
function jsonString(at: usize, end: usize): usize {
  if (at >= end || load<u8>(at) != QUOTE) return FAILED;
  emit(QUOTE);
  at++;
  while (true) {
    at = copyPlain(at, end);
    if (at >= end) return FAILED;
    const byte = load<u8>(at);
    if (byte == QUOTE) break;
    if (byte < 0x20) return FAILED;
    if (at + 1 >= end) return FAILED;
    const escape = load<u8>(at + 1);
    // COPY text doubles the backslash; binary takes the JSON as it is.
    emit(BACKSLASH);
    if (!binary) emit(BACKSLASH);
    if (escape == 0x75) {
      const code = hex4(at + 2, end);
      if (code == 0xffffffff || code == 0 || (code >= 0xd800 && code <= 0xdfff)) return FAILED;
      copy(at + 1, at + 6);
      at += 6;
      continue;
    }
    if (!isShortEscape(escape)) return FAILED;
    if (escape == BACKSLASH && !binary) emit(BACKSLASH);
    emit(escape);
    at += 2;
  }
  emit(QUOTE);
  return at + 1;
}

/** The letter of a two-character JSON escape: \" \\ \/ \b \f \n \r \t. */
function isShortEscape(byte: u8): bool {
  return byte == QUOTE || byte == BACKSLASH || byte == 0x2f || byte == 0x62 || byte == 0x66 || byte == 0x6e || byte == 0x72 || byte == 0x74;
}

/** A JSON number, copied as written: the JavaScript path keeps a json value's numbers as written too. */
function jsonNumber(at: usize, end: usize): usize {
  const index = numberEnd(at, end);
  if (index != FAILED) copy(at, index);
  return index;
}

/** Where the JSON number at `at` ends; FAILED when there is none. */
function numberEnd(at: usize, end: usize): usize {
  let index = integerPart(at, end);
  if (index == FAILED) return FAILED;
  if (index < end && load<u8>(index) == 0x2e) {
    index++;
    if (index >= end || !isDigit(load<u8>(index))) return FAILED;
    while (index < end && isDigit(load<u8>(index))) index++;
  }
  if (index < end && (load<u8>(index) == 0x65 || load<u8>(index) == 0x45)) {
    index++;
    if (index < end && (load<u8>(index) == 0x2b || load<u8>(index) == 0x2d)) index++;
    if (index >= end || !isDigit(load<u8>(index))) return FAILED;
    while (index < end && isDigit(load<u8>(index))) index++;
  }
  return index;
}

/**
 * A JSON string, unescaped and written as COPY text (backslash, newline, carriage return and tab
 * escaped). As an array element, it is also quoted as PostgreSQL's array syntax wants it first.
 */
function text(at: usize, end: usize, element: bool): usize {
  if (at >= end || load<u8>(at) != QUOTE) return FAILED;
  at++;
  if (element) emit(QUOTE);
  while (true) {
    at = copyPlain(at, end);
    if (at >= end) return FAILED;
    const byte = load<u8>(at);
    if (byte == QUOTE) break;
    if (byte < 0x20) return FAILED;
    if (at + 1 >= end) return FAILED;
    const escape = load<u8>(at + 1);
    at += 2;
    let code: u32 = 0;
    if (escape == QUOTE || escape == BACKSLASH || escape == 0x2f) code = escape;
    else if (escape == 0x62) code = 0x08;
    else if (escape == 0x66) code = 0x0c;
    else if (escape == 0x6e) code = LF;
    else if (escape == 0x72) code = CR;
    else if (escape == 0x74) code = TAB;
    else if (escape == 0x75) {
      code = hex4(at, end);
      if (code == 0xffffffff) return FAILED;
      at += 4;
      // A lone surrogate (JavaScript would write U+FFFD) or NUL (PostgreSQL refuses it) is left to JavaScript.
      if (code == 0 || (code >= 0xdc00 && code <= 0xdfff)) return FAILED;
      if (code >= 0xd800 && code <= 0xdbff) {
        if (at + 6 > end || load<u8>(at) != BACKSLASH || load<u8>(at + 1) != 0x75) return FAILED;
        const low = hex4(at + 2, end);
        if (low < 0xdc00 || low > 0xdfff) return FAILED;
        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        at += 6;
      }
    } else {
      return FAILED;
    }
    if (binary) utf8(code);
    else character(code, element);
  }
  if (element) emit(QUOTE);
  return at + 1;
}

/**
 * Copies the run of string bytes from `at` that need no escaping, at once; returns where it
 * stopped (a quote, a backslash, a control character or the end). Every byte of a multi-byte
 * character is 0x80 or above, and COPY and array syntax escape only quotes, backslashes and controls.
 */
function copyPlain(at: usize, end: usize): usize {
  const quote = i8x16.splat(QUOTE);
  const backslash = i8x16.splat(BACKSLASH);
  const space = i8x16.splat(0x20);
  for (; at + BLOCK <= end; at += BLOCK) {
    const bytes = v128.load(at);
    v128.store(scratch, bytes);
    const stops = i8x16.bitmask(v128.or(v128.or(i8x16.eq(bytes, quote), i8x16.eq(bytes, backslash)), i8x16.lt_u(bytes, space)));
    if (stops != 0) {
      const plain = <usize>ctz(stops);
      scratch += plain;
      return at + plain;
    }
    scratch += BLOCK;
  }
  const run = at;
  while (at < end) {
    const byte = load<u8>(at);
    if (byte < 0x20 || byte == QUOTE || byte == BACKSLASH) break;
    at++;
  }
  copy(run, at);
  return at;
}

function hex4(at: usize, end: usize): u32 {
  if (at + 4 > end) return 0xffffffff;
  let code: u32 = 0;
  for (let index: usize = 0; index < 4; index++) {
    const byte = <u32>load<u8>(at + index);
    let digit: u32;
    if (byte >= 0x30 && byte <= 0x39) digit = byte - 0x30;
    else if (byte >= 0x61 && byte <= 0x66) digit = byte - 0x57;
    else if (byte >= 0x41 && byte <= 0x46) digit = byte - 0x37;
    else return 0xffffffff;
    code = (code << 4) | digit;
  }
  return code;
}

/** One character, escaped for an array element and for COPY, as UTF-8. */
function character(code: u32, element: bool): void {
  if (element && (code == BACKSLASH || code == QUOTE)) {
    // The array's backslash, itself escaped for COPY.
    emit(BACKSLASH);
    emit(BACKSLASH);
  }
  if (code == BACKSLASH) {
    emit(BACKSLASH);
    emit(BACKSLASH);
  } else if (code == LF) {
    emit(BACKSLASH);
    emit(0x6e);
  } else if (code == CR) {
    emit(BACKSLASH);
    emit(0x72);
  } else if (code == TAB) {
    emit(BACKSLASH);
    emit(0x74);
  } else {
    utf8(code);
  }
}

/** A code point as UTF-8. */
function utf8(code: u32): void {
  if (code < 0x80) {
    emit(<u8>code);
  } else if (code < 0x800) {
    emit(<u8>(0xc0 | (code >> 6)));
    emit(<u8>(0x80 | (code & 0x3f)));
  } else if (code < 0x10000) {
    emit(<u8>(0xe0 | (code >> 12)));
    emit(<u8>(0x80 | ((code >> 6) & 0x3f)));
    emit(<u8>(0x80 | (code & 0x3f)));
  } else {
    emit(<u8>(0xf0 | (code >> 18)));
    emit(<u8>(0x80 | ((code >> 12) & 0x3f)));
    emit(<u8>(0x80 | ((code >> 6) & 0x3f)));
    emit(<u8>(0x80 | (code & 0x3f)));
  }
}

/** A JSON array of strings and nulls as a PostgreSQL array literal: {"a",NULL}. */
function textArray(at: usize, end: usize): usize {
  if (at >= end || load<u8>(at) != 0x5b) return FAILED;
  emit(0x7b);
  at = skipSpace(at + 1, end);
  if (at < end && load<u8>(at) == 0x5d) {
    emit(0x7d);
    return at + 1;
  }
  let first = true;
  while (true) {
    if (!first) emit(0x2c);
    first = false;
    if (literal(at, end, 0x6e, 0x75, 0x6c, 0x6c)) {
      emit(0x4e);
      emit(0x55);
      emit(0x4c);
      emit(0x4c);
      at += 4;
    } else {
      at = text(at, end, true);
      if (at == FAILED) return FAILED;
    }
    at = skipSpace(at, end);
    if (at >= end) return FAILED;
    const separator = load<u8>(at);
    if (separator == 0x5d) break;
    if (separator != 0x2c) return FAILED;
    at = skipSpace(at + 1, end);
  }
  emit(0x7d);
  return at + 1;
}

/** Skips the value of a key no column wants: a string, number, true, false or null; anything else goes to JavaScript. */
function skipScalar(at: usize, end: usize): usize {
  if (at >= end) return FAILED;
  const byte = load<u8>(at);
  if (byte == QUOTE) {
    at++;
    while (at < end) {
      const next = load<u8>(at);
      if (next == QUOTE) return at + 1;
      if (next < 0x20) return FAILED;
      if (next != BACKSLASH) {
        at++;
        continue;
      }
      // JSON.parse refuses an unknown escape or a short \u, wherever it is.
      if (at + 1 >= end) return FAILED;
      const escape = load<u8>(at + 1);
      if (escape == 0x75) {
        if (hex4(at + 2, end) == 0xffffffff) return FAILED;
        at += 6;
      } else if (isShortEscape(escape)) {
        at += 2;
      } else {
        return FAILED;
      }
    }
    return FAILED;
  }
  if (literal(at, end, 0x6e, 0x75, 0x6c, 0x6c) || literal(at, end, 0x74, 0x72, 0x75, 0x65)) return at + 4;
  if (literal(at, end, 0x66, 0x61, 0x6c, 0x73) && at + 4 < end && load<u8>(at + 4) == 0x65) return at + 5;
  return numberEnd(at, end);
}

function skipSpace(at: usize, end: usize): usize {
  while (at < end) {
    const byte = load<u8>(at);
    if (byte != 0x20 && byte != TAB && byte != CR && byte != LF) break;
    at++;
  }
  return at;
}

function copy(from: usize, to: usize): void {
  const length = to - from;
  copyBlocks(scratch, from, length);
  scratch += length;
}

/**
 * A block at a time, up to BLOCK - 1 bytes past the end: quicker than memory.copy for the short
 * values of a line. The two never overlap: values go from the input to scratch or the output,
 * and from scratch to the output.
 */
@inline function copyBlocks(to: usize, from: usize, length: usize): void {
  for (let done: usize = 0; done < length; done += BLOCK) v128.store(to + done, v128.load(from + done));
}

/** Where the first LF from `at` is, or `end`; a block at a time. */
function newline(at: usize, end: usize): usize {
  const lf = i8x16.splat(LF);
  for (; at + BLOCK <= end; at += BLOCK) {
    const found = i8x16.bitmask(i8x16.eq(v128.load(at), lf));
    if (found != 0) return at + <usize>ctz(found);
  }
  while (at < end && load<u8>(at) != LF) at++;
  return at;
}

@inline function emit(byte: u8): void {
  store<u8>(scratch++, byte);
}

@inline function emit16(value: u16): void {
  store<u16>(scratch, bswap<u16>(value));
  scratch += 2;
}
