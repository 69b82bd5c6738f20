// The fast path of a load: received lines, still UTF-8 bytes, to COPY text in WebAssembly
// (transcoder.as.ts), without a JavaScript string or object per line. Lines it leaves (anything
// unusual, and every line it would refuse) go to the JavaScript encoders one by one, in order, so
// that a load's result and its error messages are those of the JavaScript path.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { TRANSCODER_WASM } from './wasm.ts';

/** The column kinds transcoder.as.ts encodes; a load with a column of any other type stays in JavaScript. */
export const TRANSCODER_KINDS: Readonly<Record<string, number>> = {
  int64: 1, int32: 2, int: 2, int16: 3, 'database.nullint16': 3, float64: 4, string: 5, bool: 6, date: 7, time: 8, datetime: 8, '[]string': 9,
  uuid: 10, bytes: 11, float32: 12, json: 13,
};

export interface TranscodedColumn {
  name: string;
  key: boolean;
  /** From TRANSCODER_KINDS; undefined when the column's type has no fast path. */
  transcoderKind?: number | undefined;
}

// The part of the WebAssembly API used here (the project's TypeScript libraries do not declare it).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
const { Module, Instance } = (globalThis as unknown as {
  WebAssembly: { Module: new (bytes: Uint8Array) => object; Instance: new (module: object, imports: object) => { exports: unknown } };
}).WebAssembly;

interface Exports {
  memory: WasmMemory;
  configure(columns: number, scratchAt: number, binary: number): void;
  start(inputAt: number, inputLength: number, outputAt: number, outputLength: number): void;
  resetOutput(): void;
  outputLength(): number;
  linesDone(): number;
  stoppedAt(): number;
  stoppedEnd(): number;
  run(): number;
}

const DONE = 0;
const NEEDS_JS = 2;
// The layout transcoder.as.ts expects: the column table, its per-line value slots, the names.
const COLUMN_BYTES = 16;
const MAX_COLUMNS = 1024;
const NAMES_AT = (COLUMN_BYTES + 8) * MAX_COLUMNS;
const REGIONS_AT = 1 << 16;
const PAGE_BYTES = 1 << 16;
const MIN_REGION = 1 << 16;

// null: this machine's WebAssembly cannot compile the module (it uses 128-bit SIMD, which V8 has
// on every x86-64 CPU with SSE4.1 and on arm64); loads then use the JavaScript encoders.
let compiled: object | undefined | null;

function compiledModule(): object | null {
  if (compiled === undefined) {
    try {
      compiled = new Module(Buffer.from(TRANSCODER_WASM, 'base64'));
    } catch (error) {
      compiled = null;
      process.emitWarning(`The COPY transcoder cannot run here (${(error as Error).message}): loads use the JavaScript encoders, which are slower`);
    }
  }
  return compiled;
}

// The fast path leaves almost no garbage on the JavaScript heap, so V8 seldom collects; but each
// received chunk and each COPY chunk is a Buffer outside that heap, which V8 frees only when it
// collects, and lets reach 64 MB first. A minor collection per 512 KB read keeps a load's memory
// flat (peak RSS 146 → about 113 MB for a million rows; per MB, the faster transcoder left the
// every-type resource 3 MB above that; see docs/performance.md). gc() is obtained as the expose-gc
// flag allows; where it is not, loads work the same with more memory.
const COLLECT_EVERY_BYTES = 1 << 19;
let collectYoung: (() => void) | undefined | null = null;
let sinceCollection = 0;

/** Made on first use: the steps that load nothing never create the context it takes. */
function youngCollector(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as ((options: { type: 'minor' }) => void) | undefined;
    return gc && (() => gc({ type: 'minor' }));
  } catch {
    return undefined;
  }
}

/** COPY's binary format: its signature, no flags, no header extension; and its end. */
export const BINARY_HEADER = Buffer.from([...Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), 0, 0, 0, 0, 0, 0, 0, 0]);
export const BINARY_TRAILER = Buffer.from([0xff, 0xff]);

export class Transcoder {
  /** Whether it writes COPY's binary format (else text). */
  readonly binary: boolean;
  readonly #wasm: Exports;
  readonly #columns: number;
  #capacity = 0;
  #inputAt = 0;
  #outputAt = 0;
  #outputBytes = 0;

  /**
   * A transcoder for these columns, writing COPY text or, with `binary`, COPY's binary format; or
   * undefined when one of them needs JavaScript (or WebAssembly cannot run it).
   */
  static for(columns: TranscodedColumn[], { binary = false } = {}): Transcoder | undefined {
    return Transcoder.takes(columns) ? new Transcoder(compiledModule()!, columns, binary) : undefined;
  }

