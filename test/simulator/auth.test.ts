import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../simulator/index.ts';
import { authenticate, get, post } from './api.ts';

let simulator: Simulator;

beforeAll(async () => {
  simulator = await startSimulator({ items: 10, username: 'ada', password: 's3cret' });
});

afterAll(() => simulator.stop());

describe('authentication', () => {
  it('answers 201 with an opaque token for the right credentials', async () => {
    const response = await post(simulator, '/api/v1/auth', { username: 'ada', password: 's3cret' });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { token: unknown };
    expect(typeof body.token).toBe('string');
    expect((body.token as string).length).toBeGreaterThanOrEqual(16);
  });

  it('issues a different token every time', async () => {
    expect(await authenticate(simulator)).not.toBe(await authenticate(simulator));
  });

  it('answers 401 with a JSON error for wrong credentials', async () => {
    for (const body of [{ username: 'ada', password: 'wrong' }, { username: 'bob', password: 's3cret' }]) {
      const response = await post(simulator, '/api/v1/auth', body);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: expect.any(String) });
    }
  });

  it('answers 400 for a body that is not JSON or lacks the fields', async () => {
    for (const body of ['{not json', '[]', JSON.stringify({ username: 'ada' }), JSON.stringify({ username: 1, password: 2 })]) {
      const response = await post(simulator, '/api/v1/auth', body);
      expect(response.status, body).toBe(400);
      expect(await response.json()).toEqual({ error: expect.any(String) });
    }
  });

  it('accepts the raw token, without Bearer, on later requests', async () => {
    const token = await authenticate(simulator);
    expect((await get(simulator, token, '/resource/schema')).status).toBe(200);
    expect((await get(simulator, `Bearer ${token}`, '/resource/schema')).status).toBe(401);
  });

  it('answers 401 when the token is missing or unknown', async () => {
    for (const token of [undefined, '', 'not-a-token']) {
      const response = await get(simulator, token, '/resource/promotions/de/state');
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: expect.any(String) });
    }
  });

  it('asks for a token before it says a path does not exist', async () => {
    expect((await get(simulator, undefined, '/resource/nothing/de/full/lines')).status).toBe(401);
  });

  it('answers 401 once the token is older than its lifetime', async () => {
    const shortLived = await startSimulator({ items: 10, tokenTtlSeconds: 1 });
    try {
      const token = await authenticate(shortLived);
      expect((await get(shortLived, token, '/resource/promotions/de/state')).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1200));
      const expired = await get(shortLived, token, '/resource/promotions/de/state');
      expect(expired.status).toBe(401);
      expect(((await expired.json()) as { error: string }).error).toMatch(/expired/);
      expect((await get(shortLived, await authenticate(shortLived), '/resource/promotions/de/state')).status).toBe(200);
    } finally {
      await shortLived.stop();
    }
  });
});
