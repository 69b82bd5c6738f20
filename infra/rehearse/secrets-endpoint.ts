// Secrets Manager on localhost: GetSecretValue in the AWS JSON 1.1 protocol, for the secrets the
// rehearsal stands in for. The functions' SDK finds it through AWS_ENDPOINT_URL_SECRETS_MANAGER.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StoredSecret {
  arn: string;
  value: Record<string, unknown>;
}

export interface SecretsEndpoint {
  url: string;
  /** How many times each secret was read, by ARN. */
  reads: ReadonlyMap<string, number>;
  stop(): Promise<void>;
}

const CONTENT_TYPE = 'application/x-amz-json-1.1';

export async function startSecretsEndpoint(secrets: readonly StoredSecret[]): Promise<SecretsEndpoint> {
  const reads = new Map<string, number>();
  const server = createServer((request, response) => {
    void answer(request, response, secrets, reads).catch(() => reply(response, 500, error('InternalServiceError', 'the rehearsal\'s endpoint failed')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    reads,
    stop: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

async function answer(request: IncomingMessage, response: ServerResponse, secrets: readonly StoredSecret[], reads: Map<string, number>): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const target = request.headers['x-amz-target'];
  if (request.method !== 'POST' || target !== 'secretsmanager.GetSecretValue') {
    return reply(response, 400, error('UnknownOperationException', `the rehearsal answers secretsmanager.GetSecretValue only, not ${String(target)}`));
  }
  // A request the SDK did not sign would be refused by AWS too.
  if (!String(request.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ')) {
    return reply(response, 400, error('MissingAuthenticationTokenException', 'the request is not signed (no AWS credentials in the function\'s environment)'));
  }
  const { SecretId } = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { SecretId?: string };
  const secret = secrets.find((candidate) => candidate.arn === SecretId || nameOf(candidate.arn) === SecretId);
  if (!secret) return reply(response, 400, error('ResourceNotFoundException', 'Secrets Manager can\'t find the specified secret.'));
  reads.set(secret.arn, (reads.get(secret.arn) ?? 0) + 1);
  return reply(response, 200, {
    ARN: secret.arn,
    Name: nameOf(secret.arn),
    SecretString: JSON.stringify(secret.value),
    VersionId: '00000000-0000-4000-8000-000000000000',
    VersionStages: ['AWSCURRENT'],
    CreatedDate: Math.floor(Date.now() / 1000),
  });
}

function nameOf(arn: string): string {
  return arn.split(':secret:')[1]!.replace(/-\w{6}$/, '');
}

function error(type: string, message: string): Record<string, string> {
  return { __type: type, message };
}

function reply(response: ServerResponse, status: number, body: Record<string, unknown>): void {
  const type = typeof body.__type === 'string' ? { 'x-amzn-errortype': body.__type } : {};
  response.writeHead(status, { 'content-type': CONTENT_TYPE, ...type });
  response.end(JSON.stringify(body));
}
