// API lines → COPY text → a staging table, streamed with back-pressure end to end.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { asParsed, decodeLine, isBlankLine, isRawJson, parseLine, parseLineExactly, type LineBatch } from '../api/ndjson.ts';
import { databaseError, FocusSyncError, InvalidLine } from '../errors.ts';
import { primaryKey, type Resource } from '../resources.ts';
import { LoadProgress, type RowProgress, type TotalRows } from '../telemetry/progress.ts';
import { columnType, InexactNumber, NULL, ValueMismatch, type Encode } from './column-types.ts';
import type { Sql, Transaction } from './connection.ts';
import { quoteIdentifier, quoteLiteral } from './identifiers.ts';
import { BINARY_HEADER, BINARY_TRAILER, Transcoder, TRANSCODER_KINDS, type TranscodedColumn } from './transcoder/transcoder.ts';
import { log } from '../telemetry/logging.ts';

export interface StagedColumn extends TranscodedColumn {
  name: string;
  sqlType: string;
  encode: Encode;
  key: boolean;
}

export type Lines = AsyncIterable<LineBatch>;

const CHUNK_CHARACTERS = 1 << 16;

/** The key's column names, quoted, in the key's order. */
export function keyNames(columns: StagedColumn[]): string[] {
  return columns.filter((column) => column.key).map((column) => quoteIdentifier(column.name));
}

/** The columns a staging table holds: every attribute, or for deleted lines only the key. */
export function stagedColumns(resource: Resource, keysOnly = false): StagedColumn[] {
  const key = new Set(primaryKey(resource));
  return resource.attributes
    .filter((attribute) => !keysOnly || key.has(attribute.name))
    .map((attribute) => {
      const type = columnType(attribute.type);
      return { name: attribute.name, sqlType: type.sql, encode: type.encode, key: key.has(attribute.name), transcoderKind: TRANSCODER_KINDS[attribute.type.toLowerCase()] };
    });
}

/**
 * Replaces `table` with a fresh unlogged table and streams the lines into it, in one transaction;
 * returns the row count. A load that fails leaves no table. The table's comment names its owner
 * (`owner`: execution, resource, country), so that a later run can drop what a dead one left, and
 * the rows it holds, so that the apply can tell whether PostgreSQL emptied it since.
 * `total`, where the server can tell how many rows the lines bring, lets the progress show how far.
 * `keyed` gives it the resource's primary key, built once the rows are in (about a quarter less
 * of PostgreSQL's work than keeping the index while COPY goes): a key sent twice is then refused,
 * named by its value.
 */
export async function stageLines(sql: Sql, table: string, columns: StagedColumn[], lines: Lines, where: string, owner: object, { total, keyed = false, again }: { total?: TotalRows; keyed?: boolean; again?: () => Lines } = {}): Promise<number> {
  const key = keyNames(columns);
  try {
    // A transaction holds its connection: postgres.js would otherwise queue another query of this
    // process onto the connection in COPY mode when the pool is busy, and that query fails.
    return await sql.begin(async (transaction) => {
      await transaction.unsafe(`DROP TABLE IF EXISTS ${table}; ${createStage(table, columns)}`);
      // A reload's stage is read whole right after: its rows go in frozen. A delta's few are not
      // worth the new file that freezing them in a savepoint takes (see copyLines).
      const rows = await copyLines(transaction, table, columns, lines, where, { total, again, fresh: keyed });
      if (keyed && key.length > 0) await addPrimaryKey(transaction, table, key, where);
      await transaction.unsafe(commentStage(table, owner, rows));
      return rows;
    });
  } catch (error) {
    throw databaseError(`Staging ${where} in ${table}`, error);
  }
}

/**
 * One part of a reload's lines into a table of its own, created for it in the same transaction, so
 * that its rows go in frozen; in COPY binary when `binary` (a line the binary encoder leaves throws
 * TextNeeded, and nothing of the part stays). Its key is built apart (keyStage), so that the next
 * part's rows can stream in meanwhile. `progress` counts the part's rows. Returns how many it took.
 */
export async function stagePart(sql: Sql, table: string, columns: StagedColumn[], lines: Lines, where: string, owner: object, { progress, binary }: { progress: RowProgress; binary: boolean }): Promise<number> {
  try {
    return await sql.begin(async (transaction) => {
      await transaction.unsafe(createStage(table, columns));
      const rows = await copyIn(transaction, table, columns, lines, where, progress, { binary, freeze: 'created' });
      await transaction.unsafe(commentStage(table, owner, rows));
      return rows;
    });
  } catch (error) {
    if (error instanceof TextNeeded) throw error;
    throw databaseError(`Staging ${where} in ${table}`, error);
  }
}

