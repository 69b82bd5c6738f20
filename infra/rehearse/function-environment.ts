// A function's environment in its sandbox: the template's variables with their references resolved
// to the local stand-ins, and what Lambda itself sets; the two the rehearsal must redirect, said aloud.
import { ENVIRONMENT_VARIABLES } from '../../functions/core/config.ts';
import type { LambdaFunction } from './assembly.ts';
import { REGION, type Resolve } from './references.ts';

/** Where the Lambda runtime keeps the CA bundle that NODE_EXTRA_CA_CERTS names to trust RDS. */
export const LAMBDA_CA_BUNDLE = '/var/runtime/ca-cert.pem';
// Node.js's own variables, which a template may set for any function.
const NODE_VARIABLES = ['NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS'];

export interface Redirects {
  apiUrl: string;
  caFile: string;
  secretsEndpoint: string;
}

export interface FunctionEnvironment {
  env: Record<string, string>;
  /** What differs from the template, for the report: "FOCUS_API_URL https://… → http://127.0.0.1:…". */
  redirected: string[];
}

export function functionEnvironment(fn: LambdaFunction, name: string, resolve: Resolve, redirects: Redirects): FunctionEnvironment {
  const template = Object.fromEntries(Object.entries(fn.environment).map(([key, value]) => [key, resolve(value, `${fn.id}'s Environment.${key}`)]));
  const redirected: string[] = [];
  const redirect = (key: string, to: string, why: string) => {
    if (template[key] === undefined) return;
    redirected.push(`${key} ${template[key]} → ${to} (${why})`);
    template[key] = to;
  };
  redirect('FOCUS_API_URL', redirects.apiUrl, 'the simulator');
  if (template.NODE_EXTRA_CA_CERTS === LAMBDA_CA_BUNDLE) redirect('NODE_EXTRA_CA_CERTS', redirects.caFile, 'the rehearsal\'s CA, standing in for the RDS CAs in Lambda\'s bundle');
  return {
    redirected,
    env: {
      // What Lambda sets in every sandbox; the template cannot change these.
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      LANG: 'en_US.UTF-8',
      TZ: ':UTC',
      LAMBDA_TASK_ROOT: fn.bundleDir,
      _HANDLER: fn.handler,
      AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
      AWS_LAMBDA_FUNCTION_NAME: name,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${name}`,
      AWS_LAMBDA_LOG_STREAM_NAME: 'rehearsal',
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      // The role's credentials on Lambda; here they only sign requests to the local endpoint.
      AWS_ACCESS_KEY_ID: 'AKIAREHEARSAL0000000',
      AWS_SECRET_ACCESS_KEY: 'rehearsal',
      AWS_SESSION_TOKEN: 'rehearsal',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: redirects.secretsEndpoint,
      // Any other AWS call (Step Functions' DescribeExecution…) reaches the same endpoint, which refuses it by name.
      AWS_ENDPOINT_URL: redirects.secretsEndpoint,
      // Never the developer's own AWS profile: nothing here may reach a real account.
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      ...template,
    },
  };
}

/** The template's variables that no part of focus-sync reads: a name infra and the functions spell differently. */
export function unreadVariables(fn: LambdaFunction): string[] {
  return Object.keys(fn.environment).filter((key) => !ENVIRONMENT_VARIABLES.includes(key) && !NODE_VARIABLES.includes(key) && !/^(AWS|POWERTOOLS)_/.test(key));
}