  /** Whether there is one for these columns here (see for). */
  static takes(columns: TranscodedColumn[]): boolean {
    const namesLength = columns.reduce((sum, column) => sum + Buffer.byteLength(column.name), 0);
    return columns.length <= MAX_COLUMNS && NAMES_AT + namesLength <= REGIONS_AT && columns.every((column) => column.transcoderKind !== undefined)
      && compiledModule() !== null;
  }

  private constructor(module: object, columns: TranscodedColumn[], binary: boolean) {
    const names = columns.map((column) => Buffer.from(column.name));
    // A float64 with more significant digits than the transcoder converts exactly: Number() of its
    // text, read through a view of the memory made again only when the memory has grown.
    let memory = Buffer.alloc(0);
    const decimalValue = (at: number, length: number) => {
      if (memory.buffer !== this.#wasm.memory.buffer) memory = Buffer.from(this.#wasm.memory.buffer);
      return Number(memory.toString('latin1', at, at + length));
    };
    this.#wasm = new Instance(module, { env: { decimalValue } }).exports as Exports;
    this.binary = binary;
    this.#columns = columns.length;
    this.#wasm.memory.grow(REGIONS_AT / PAGE_BYTES);
    const table = new DataView(this.#wasm.memory.buffer);
    const heap = new Uint8Array(this.#wasm.memory.buffer);
    let nameAt = NAMES_AT;
    columns.forEach((column, index) => {
      const entry = index * COLUMN_BYTES;
      table.setUint8(entry, column.transcoderKind!);
      table.setUint8(entry + 1, column.key ? 1 : 0);
      table.setUint16(entry + 2, names[index]!.length, true);
      table.setUint32(entry + 4, nameAt, true);
      heap.set(names[index]!, nameAt);
      nameAt += names[index]!.length;
    });
    this.#wasm.configure(columns.length, REGIONS_AT, binary ? 1 : 0);
  }

  /**
   * The COPY rows of a batch of complete lines, numbered from `first`. `fast(line, count)` hears
   * of each run of lines encoded here; `slow(bytes, line)` must return the COPY text of a line
   * left to JavaScript ('' for one that makes no row), or throw where it cannot (binary).
   */
  encode(bytes: Uint8Array, first: number, fast: (line: number, count: number) => void, slow: (bytes: Uint8Array, line: number) => string): Buffer[] {
    this.#reserve(bytes.length);
    sinceCollection += bytes.length;
    if (sinceCollection >= COLLECT_EVERY_BYTES) {
      sinceCollection = 0;
      if (collectYoung === null) collectYoung = youngCollector();
      collectYoung?.();
    }
    const wasm = this.#wasm;
    const heap = new Uint8Array(wasm.memory.buffer);
    heap.set(bytes, this.#inputAt);
    wasm.start(this.#inputAt, bytes.length, this.#outputAt, this.#outputBytes);
    const pieces: Buffer[] = [];
    const take = () => {
      const length = wasm.outputLength();
      if (length > 0) pieces.push(Buffer.from(heap.subarray(this.#outputAt, this.#outputAt + length)));
      wasm.resetOutput();
    };
    let line = first;
    let done = 0;
    for (;;) {
      const status = wasm.run();
      const consumed = wasm.linesDone() - done;
      done += consumed;
      const encoded = status === NEEDS_JS ? consumed - 1 : consumed;
      if (encoded > 0) fast(line, encoded);
      line += encoded;
      take();
      if (status === DONE) return pieces;
      if (status === NEEDS_JS) {
        const text = slow(heap.subarray(wasm.stoppedAt(), wasm.stoppedEnd()), line);
        if (text.length > 0) pieces.push(Buffer.from(text));
        line += 1;
      }
    }
  }

  /** Room for a batch of `length` bytes: scratch and output take at most twice a line, plus a null and a tab per column (in binary, 32 bytes: see transcoder.as.ts). */
  #reserve(length: number): void {
    if (length <= this.#capacity) return;
    const capacity = Math.max(MIN_REGION, 2 ** Math.ceil(Math.log2(length)));
    // Scratch (before the input) and output are the same size.
    const encodedBytes = 2 * capacity + (this.binary ? 32 : 3) * this.#columns + 64;
    this.#inputAt = REGIONS_AT + encodedBytes;
    this.#outputAt = this.#inputAt + capacity;
    this.#outputBytes = encodedBytes;
    const needed = this.#outputAt + this.#outputBytes;
    const have = this.#wasm.memory.buffer.byteLength;
    if (needed > have) this.#wasm.memory.grow(Math.ceil((needed - have) / PAGE_BYTES));
    this.#capacity = capacity;
  }
}