/** Gives a stage that stagePart filled its primary key (see addPrimaryKey). */
export async function keyStage(sql: Sql, table: string, columns: StagedColumn[], where: string): Promise<void> {
  const key = keyNames(columns);
  try {
    if (key.length > 0) await addPrimaryKey(sql, table, key, where);
  } catch (error) {
    throw databaseError(`Building the key of ${where} in ${table}`, error);
  }
}

/** The columns' definitions, as a stage (and a reload's differences) holds them. */
export function columnDefinitions(columns: StagedColumn[]): string {
  return columns.map((column) => `${quoteIdentifier(column.name)} ${column.sqlType}`).join(', ');
}

// A stage lives for one step: autovacuum would only compete with the load for it.
function createStage(table: string, columns: StagedColumn[]): string {
  return `CREATE UNLOGGED TABLE ${table} (${columnDefinitions(columns)}) WITH (autovacuum_enabled = false)`;
}

// The catalog keeps what a crash empties from an unlogged table: how many rows it was given (see checkStaged).
function commentStage(table: string, owner: object, rows: number): string {
  return `COMMENT ON TABLE ${table} IS ${quoteLiteral(JSON.stringify({ ...owner, rows }))}`;
}

/**
 * The lines in parts of about `size` lines each (whole batches), read from one stream: each part
 * ends before the first batch that starts `size` lines or more after the part's first.
 */
export class LineParts {
  readonly #batches: AsyncIterator<LineBatch>;
  readonly #size: number;
  #next: IteratorResult<LineBatch> | undefined;

  constructor(lines: Lines, size: number) {
    this.#batches = lines[Symbol.asyncIterator]();
    this.#size = size;
  }

  /** Whether lines are left for another part (it reads the next batch, if not yet read). */
  async more(): Promise<boolean> {
    this.#next ??= await this.#batches.next();
    return this.#next.done !== true;
  }

