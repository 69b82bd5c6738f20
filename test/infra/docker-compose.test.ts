// docker-compose.yml is the whole local stack for those with Docker and no Node.js: PostgreSQL (also
// docs/configuration.md's alternative to the embedded one, giving .env.example's DATABASE_URL), the simulator,
// and the sync run against both. No Docker engine runs here, so the file is checked against the project.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ENVIRONMENT_VARIABLES, loadConfig } from '../../functions/core/config.ts';
import { DEFAULTS } from '../../simulator/options.ts';
import { SHARED_BUFFERS } from '../../statemachine/local/embedded-postgres.ts';

interface Service {
  image?: string;
  build?: string;
  entrypoint?: string[];
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  network_mode?: string;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
const compose = parse(read('docker-compose.yml')) as { services: Record<string, Service> };
const { postgres, simulator, sync } = compose.services as Record<'postgres' | 'simulator' | 'sync', Service>;
const envExample = read('.env.example');
const packageJson = JSON.parse(read('package.json')) as { scripts: Record<string, string>; devDependencies: Record<string, string> };

/** What a service runs: its entrypoint and its command, as Docker joins them. */
const commandOf = (service: Service) => [...(service.entrypoint ?? []), ...(service.command ?? [])];
/** The value of `--name` in a command, if given. */
const argument = (command: string[], name: string) => (command.includes(`--${name}`) ? command[command.indexOf(`--${name}`) + 1] : undefined);

describe('docker-compose.yml', () => {
  it('runs PostgreSQL 16 with the database, user, password and port of .env.example\'s DATABASE_URL', () => {
    const url = new URL(envExample.match(/^DATABASE_URL=(.+)$/m)![1]!.trim());
    expect(postgres.image).toMatch(/^postgres:16(\.|$)/);
    expect(postgres.environment).toMatchObject({ POSTGRES_USER: url.username, POSTGRES_PASSWORD: url.password, POSTGRES_DB: url.pathname.slice(1) });
    expect(postgres.ports).toContain(`${url.port}:5432`);
    expect(url.hostname).toBe('localhost');
    expect(postgres.healthcheck?.test.join(' ')).toContain(`-d ${url.pathname.slice(1)}`);
  });

  it('sizes shared_buffers as the embedded PostgreSQL does', () => {
    expect(postgres.command).toEqual(['postgres', '-c', `shared_buffers=${SHARED_BUFFERS}`]);
  });

  it('runs one of the project\'s npm scripts in every service built from the repository', () => {
    const built = Object.entries(compose.services).filter(([, service]) => service.build);
    expect(built.map(([name]) => name).sort()).toEqual(['simulator', 'sync']);
    for (const [name, service] of built) {
      const [npm, run, script] = commandOf(service);
      expect([npm, run], name).toEqual(['npm', 'run']);
      expect(Object.keys(packageJson.scripts), name).toContain(script);
    }
    // `docker compose run --rm sync -- --mode full` appends to the entrypoint: npm run sync -- --mode full.
    expect(sync.entrypoint).toEqual(['npm', 'run', 'sync']);
    expect(sync.command).toBeUndefined();
  });

  it('gives the sync only variables the configuration reads, and they make a valid configuration', () => {
    const env = sync.environment!;
    for (const key of Object.keys(env)) expect(ENVIRONMENT_VARIABLES, key).toContain(key);
    const config = loadConfig(env);
    expect(config.api).toMatchObject({ businessService: argument(commandOf(simulator), 'business-service') ?? DEFAULTS.businessService, countries: DEFAULTS.countries, username: DEFAULTS.username, password: DEFAULTS.password });
  });

  it('has the sync reach PostgreSQL by its service name and the simulator in the simulator service\'s network', () => {
    const database = new URL(sync.environment!.DATABASE_URL!);
    expect(database.hostname).toBe('postgres');
    expect(database.port).toBe('5432');
    expect(postgres.environment).toMatchObject({ POSTGRES_USER: database.username, POSTGRES_PASSWORD: database.password, POSTGRES_DB: database.pathname.slice(1) });
    // Plain http is accepted from a loopback host only: the sync shares the simulator's network namespace.
    expect(sync.network_mode).toBe('service:simulator');
    const api = new URL(sync.environment!.FOCUS_API_URL!);
    expect(api.hostname).toBe('127.0.0.1');
    expect(api.port).toBe(argument(commandOf(simulator), 'port'));
    expect(argument(commandOf(simulator), 'host')).toBe('0.0.0.0');
    expect(sync.depends_on).toEqual({ postgres: { condition: 'service_healthy' }, simulator: { condition: 'service_started' } });
  });

  it('builds its image on the Node.js major version of the pinned node package, without node_modules or a local .env', () => {
    const from = read('Dockerfile').match(/^FROM node:(\d+)/m)?.[1];
    expect(from).toBe(packageJson.devDependencies.node!.split('.')[0]);
    const ignored = read('.dockerignore').split('\n');
    for (const entry of ['node_modules', '.env', 'cdk.out', '.focus-sync']) expect(ignored).toContain(entry);
  });
});
