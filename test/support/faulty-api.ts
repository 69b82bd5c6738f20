// The real API client over the real simulator, with one kind of line stream breaking part-way:
// the network failure a sync must survive without applying half of anything.
import { FocusApi, type LineMode } from '../../functions/core/api/client.ts';
import type { LineBatch } from '../../functions/core/api/ndjson.ts';
import type { Config } from '../../functions/core/config.ts';
import { ApiUnavailable } from '../../functions/core/errors.ts';

export class BrokenStreamApi extends FocusApi {
  readonly #mode: LineMode;
  readonly #after: number;

  constructor(config: Config, mode: LineMode, afterLines: number) {
    super(config.api, { attempts: 1 });
    this.#mode = mode;
    this.#after = afterLines;
  }

  override async *lines(resource: string, country: string, mode: LineMode, since?: string): AsyncGenerator<LineBatch> {
    let count = 0;
    for await (const batch of super.lines(resource, country, mode, since)) {
      if (mode === this.#mode && count + batch.lines.length > this.#after) {
        yield { first: batch.first, lines: batch.lines.slice(0, this.#after - count) };
        throw new ApiUnavailable(`Could not read ${mode} lines of ${resource}/${country}: the connection broke mid-stream (test)`);
      }
      count += batch.lines.length;
      yield batch;
    }
    if (mode === this.#mode) throw new ApiUnavailable(`Could not read ${mode} lines of ${resource}/${country}: the connection broke at the end (test)`);
  }
}
