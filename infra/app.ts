// `npx cdk synth | deploy`: the focus-sync stack, configured by CDK context (docs/aws.md).
import { App } from 'aws-cdk-lib';
import { ConfigurationError } from '../functions/core/errors.ts';
import { defineApp } from './stack.ts';

try {
  defineApp(new App());
} catch (error) {
  if (!(error instanceof ConfigurationError)) throw error;
  // The message names every key to set; a stack trace would only bury it.
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
