import { request, type IncomingMessage } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../simulator/index.ts';
import { startSimulatorProcess } from '../../bench/processes.ts';
import { authenticate, get, post } from './api.ts';

let big: Simulator;
let token: string;

beforeAll(async () => {
  big = await startSimulator({ items: 1_000_000, countries: ['de'] });
  token = await authenticate(big);
});

afterAll(() => big.stop());

/** A raw GET, so the test sees the bytes on the wire (fetch would decompress them). */
function open(target: Pick<Simulator, 'url'>, path: string, headers: Record<string, string>): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    request(`${target.url}/api/v1/promo${path}`, { headers }, resolve).on('error', reject).end();
  });
}

async function body(response: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('streaming', () => {
  it('gzips lines and JSON when enabled and the client accepts it', async () => {
    const gzip = await startSimulator({ items: 500, gzip: true });
    try {
      const gzipToken = await authenticate(gzip);
      const path = '/resource/promotion_items/de/full/lines';
      const compressed = await open(gzip, path, { authorization: gzipToken, 'accept-encoding': 'gzip, deflate' });
      expect(compressed.headers['content-encoding']).toBe('gzip');
      const plain = await open(gzip, path, { authorization: gzipToken });
      expect(plain.headers['content-encoding']).toBeUndefined();
      const text = (await body(plain)).toString('utf8');
      expect(text.split('\n')).toHaveLength(501);
      expect(gunzipSync(await body(compressed)).toString('utf8')).toBe(text);
      const state = await open(gzip, '/resource/promotion_items/de/state', { authorization: gzipToken, 'accept-encoding': 'gzip' });
      expect(state.headers['content-encoding']).toBe('gzip');
      expect(JSON.parse(gunzipSync(await body(state)).toString('utf8'))).toEqual({ total_items: 500 });
    } finally {
      await gzip.stop();
    }
  });

  it('does not gzip unless enabled', async () => {
    const response = await open(big, '/resource/promotions/de/state', { authorization: token, 'accept-encoding': 'gzip' });
    expect(response.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse((await body(response)).toString('utf8'))).toEqual({ total_items: 1_000_000 });
  });

  it('sends lines at the pace it is given, as a remote API would, the same lines as unpaced', async () => {
    const paced = await startSimulator({ items: 3_000, countries: ['de'] });
    try {
      const pacedToken = await authenticate(paced);
      const path = '/resource/promotions/de/full/lines';
      const unpaced = await (await get(paced, pacedToken, path)).text();
      expect(await (await post(paced, '/__simulator/pace', { linesPerSecond: -1 })).json()).toEqual({ error: 'linesPerSecond must be a non-negative integer, got -1' });
      expect(await (await post(paced, '/__simulator/pace', { linesPerSecond: 10_000 })).json()).toEqual({ linesPerSecond: 10_000 });
      const started = performance.now();
      const text = await (await get(paced, pacedToken, path)).text();
      const seconds = (performance.now() - started) / 1000;
      expect(text).toBe(unpaced);
      // 3,000 lines at 10,000 a second: at least 0.3 s (the last chunk is due then), and not much more.
      expect(seconds).toBeGreaterThanOrEqual(0.29);
      expect(seconds).toBeLessThan(2);
      await post(paced, '/__simulator/pace', { linesPerSecond: 0 });
      const again = performance.now();
      expect(await (await get(paced, pacedToken, path)).text()).toBe(unpaced);
      expect((performance.now() - again) / 1000).toBeLessThan(0.29);
    } finally {
      await paced.stop();
    }
  });

  it('waits for a slow reader instead of generating ahead, and stays responsive meanwhile', async () => {
    const started = performance.now();
    const response = await open(big, '/resource/promotions/de/full/lines', { authorization: token });
    await new Promise((resolve) => response.once('data', resolve));
    response.pause();
    const state = await get(big, token, '/resource/promotions/de/state');
    expect(await state.json()).toEqual({ total_items: 1_000_000 });
    // Generating all million lines takes seconds; the first chunk and an answer take milliseconds.
    expect(performance.now() - started).toBeLessThan(2000);
    response.destroy();
  });

  it('serves streams read at the same time side by side, not one after the other', async () => {
    // In a process of its own, as the sync meets it: here the reader would share its event loop.
    const target = await startSimulatorProcess(['--items', '100000', '--countries', 'de,at']);
    try {
      const auth = await fetch(`${target.url}/api/v1/auth`, { method: 'POST', body: JSON.stringify({ username: 'demo', password: 'demo' }) });
      const { token: processToken } = await auth.json() as { token: string };
      const paths = ['/resource/promotions/de/full/lines', '/resource/promotions/at/full/lines'];
      const responses = await Promise.all(paths.map((path) => open(target, path, { authorization: processToken })));
      const received = [0, 0];
      let whenOneEnded: number[] | undefined;
      await Promise.all(responses.map(async (response, index) => {
        for await (const chunk of response) received[index]! += (chunk as Buffer).length;
        whenOneEnded ??= [...received];
      }));
      // Served in turn, the other stream would hardly have begun when the first one ended.
      const shares = whenOneEnded!.map((bytes, index) => bytes / received[index]!);
      expect(Math.min(...shares), `share of each stream received when the first ended: ${shares.join(', ')}`).toBeGreaterThan(0.5);
    } finally {
      await target.stop();
    }
  });

  it('survives a client that goes away mid-stream, stops generating for it, and serves the next one in full', async () => {
    const started = performance.now();
    for (let attempt = 0; attempt < 3; attempt++) {
      const response = await open(big, '/resource/promotion_items/de/full/lines', { authorization: token });
      await new Promise((resolve) => response.once('data', resolve));
      response.destroy();
    }
    expect((await get(big, token, '/resource/promotions/de/state')).status).toBe(200);
    // Finishing three abandoned million-line streams would take many seconds.
    expect(performance.now() - started).toBeLessThan(3000);
    const small = await startSimulator({ items: 3000 });
    try {
      const smallToken = await authenticate(small);
      const first = await open(small, '/resource/promotions/de/full/lines', { authorization: smallToken });
      await new Promise((resolve) => first.once('data', resolve));
      first.destroy();
      const text = await (await get(small, smallToken, '/resource/promotions/de/full/lines')).text();
      expect(text.split('\n').filter(Boolean)).toHaveLength(3000);
    } finally {
      await small.stop();
    }
    expect((await get(big, token, '/resource/promotions/de/state')).status).toBe(200);
  });

  it('stops while a stream is still open', async () => {
    const target = await startSimulator({ items: 1_000_000, countries: ['de'] });
    const response = await open(target, '/resource/promotions/de/full/lines', { authorization: await authenticate(target) });
    await new Promise((resolve) => response.once('data', resolve));
    response.pause();
    response.on('error', () => {});
    const started = performance.now();
    await target.stop();
    expect(performance.now() - started).toBeLessThan(2000);
    await expect(fetch(`${target.url}/api/v1/auth`)).rejects.toThrow();
  });
});
