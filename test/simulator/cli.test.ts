import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

// Plain node, no tsx: the simulator must run under Node's own type stripping, which refuses
// TypeScript-only runtime syntax (parameter properties, enums, namespaces).
function run(args: string[]) {
  const child = spawn(process.execPath, ['simulator/cli.ts', ...args], { cwd: ROOT });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { child, stdout: () => stdout, stderr: () => stderr };
}

async function exitCode(child: ReturnType<typeof run>['child']): Promise<number | null> {
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

describe('the simulator CLI', () => {
  it('prints its URL and credentials, serves auth, and stops cleanly on SIGTERM', async () => {
    const cli = run(['--port', '0', '--items', '20', '--username', 'ada', '--password', 'pw', '--seed', '5']);
    try {
      while (!cli.stdout().includes('\n')) {
        if (cli.child.exitCode !== null) throw new Error(`the CLI exited: ${cli.stderr()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const line = cli.stdout().trim();
      expect(line).toMatch(/^Focus API simulator on http:\/\/127\.0\.0\.1:\d+ \(business service "promo", user ada, password pw\)/);
      expect(line).toContain('items 20 per resource and country, seed 5');
      const url = /http:\/\/[\d.]+:(\d+)/.exec(line)![0];
      expect(url).not.toMatch(/:0$/);
      const auth = await fetch(`${url}/api/v1/auth`, { method: 'POST', body: JSON.stringify({ username: 'ada', password: 'pw' }) });
      expect(auth.status).toBe(201);
      cli.child.kill('SIGTERM');
      expect(await exitCode(cli.child)).toBe(0);
    } finally {
      cli.child.kill('SIGKILL');
    }
  });

  it('refuses unknown flags and bad numbers, naming the flag', async () => {
    for (const [args, flag] of [
      [['--items', 'lots'], '--items'],
      [['--port', '-3'], '--port'],
      [['--token-ttl', '1.5'], '--token-ttl'],
      [['--itmes', '5'], '--itmes'],
      [['--state-shape', 'nested'], '--state-shape'],
    ] as const) {
      const cli = run([...args]);
      expect(await exitCode(cli.child), args.join(' ')).toBe(2);
      expect(cli.stderr()).toContain(flag);
    }
  });

  it('prints its options with --help', async () => {
    const cli = run(['--help']);
    expect(await exitCode(cli.child)).toBe(0);
    for (const flag of ['--port', '--items', '--seed', '--countries', '--business-service', '--schema', '--gzip']) {
      expect(cli.stdout()).toContain(flag);
    }
  });
});
