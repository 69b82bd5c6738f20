// Finds or starts the PostgreSQL every test uses: DATABASE_URL if set, else an embedded PostgreSQL 16.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../statemachine/local/embedded-postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.DATABASE_URL) {
    project.provide('databaseUrl', process.env.DATABASE_URL);
    return async () => {};
  }
  const directory = await mkdtemp(join(tmpdir(), 'focus-sync-test-'));
  await chmod(directory, 0o755);
  const postgres = await startEmbeddedPostgres(join(directory, 'data'), { persistent: false });
  project.provide('databaseUrl', postgres.url);
  return async () => {
    await postgres.stop();
    await rm(directory, { recursive: true, force: true });
  };
}
