// A fresh database for each test file, on the cluster the global setup found or started.
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, inject } from 'vitest';
import { connect, type Sql } from '../../functions/core/db/connection.ts';

export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const adminUrl = inject('databaseUrl');
  const name = `focus_sync_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const cleanup = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

/** A fresh database and a focus-sync client on it for one test file: made before its tests, dropped after. */
export function useTestDatabase(): { readonly sql: Sql; readonly url: string } {
  let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  let sql: Sql | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    sql = connect(database.url);
  });
  afterAll(async () => {
    await sql?.end();
    await database?.drop();
  });
  const unavailable = () => new Error('useTestDatabase: the database exists only while the file\'s tests run');
  return {
    get sql(): Sql {
      if (!sql) throw unavailable();
      return sql;
    },
    get url(): string {
      if (!database) throw unavailable();
      return database.url;
    },
  };
}