  /** The next part; ending it early (a failed load) leaves the stream to its owner. */
  async *part(): AsyncGenerator<LineBatch> {
    let first: number | undefined;
    while (await this.more()) {
      const batch = this.#next!.value as LineBatch;
      first ??= batch.first;
      if (batch.first - first >= this.#size) return;
      this.#next = undefined;
      yield batch;
    }
  }
}

async function addPrimaryKey(sql: Sql | Transaction, table: string, key: string[], where: string): Promise<void> {
  try {
    await sql.unsafe(`ALTER TABLE ${table} ADD PRIMARY KEY (${key.join(', ')})`);
  } catch (error) {
    // "Key (id)=(7) is duplicated.": the one value a duplicate key error shows.
    const duplicated = /^Key (.*) is duplicated\.$/.exec((error as { detail?: string }).detail ?? '');
    if ((error as { code?: string }).code === '23505' && duplicated) {
      throw new InvalidLine(`${where}: the API sent the key ${duplicated[1]} more than once; nothing of this load was applied`, { cause: error });
    }
    throw error;
  }
}

/**
 * Streams the lines into an existing table with COPY, inside the caller's transaction; returns the
 * row count. Where the transcoder takes every column and `again` can read the lines once more,
 * they go in COPY's binary format, which PostgreSQL takes in about half the time of text. A line
 * the JavaScript encoders refuse fails the load with their error, as in text. A line the binary
 * encoder leaves that they take (anything unusual the transcoder leaves to them, a date the
 * calendar lacks), or a value PostgreSQL refuses in binary, rolls that COPY back: the lines are
 * read again from the start and loaded as text, where every line gets the text path's treatment
 * and error. The text load is then the load: nothing of the binary one stays. `fresh` says the
 * caller's transaction created the table, empty: COPY then writes its rows frozen, so that no
 * later read of them has to set their hint bits (and dirty every page of the table) first.
 */
export async function copyLines(sql: Transaction, table: string, columns: StagedColumn[], lines: Lines, where: string, { total, again, fresh = false }: { total?: TotalRows; again?: () => Lines; fresh?: boolean } = {}): Promise<number> {
  const freeze = fresh && 'truncate';
  const copy = (transaction: Transaction, from: Lines, binary: boolean) => {
    const progress = new LoadProgress(where, total);
    return copyIn(transaction, table, columns, from, where, progress, { binary, freeze }).finally(() => progress.finish());
  };
  if (again === undefined || !Transcoder.takes(columns)) return copy(sql, lines, false);
  try {
    return await sql.savepoint((binary) => copy(binary, lines, true));
  } catch (error) {
    if (!(error instanceof TextNeeded)) throw error;
    log().info(`${where}: loading the lines again, as COPY text`, { reason: error.message });
    return copy(sql, again(), false);
  }
}

/** A line, or a value, the binary load cannot take: the load goes again in text (see copyLines). */
export class TextNeeded extends Error {}

/**
 * `freeze`: the rows go in frozen, the table being 'created' in this very (sub)transaction, or to
 * be emptied first ('truncate'). `progress` is told the rows so far, chunk by chunk.
 */
async function copyIn(sql: Transaction, table: string, columns: StagedColumn[], lines: Lines, where: string, progress: RowProgress, { binary, freeze }: { binary: boolean; freeze: false | 'created' | 'truncate' }): Promise<number> {
  const names = columns.map((column) => quoteIdentifier(column.name)).join(', ');
  const rows = new RowLines();
  try {
    // COPY FREEZE wants the table created or emptied in the same subtransaction: a savepoint, or
    // the one a rollback to it begins, is not the one that created it. Emptying the table, empty
    // as it is, costs a new file.
    if (freeze === 'truncate') await sql.unsafe(`TRUNCATE ${table}`);
    const options = [...(binary ? ['FORMAT binary'] : []), ...(freeze ? ['FREEZE'] : [])];
    const writable = await sql.unsafe(`COPY ${table} (${names}) FROM STDIN${options.length ? ` (${options.join(', ')})` : ''}`).writable();
    await pipeline(Readable.from(encodeLines(lines, columns, where, rows, progress, { binary }), { highWaterMark: 1 }), writable);
  } catch (error) {
    if (error instanceof FocusSyncError || error instanceof TextNeeded) throw error;
    // Data PostgreSQL refuses in binary (22…, 08P01 for a malformed message) is left to the text load to name.
    const code = (error as { code?: string }).code ?? '';
    if (binary && (code.startsWith('22') || code === '08P01')) throw new TextNeeded(`PostgreSQL refused the binary rows (${(error as Error).message})`, { cause: error });
    // PostgreSQL names the row and column of a value it refused: say which API line that was.
    const refused = /COPY .*, line (\d+)(?:, column ([^:]+))?/.exec((error as { where?: string }).where ?? '');
    if (refused) {
      const column = refused[2] ? `, column "${refused[2]}"` : '';
      throw new InvalidLine(`${where}, line ${rows.lineOf(Number(refused[1]))}${column}: PostgreSQL refused the value (${(error as Error).message}); nothing of this load was applied`, { cause: error });
    }
    throw databaseError(`Copying ${where} into ${table} failed after ${rows.count} rows`, error);
  } finally {
    progress.update(rows.count);
  }
  return rows.count;
}

/**
 * The lines as COPY text, in chunks of about 64 KB; throws InvalidLine naming the line and column
 * that does not fit. With `binary`, in COPY's binary format (the transcoder must take the columns),
 * throwing TextNeeded at the first line it leaves.
 */
export async function* encodeLines(lines: Lines, columns: StagedColumn[], where: string, rows = new RowLines(), progress?: RowProgress, { binary = false } = {}): AsyncGenerator<Buffer> {
  const transcoder = Transcoder.for(columns, { binary });
  if (binary) yield BINARY_HEADER;
  // Every field and separator is its own string, joined once per chunk: V8 then writes one flat
  // string, where a string per row would be a rope of 24 pieces to flatten (and garbage to collect).
  let parts: string[] = [];
  let characters = 0;
  for await (const received of lines) {
    if (binary && (transcoder === undefined || received.bytes === undefined)) throw new TextNeeded(`line ${received.first} came without its bytes`);
    if (transcoder !== undefined && received.bytes !== undefined) {
      if (parts.length > 0) yield Buffer.from(parts.join(''));
      parts = [];
      characters = 0;
      yield* transcoder.encode(received.bytes, received.first, (line, count) => rows.addRun(line, count), (bytes, number) => {
        const line = decodeLine(bytes);
        if (isBlankLine(line)) return '';
        // A line the JavaScript encoders refuse fails the load here, as it would in text, with
        // their error; one they take goes to them in a text load.
        if (binary) {
          encodeRow(line, number, columns, where, []);
          throw new TextNeeded(`line ${number} needs the JavaScript encoders`);
        }
        const row: string[] = [];
        encodeRow(line, number, columns, where, row);
        rows.add(number);
        rows.byJavaScript += 1;
        return row.join('');
      });
      progress?.update(rows.count);
      continue;
    }
    const { first, lines: batch } = received;
    for (let index = 0; index < batch.length; index += 1) {
      const line = batch[index]!;
      if (isBlankLine(line)) continue;
      characters += encodeRow(line, first + index, columns, where, parts);
      rows.add(first + index);
      rows.byJavaScript += 1;
    }
    if (characters >= CHUNK_CHARACTERS) {
      // Per chunk, not per row: progress costs a clock read every few hundred rows.
      progress?.update(rows.count);
      yield Buffer.from(parts.join(''));
      parts = [];
      characters = 0;
    }
  }
  if (parts.length > 0) yield Buffer.from(parts.join(''));
  if (binary) yield BINARY_TRAILER;
}

/**
 * Counts COPY rows and remembers which API line each came from, in constant memory: blank lines
 * are skipped, so only the points where the two numberings drift apart are kept.
 */
export class RowLines {
  count = 0;
  /** Rows the JavaScript encoders wrote: the lines the transcoder left, or all when it cannot take the columns. */
  byJavaScript = 0;
  readonly #drifts: Array<{ row: number; offset: number }> = [];

