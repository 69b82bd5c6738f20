// What aws-local-stepfunctions gets instead of the AWS SDK and the ASL validator (see
// interpreter.ts): the first is only used for a Task state without a local handler, which the
// runner never leaves; the second not at all, as the runner turns validation off.

const REFUSED = 'The local runner invokes every Task state in-process and never calls AWS Lambda; a Task state without a handler in functions/steps/ is a bug';

export default function aslValidator() {
  throw new Error('The local runner does not validate the ASL (npm test does, in test/statemachine/definition.test.ts); pass validationOptions.noValidate');
}

export class LambdaClient {
  constructor() {
    throw new Error(REFUSED);
  }
}

export class InvokeCommand {}

export function fromCognitoIdentityPool() {
  throw new Error(REFUSED);
}
