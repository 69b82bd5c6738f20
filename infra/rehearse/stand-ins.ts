// What the stack's functions reach on AWS, on this machine: the Focus API as the simulator, the RDS
// database as an embedded PostgreSQL speaking TLS only, and Secrets Manager holding the two secrets.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { API_SECRET_PLACEHOLDER, SECRET_VARIABLES, type Part } from '../../functions/core/config.ts';
import { connect } from '../../functions/core/db/connection.ts';
import { quoteIdentifier } from '../../functions/core/db/identifiers.ts';
import { startSimulator, type Simulator } from '../../simulator/index.ts';
import { startEmbeddedPostgres } from '../../statemachine/local/embedded-postgres.ts';
import type { Deployment } from './assembly.ts';
import { createCertificates } from './certificates.ts';
import { localSecretArn, type TemplateJson } from './references.ts';
import { startSecretsEndpoint, type SecretsEndpoint, type StoredSecret } from './secrets-endpoint.ts';

// As RDS names them for the host that certificates are issued to, and as a DatabaseInstance without databaseName has it.
const DATABASE_HOST = 'localhost';
const DEFAULT_DATABASE = 'postgres';

export interface StandIns {
  simulator: Simulator;
  database: { host: string; port: number; name: string; adminUrl: string };
  caFile: string;
  secrets: SecretsEndpoint;
  stop(): Promise<void>;
}

export interface Api {
  businessService: string;
  countries: string[];
  items: number;
}

/** Started in order, stopped in reverse; a failure part-way stops what had started. */
export async function startStandIns(deployment: Deployment, workDir: string, api: Api, secretParts: ReadonlyMap<string, Part>): Promise<StandIns> {
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const next of stops.reverse()) await next().catch(() => {});
  };
  try {
    const certificates = await createCertificates(join(workDir, 'tls'));
    const postgres = await startEmbeddedPostgres(join(workDir, 'postgres'), { persistent: false, tls: certificates });
    stops.push(() => postgres.stop());
    const { port } = new URL(postgres.url);
    const rds = databaseOf(deployment.template);
    const owner = { username: rds.username, password: randomBytes(15).toString('base64url') };
    const adminUrl = await createDatabase(postgres.url, rds.name, owner);
    const simulator = await startSimulator({ items: api.items, businessService: api.businessService, countries: api.countries });
    stops.push(() => simulator.stop());
    const contents: Record<Part, Record<string, unknown>> = {
      // The RDS secret's own keys, as a DatabaseInstance's generated secret holds them.
      database: { engine: 'postgres', host: DATABASE_HOST, port: Number(port), dbname: rds.name, ...owner },
      // What the operator stores in place of the placeholder after the first deployment.
      api: { username: simulator.options.username, password: simulator.options.password },
    };
    const stored: StoredSecret[] = [...secretParts].map(([arn, part]) => ({ arn, value: contents[part] }));
    const secrets = await startSecretsEndpoint(stored);
    stops.push(() => secrets.stop());
    return { simulator, database: { host: DATABASE_HOST, port: Number(port), name: rds.name, adminUrl }, caFile: certificates.caFile, secrets, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Every secret the functions' environments name, and which part it holds: a secret the stack
 * creates by its resource (the one attached to the database, the one created with the API
 * placeholder), one it imports (a literal ARN) by the variable that names it.
 */
export function stackSecrets(deployment: Deployment): Map<string, Part> {
  const secrets = new Map<string, Part>();
  const { Resources } = deployment.template;
  const attached = new Set(Object.values(Resources).filter((resource) => resource.Type === 'AWS::SecretsManager::SecretTargetAttachment')
    .map((resource) => secretRef(resource.Properties)));
  for (const [id, resource] of Object.entries(Resources)) {
    if (resource.Type !== 'AWS::SecretsManager::Secret') continue;
    const arn = localSecretArn(id);
    if (attached.has(id)) secrets.set(arn, 'database');
    else if (generatedUsername(resource.Properties) === API_SECRET_PLACEHOLDER) secrets.set(arn, 'api');
  }
  for (const fn of deployment.functions.values()) {
    for (const part of ['api', 'database'] as const) {
      const value = fn.environment[SECRET_VARIABLES[part]];
      if (typeof value === 'string' && value.startsWith('arn:') && !secrets.has(value)) secrets.set(value, part);
    }
  }
  return secrets;
}

/** The database the stack's RDS instance is created with: its name and its master user. */
function databaseOf(template: TemplateJson): { name: string; username: string } {
  const instance = Object.values(template.Resources).find((resource) => resource.Type === 'AWS::RDS::DBInstance');
  const attachment = Object.values(template.Resources).find((resource) => resource.Type === 'AWS::SecretsManager::SecretTargetAttachment');
  const secretId = secretRef(attachment?.Properties);
  const username = generatedUsername(secretId ? template.Resources[secretId]?.Properties : undefined);
  return { name: (instance?.Properties?.DBName as string | undefined) ?? DEFAULT_DATABASE, username: username ?? 'focus_sync' };
}

function secretRef(properties: Record<string, unknown> | undefined): string | undefined {
  return (properties?.SecretId as { Ref?: string } | undefined)?.Ref;
}

function generatedUsername(properties: Record<string, unknown> | undefined): string | undefined {
  const template = (properties?.GenerateSecretString as { SecretStringTemplate?: string } | undefined)?.SecretStringTemplate;
  return template ? (JSON.parse(template) as { username?: string }).username : undefined;
}

/** The database and its owner, as RDS creates them; returns the URL the rehearsal itself reads the mirror with. */
async function createDatabase(serverUrl: string, name: string, owner: { username: string; password: string }): Promise<string> {
  const admin = connect(serverUrl, { ssl: 'require', max: 1 });
  try {
    await admin.unsafe(`CREATE ROLE ${quoteIdentifier(owner.username)} LOGIN PASSWORD '${owner.password}'`);
    await admin.unsafe(`CREATE DATABASE ${quoteIdentifier(name)} OWNER ${quoteIdentifier(owner.username)}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.href;
}
