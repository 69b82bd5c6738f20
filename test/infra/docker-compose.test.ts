// docker-compose.yml is docs/configuration.md's alternative to the embedded PostgreSQL: it must give the
// database that .env.example's DATABASE_URL names.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SHARED_BUFFERS } from '../../statemachine/local/embedded-postgres.ts';

const compose = parse(readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8')) as {
  services: Record<string, { image: string; command?: string[]; environment: Record<string, string>; ports: string[]; healthcheck?: { test: string[] } }>;
};
const envExample = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');

describe('docker-compose.yml', () => {
  it('runs PostgreSQL 16 with the database, user, password and port of .env.example\'s DATABASE_URL', () => {
    const url = new URL(envExample.match(/^DATABASE_URL=(.+)$/m)![1]!.trim());
    const { postgres } = compose.services;
    expect(postgres!.image).toMatch(/^postgres:16(\.|$)/);
    expect(postgres!.environment).toMatchObject({ POSTGRES_USER: url.username, POSTGRES_PASSWORD: url.password, POSTGRES_DB: url.pathname.slice(1) });
    expect(postgres!.ports).toContain(`${url.port}:5432`);
    expect(url.hostname).toBe('localhost');
    expect(postgres!.healthcheck?.test.join(' ')).toContain(`-d ${url.pathname.slice(1)}`);
  });

  it('sizes shared_buffers as the embedded PostgreSQL does', () => {
    expect(compose.services.postgres!.command).toEqual(['postgres', '-c', `shared_buffers=${SHARED_BUFFERS}`]);
  });
});
