// CloudFormation's intrinsic functions, resolved as a deployment would, except that each resource
// is the local stand-in the rehearsal gives it: a function's ARN, a secret's ARN, the database's endpoint.
import { ConfigurationError } from '../../functions/core/errors.ts';

export const REGION = 'us-east-1';
export const ACCOUNT = '000000000000';

export interface TemplateJson {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }>;
}

/** What the rehearsal stands in for each kind of resource a value may refer to. */
export interface LocalResources {
  stackName: string;
  database: { host: string; port: number };
}

export type Resolve = (value: unknown, where: string) => string;

export function createResolver(template: TemplateJson, local: LocalResources): Resolve {
  const pseudo: Record<string, string> = {
    'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT, 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com', 'AWS::StackName': local.stackName,
  };
  const unresolvable = (where: string, what: string) => new ConfigurationError(`The rehearsal cannot resolve ${what} in ${where}: it stands in for the stack's functions, secrets and database only`);
  const ref = (id: string, where: string): string => {
    if (pseudo[id] !== undefined) return pseudo[id];
    const resource = template.Resources[id];
    switch (resource?.Type) {
      case 'AWS::Lambda::Function': return localFunctionName(local.stackName, id);
      case 'AWS::SecretsManager::Secret': return localSecretArn(id);
      case 'AWS::StepFunctions::StateMachine': return localStateMachineArn(local.stackName, id);
      // Its Ref is the ARN of the secret it attaches.
      case 'AWS::SecretsManager::SecretTargetAttachment': return resolve(resource.Properties?.SecretId, where);
      default: throw unresolvable(where, `{"Ref": "${id}"} (${resource?.Type ?? 'no such resource'})`);
    }
  };
  const getAtt = (id: string, attribute: string, where: string): string => {
    const type = template.Resources[id]?.Type;
    if (type === 'AWS::Lambda::Function' && attribute === 'Arn') return localFunctionArn(local.stackName, id);
    if (type === 'AWS::StepFunctions::StateMachine' && attribute === 'Arn') return localStateMachineArn(local.stackName, id);
    if (type === 'AWS::StepFunctions::StateMachine' && attribute === 'Name') return `${local.stackName}-${id}`;
    if (type === 'AWS::RDS::DBInstance' && attribute === 'Endpoint.Address') return local.database.host;
    if (type === 'AWS::RDS::DBInstance' && attribute === 'Endpoint.Port') return String(local.database.port);
    throw unresolvable(where, `{"Fn::GetAtt": ["${id}", "${attribute}"]} (${type ?? 'no such resource'})`);
  };
  const sub = (text: string, variables: Record<string, unknown>, where: string) => text.replace(/\$\{(!?)([\w:.]+)\}/g, (whole, literal: string, name: string) => {
    if (literal) return whole.replace('${!', '${');
    if (name in variables) return resolve(variables[name], where);
    const [id, ...attribute] = name.split('.');
    return attribute.length > 0 ? getAtt(id!, attribute.join('.'), where) : ref(name, where);
  });
  function resolve(value: unknown, where: string): string {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
    const [intrinsic, argument] = Object.entries((value ?? {}) as Record<string, unknown>)[0] ?? [];
    switch (intrinsic) {
      case 'Ref': return ref(argument as string, where);
      case 'Fn::GetAtt': {
        const [id, attribute] = typeof argument === 'string' ? argument.split(/\.(.+)/) : argument as string[];
        return getAtt(id!, attribute!, where);
      }
      case 'Fn::Join': {
        const [separator, parts] = argument as [string, unknown[]];
        return parts.map((part) => resolve(part, where)).join(separator);
      }
      case 'Fn::Sub': {
        const [text, variables] = typeof argument === 'string' ? [argument, {}] : argument as [string, Record<string, unknown>];
        return sub(text, variables, where);
      }
      case 'Fn::Select': {
        const [index, list] = argument as [unknown, unknown[]];
        return resolve(list[Number(resolve(index, where))], where);
      }
      default: throw unresolvable(where, JSON.stringify(value));
    }
  }
  return resolve;
}

export function localFunctionName(stackName: string, id: string): string {
  return `${stackName}-${id}`;
}

export function localFunctionArn(stackName: string, id: string): string {
  return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${localFunctionName(stackName, id)}`;
}

export function localStateMachineArn(stackName: string, id: string): string {
  return `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${stackName}-${id}`;
}

/** Secrets Manager appends six characters to a secret's name; these say where it came from. */
export function localSecretArn(id: string): string {
  return `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${id}-local0`;
}