  add(line: number): void {
    this.count += 1;
    const offset = line - this.count;
    if (offset !== (this.#drifts.at(-1)?.offset ?? 0)) this.#drifts.push({ row: this.count, offset });
  }

  /** `count` consecutive lines from `line`, each a row. */
  addRun(line: number, count: number): void {
    this.add(line);
    this.count += count - 1;
  }

  lineOf(row: number): number {
    const drift = this.#drifts.findLast((candidate) => candidate.row <= row);
    return row + (drift?.offset ?? 0);
  }
}

// A number JSON.stringify would write otherwise: an exponent, a fraction ending in 0, -0, 16 or
// more digits, or below 0.000001. Matched anywhere in the line, strings too: a false match costs
// only the slower parse.
const REWRITTEN_NUMBER = /[0-9][eE]|\.[0-9]*0(?![0-9])|-0(?![.0-9])|(?:[0-9]\.?){16}|0\.0{6}/;

/** Appends the line's fields and separators to `parts`; returns how many characters they have. */
function encodeRow(line: string, number: number, columns: StagedColumn[], where: string, parts: string[]): number {
  // jsonb keeps a number as written ("1.0" stays 1.0), which JSON.parse forgets.
  if (REWRITTEN_NUMBER.test(line) && columns.some((column) => column.sqlType === 'JSONB')) {
    return encodeItem(parse(line, number, where, parseLineExactly), number, columns, where, parts, true);
  }
  const start = parts.length;
  try {
    return encodeItem(parse(line, number, where, parseLine), number, columns, where, parts);
  } catch (error) {
    if (!(error instanceof InexactNumber)) throw error;
    parts.length = start;
    return encodeItem(parse(line, number, where, parseLineExactly), number, columns, where, parts, true);
  }
}

function parse(line: string, number: number, where: string, parser: (line: string) => unknown): unknown {
  try {
    return parser(line);
  } catch (error) {
    throw new InvalidLine(`${where}, line ${number}: not valid JSON (${(error as Error).message}); nothing of this load was applied`, { cause: error });
  }
}

/** `exact`: the item is from parseLineExactly; json columns keep its numbers as written, the others get what parseLine gives. */
function encodeItem(item: unknown, number: number, columns: StagedColumn[], where: string, parts: string[], exact = false): number {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw new InvalidLine(`${where}, line ${number}: expected a JSON object; nothing of this load was applied`);
  }
  const values = item as Record<string, unknown>;
  let characters = columns.length;
  for (let index = 0; index < columns.length; index += 1) {
    const column = columns[index]!;
    const written = values[column.name];
    const value = exact && column.sqlType !== 'JSONB' && isRawJson(written) ? asParsed(written) : written;
    let field = NULL;
    if (value === null || value === undefined) {
      if (column.key) throw new InvalidLine(`${where}, line ${number}: the key column "${column.name}" is missing; nothing of this load was applied`);
    } else {
      try {
        field = column.encode(value);
      } catch (error) {
        // In the exact pass, a number an integer column cannot hold exactly (1e30) is refused as it is.
        const refused = error instanceof ValueMismatch ? error.message : exact && error instanceof InexactNumber ? 'expected an integer it can hold' : undefined;
        if (refused === undefined) throw error;
        throw new InvalidLine(`${where}, line ${number}, column "${column.name}": ${refused}, got ${JSON.stringify(value).slice(0, 80)}; nothing of this load was applied`);
      }
    }
    parts.push(field, index === columns.length - 1 ? '\n' : '\t');
    characters += field.length;
  }
  return characters;
}
