// A rehearsal's sandbox enforces what Lambda enforces: the function's Timeout and its MemorySize.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LambdaFunction } from '../../infra/rehearse/assembly.ts';
import { createSandboxes, LambdaError } from '../../infra/rehearse/sandbox.ts';

const dir = mkdtempSync(join(tmpdir(), 'focus-sync-sandbox-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

writeFileSync(join(dir, 'index.mjs'), `
const held = [];
export const handler = async (event, context) => {
  if (event.hang) return new Promise(() => {});
  if (event.allocateMb) held.push(Buffer.alloc(event.allocateMb * 1024 * 1024, 1));
  if (event.fail) throw Object.assign(new Error('as asked'), { name: 'ConfigurationError' });
  return { name: context.functionName, memory: context.memoryLimitInMB, remaining: context.getRemainingTimeInMillis(), variable: process.env.SOME_SETTING };
};
`);

function sandboxesOf(fn: Partial<LambdaFunction>) {
  const full: LambdaFunction = { id: 'Step', runtime: 'nodejs24.x', handler: 'index.handler', memoryMb: 256, timeoutSeconds: 5, environment: {}, bundleDir: dir, ...fn };
  return createSandboxes(full, { env: { PATH: process.env.PATH!, AWS_LAMBDA_FUNCTION_NAME: 'Stack-Step', AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(full.memoryMb), SOME_SETTING: 'set' }, arn: 'arn:aws:lambda:us-east-1:000000000000:function:Stack-Step', logFile: join(dir, `${full.id}.log`) });
}

describe('a function\'s sandbox', () => {
  it('gives the handler its environment and Lambda context, and keeps the process warm after a handler\'s error', async () => {
    const sandboxes = sandboxesOf({});
    try {
      const first = await sandboxes.invoke({});
      expect(first.output).toEqual({ name: 'Stack-Step', memory: '256', remaining: expect.any(Number), variable: 'set' });
      expect((first.output as { remaining: number }).remaining).toBeGreaterThan(4_000);
      expect(first.cold).toBe(true);
      await expect(sandboxes.invoke({ fail: true })).rejects.toMatchObject({ name: 'ConfigurationError', errorMessage: 'as asked' });
      expect((await sandboxes.invoke({})).cold).toBe(false);
    } finally {
      sandboxes.close();
    }
  });

  it('ends an invocation that outlives the function\'s Timeout with Sandbox.Timedout', async () => {
    const sandboxes = sandboxesOf({ timeoutSeconds: 1 });
    try {
      const started = Date.now();
      const error = await sandboxes.invoke({ hang: true }).catch((failure: unknown) => failure);
      expect(error).toBeInstanceOf(LambdaError);
      expect(error).toMatchObject({ name: 'Sandbox.Timedout', errorMessage: expect.stringContaining('Task timed out after 1.00 seconds') });
      expect(Date.now() - started).toBeLessThan(3_000);
      // A fresh sandbox serves the next invocation.
      expect((await sandboxes.invoke({})).cold).toBe(true);
    } finally {
      sandboxes.close();
    }
  });

  it('reports its own peak memory, not that of the process that started it', async () => {
    // The forking process (this test's) made 300 MB larger first: Linux's maxRSS would carry that
    // over into the sandbox through fork and exec.
    const ballast = Buffer.alloc(300 * 1024 * 1024, 1);
    const sandboxes = sandboxesOf({});
    try {
      const idle = await sandboxes.invoke({});
      expect(idle.peakMb).toBeLessThan(200);
      const fed = await sandboxes.invoke({ allocateMb: 100 });
      expect(fed.peakMb - idle.peakMb).toBeGreaterThanOrEqual(95);
    } finally {
      sandboxes.close();
    }
    expect(ballast.length).toBeGreaterThan(0);
  });

  it('fails an invocation whose peak memory passes the function\'s MemorySize', async () => {
    const sandboxes = sandboxesOf({ id: 'Hungry', memoryMb: 128 });
    try {
      await expect(sandboxes.invoke({ allocateMb: 160 })).rejects.toMatchObject({ name: 'Runtime.OutOfMemory', errorMessage: expect.stringMatching(/^Hungry used \d+ MB, more than its MemorySize of 128 MB/) });
    } finally {
      sandboxes.close();
    }
  });
});
