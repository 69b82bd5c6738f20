// What aws-local-stepfunctions gets instead of the AWS SDK (see interpreter.ts): it would only be
// used for a Task state without a local handler, which the runner never leaves.

const REFUSED = 'The local runner invokes every Task state in-process and never calls AWS Lambda; a Task state without a handler in functions/steps/ is a bug';

export class LambdaClient {
  constructor() {
    throw new Error(REFUSED);
  }
}

export class InvokeCommand {}

export function fromCognitoIdentityPool(): never {
  throw new Error(REFUSED);
}
