// A function's sandboxes: each a process of Node.js running its bundle with the template's
// environment, its MemorySize as the heap's limit and its Timeout enforced. A warm sandbox serves
// the next invocation; one is added while all are busy, as Lambda scales a function out.
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { handlerModule, type LambdaFunction } from './assembly.ts';

const RUNTIME = fileURLToPath(new URL('./lambda-runtime.mjs', import.meta.url));
// The share of MemorySize given to V8's old space; the rest is the young generation, code and buffers.
const HEAP_SHARE = 0.9;
const TAIL_LINES = 5;

/** A function's error as Step Functions sees it: the errorType as Error, Lambda's JSON as Cause. */
export class LambdaError extends Error {
  readonly errorMessage: string;

  constructor(errorType: string, errorMessage: string, trace: string[] = []) {
    super(JSON.stringify({ errorType, errorMessage, trace }));
    this.name = errorType;
    this.errorMessage = errorMessage;
  }
}

export interface Invocation {
  output: unknown;
  durationMs: number;
  /** The sandbox's peak resident memory so far, as Lambda's "Max Memory Used". */
  peakMb: number;
  cold: boolean;
}

export interface Sandboxes {
  invoke(event: unknown): Promise<Invocation>;
  close(): void;
}

interface Sandbox {
  child: ChildProcess;
  ready: Promise<void>;
  served: number;
}

interface Reply {
  value?: unknown;
  error?: { errorType: string; errorMessage: string; trace: string[] };
  maxRssKb: number;
}

export function createSandboxes(fn: LambdaFunction, options: { env: Record<string, string>; arn: string; logFile: string }): Sandboxes {
  const idle: Sandbox[] = [];
  const all = new Set<Sandbox>();
  const lines: string[] = [];
  const log: WriteStream = createWriteStream(options.logFile, { flags: 'a' });
  const record = (chunk: Buffer) => {
    log.write(chunk);
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - TAIL_LINES));
  };
  const module = handlerModule(fn);
  const start = (): Sandbox => {
    const child = fork(RUNTIME, [module, fn.handler.slice(fn.handler.lastIndexOf('.') + 1), options.arn], {
      execPath: process.execPath,
      execArgv: [`--max-old-space-size=${Math.floor(fn.memoryMb * HEAP_SHARE)}`],
      cwd: fn.bundleDir,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    child.stdout!.on('data', record);
    child.stderr!.on('data', record);
    const sandbox: Sandbox = {
      child,
      served: 0,
      ready: new Promise((resolve, reject) => {
        child.once('message', () => resolve());
        child.once('exit', (code, signal) => reject(exited(code, signal)));
      }),
    };
    sandbox.ready.catch(() => {});
    all.add(sandbox);
    child.once('exit', () => {
      all.delete(sandbox);
      if (idle.includes(sandbox)) idle.splice(idle.indexOf(sandbox), 1);
    });
    return sandbox;
  };
  const retire = (sandbox: Sandbox) => {
    sandbox.child.kill('SIGKILL');
    all.delete(sandbox);
  };

  return {
    async invoke(event) {
      const sandbox = idle.pop() ?? start();
      const cold = sandbox.served === 0;
      const started = performance.now();
      let reply: Reply;
      try {
        await sandbox.ready;
        reply = await call(sandbox.child, event, fn.timeoutSeconds * 1000);
      } catch (error) {
        retire(sandbox);
        throw error;
      }
      const peakMb = Math.ceil(reply.maxRssKb / 1024);
      if (peakMb > fn.memoryMb) {
        retire(sandbox);
        throw new LambdaError('Runtime.OutOfMemory', `${fn.id} used ${peakMb} MB, more than its MemorySize of ${fn.memoryMb} MB: Lambda would have ended it`);
      }
      // A handler's error leaves its sandbox warm, as on Lambda.
      sandbox.served += 1;
      idle.push(sandbox);
      if (reply.error) throw new LambdaError(reply.error.errorType, reply.error.errorMessage, reply.error.trace);
      return { output: reply.value, durationMs: Math.round(performance.now() - started), peakMb, cold };
    },
    close() {
      for (const sandbox of all) sandbox.child.kill('SIGKILL');
      all.clear();
      log.end();
    },
  };

  /** Resolves with the handler's result or error; rejects when the sandbox timed out (and was ended) or died. */
  function call(child: ChildProcess, event: unknown, timeoutMs: number): Promise<Reply> {
    const requestId = randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new LambdaError('Sandbox.Timedout', `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds (${fn.id}'s Timeout in the template)`));
      }, timeoutMs);
      const onMessage = (message: Reply & { type: string; requestId: string }) => {
        if (message.type !== 'result' || message.requestId !== requestId) return;
        cleanup();
        resolve(message);
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        cleanup();
        reject(exited(code, signal));
      };
      const cleanup = () => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send({ requestId, event, deadline: Date.now() + timeoutMs });
    });
  }

  function exited(code: number | null, signal: NodeJS.Signals | null): LambdaError {
    return new LambdaError('Runtime.ExitError', `${fn.id}'s sandbox exited (${signal ?? `exit status ${code}`}); its last output: ${lines.join(' | ') || 'none'}`);
  }
}
