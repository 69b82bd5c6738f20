// npm run execution -- start | list | follow (see USAGE in execution-cli.ts and docs/aws.md).
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SFNClient } from '@aws-sdk/client-sfn';
import { executionCli } from './execution-cli.ts';

process.exitCode = await executionCli(process.argv.slice(2), {
  write: (line) => process.stdout.write(`${line}\n`),
  clients: (region) => ({
    sfn: new SFNClient({ ...(region && { region }) }),
    cloudFormation: new CloudFormationClient({ ...(region && { region }) }),
  }),
});
