// Creates and evolves the mirror's tables, idempotently: run it every time, before any load.
import { inDatabase } from '../errors.ts';
import { primaryKey, requireTimestamps, type Resource } from '../resources.ts';
import { columnType } from './column-types.ts';
import type { Sql, Transaction } from './connection.ts';
import { countrySchema, qualified, quoteIdentifier, SYNC_SCHEMA } from './identifiers.ts';
import { PAIR_STATUS_VIEW, RUNS_DIFFERENCES, RUNS_STATUSES_MIGRATION, RUNS_TABLE } from './ledger.ts';

const SYNC_TABLES = [
  `CREATE TABLE IF NOT EXISTS ${SYNC_SCHEMA}.resources (
     resource   text PRIMARY KEY,
     attributes jsonb NOT NULL,
     updated_at timestamptz NOT NULL DEFAULT now())`,
  `CREATE TABLE IF NOT EXISTS ${SYNC_SCHEMA}.state (
     resource    text NOT NULL,
     country     text NOT NULL,
     watermark   timestamp,
     last_mode   text NOT NULL,
     last_run    text NOT NULL,
     needs_full  boolean NOT NULL DEFAULT false,
     synced_at   timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (resource, country))`,
  `CREATE TABLE IF NOT EXISTS ${SYNC_SCHEMA}.leases (
     resource    text NOT NULL,
     country     text NOT NULL,
     execution   text NOT NULL,
     acquired_at timestamptz NOT NULL DEFAULT now(),
     expires_at  timestamptz NOT NULL,
     PRIMARY KEY (resource, country))`,
  // The holder's proof of life (functions/core/db/leases.ts) and the step it last worked in. Only
  // when missing: ALTER TABLE would wait for every transaction that holds a lease row (a load).
  `DO $$ BEGIN
     IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = '${SYNC_SCHEMA}.leases'::regclass AND attname = 'alive_lock') THEN
       ALTER TABLE ${SYNC_SCHEMA}.leases ADD COLUMN execution_arn text, ADD COLUMN alive_lock bigint, ADD COLUMN step text;
     END IF;
   END $$`,
  RUNS_TABLE,
  RUNS_STATUSES_MIGRATION,
  RUNS_DIFFERENCES,
  PAIR_STATUS_VIEW,
];

/** Creates what is missing and returns warnings for what it would not change. */
export async function buildDbSchema(sql: Sql, resources: Resource[], countries: string[], schemaPrefix: string): Promise<string[]> {
  const warnings: string[] = [];
  await inDatabase('Creating or evolving the tables', () => sql.begin(async (transaction) => {
    // Two runs may start at once: let one of them create the objects, the other then finds them.
    await transaction`SELECT pg_advisory_xact_lock(hashtext('focus_sync.ddl'))`;
    await transaction.unsafe(`CREATE SCHEMA IF NOT EXISTS ${SYNC_SCHEMA}`);
    for (const statement of SYNC_TABLES) await transaction.unsafe(statement);
    for (const resource of resources) {
      requireTimestamps(resource);
      await transaction`
        INSERT INTO focus_sync.resources (resource, attributes) VALUES (${resource.name}, ${transaction.json(resource.attributes as never)})
        ON CONFLICT (resource) DO UPDATE SET attributes = excluded.attributes, updated_at = now()
        WHERE focus_sync.resources.attributes IS DISTINCT FROM excluded.attributes`;
      for (const country of countries) {
        const schema = countrySchema(schemaPrefix, country);
        await transaction.unsafe(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
        await transaction.unsafe(createTable(qualified(schema, resource.name), resource));
        warnings.push(...(await evolveTable(transaction, schema, resource, country)));
      }
    }
  }));
  return warnings;
}

function createTable(table: string, resource: Resource): string {
  const columns = resource.attributes.map((attribute) => `${quoteIdentifier(attribute.name)} ${columnType(attribute.type).sql}`);
  const key = primaryKey(resource).map(quoteIdentifier).join(', ');
  return `CREATE TABLE IF NOT EXISTS ${table} (${columns.join(', ')}, PRIMARY KEY (${key}))`;
}

/** Adds attributes the schema gained; reports, but never alters, a column whose type changed. */
async function evolveTable(sql: Transaction, schema: string, resource: Resource, country: string): Promise<string[]> {
  const existing = await sql<{ name: string; type: string }[]>`
    SELECT a.attname AS name, format_type(a.atttypid, NULL) AS type
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ${schema} AND c.relname = ${resource.name} AND a.attnum > 0 AND NOT a.attisdropped`;
  const types = new Map(existing.map((column) => [column.name, column.type]));
  const table = qualified(schema, resource.name);
  const warnings: string[] = [];
  for (const attribute of resource.attributes) {
    const type = columnType(attribute.type);
    if (type.unknown) warnings.push(`${resource.name}.${attribute.name}: unknown API type "${attribute.type}", stored as JSONB`);
    const current = types.get(attribute.name);
    if (current === undefined) {
      await sql.unsafe(`ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${quoteIdentifier(attribute.name)} ${type.sql}`);
      // Rows already mirrored have no value for the new column: only a full load fills it.
      await sql`UPDATE focus_sync.state SET needs_full = true WHERE resource = ${resource.name} AND country = ${country}`;
      continue;
    }
    const [{ wanted }] = await sql<[{ wanted: string }]>`SELECT format_type(${type.sql}::regtype, NULL) AS wanted`;
    if (wanted !== current) {
      warnings.push(`${table}.${quoteIdentifier(attribute.name)} is ${current} but the API now says ${attribute.type} (${wanted}); left unchanged: alter it by hand or drop the table for a full reload`);
    }
  }
  return warnings;
}
