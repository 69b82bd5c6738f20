// `npm run simulator -- --port 8080 --items 10000 ...`: serves the Focus API simulator until
// SIGINT or SIGTERM.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startSimulator, type SimulatorOptions } from './index.ts';

const USAGE = `Usage: npm run simulator -- [options]

  --port N               port to listen on; 0 picks a free one (default 8080)
  --host HOST            address to listen on (default 127.0.0.1)
  --items N              items per resource and country (default 10000)
  --seed N               seed of the generated data (default 42)
  --countries LIST       comma-separated country codes (default de,at)
  --business-service S   business service in the URL (default promo)
  --username NAME        accepted username (default demo)
  --password PASSWORD    accepted password (default demo)
  --token-ttl SECONDS    token lifetime (default 1800)
  --schema FILE          serve this schema (the API's JSON format) instead of the built-in one
  --state-shape SHAPE    "top" for {"total_items": N}, "payload" for {"payload": {...}} (default top)
  --gzip                 gzip answers when the client accepts it
  --lines-per-second N   send each lines answer at most this fast, as a remote API would (default: as fast as it can)
  --help                 show this help`;

class UsageError extends Error {
  override name = 'UsageError';
}

function parseOptions(args: string[]): Partial<SimulatorOptions> | undefined {
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string', default: '8080' },
      host: { type: 'string' },
      items: { type: 'string', default: '10000' },
      seed: { type: 'string' },
      countries: { type: 'string' },
      'business-service': { type: 'string' },
      username: { type: 'string' },
      password: { type: 'string' },
      'token-ttl': { type: 'string' },
      schema: { type: 'string' },
      'state-shape': { type: 'string' },
      gzip: { type: 'boolean' },
      'lines-per-second': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return undefined;
  const shape = values['state-shape'];
  if (shape !== undefined && shape !== 'top' && shape !== 'payload') {
    throw new UsageError(`--state-shape must be "top" or "payload", got "${shape}"`);
  }
  return {
    port: integer('--port', values.port),
    host: values.host,
    items: integer('--items', values.items),
    seed: values.seed === undefined ? undefined : integer('--seed', values.seed, true),
    countries: values.countries?.split(',').map((country) => country.trim()),
    businessService: values['business-service'],
    username: values.username,
    password: values.password,
    tokenTtlSeconds: values['token-ttl'] === undefined ? undefined : integer('--token-ttl', values['token-ttl']),
    schema: values.schema === undefined ? undefined : readSchema(values.schema),
    stateShape: shape,
    gzip: values.gzip ?? false,
    linesPerSecond: values['lines-per-second'] === undefined ? undefined : integer('--lines-per-second', values['lines-per-second']),
  };
}

function integer(flag: string, text: string, signed = false): number {
  const pattern = signed ? /^-?\d+$/ : /^\d+$/;
  const value = Number(text);
  if (!pattern.test(text) || !Number.isSafeInteger(value)) {
    throw new UsageError(`${flag} must be ${signed ? 'an' : 'a non-negative'} integer, got "${text}"`);
  }
  return value;
}

function readSchema(file: string) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`--schema ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options === undefined) {
    console.log(USAGE);
    return;
  }
  const simulator = await startSimulator(options);
  const { businessService, username, password, items, seed } = simulator.options;
  console.log(
    `Focus API simulator on ${simulator.url} (business service "${businessService}", ` +
      `user ${username}, password ${password}) — items ${items} per resource and country, seed ${seed}`,
  );
  const stop = () => {
    simulator.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`simulator: ${error instanceof Error ? error.message : String(error)}`);
  const code = (error as { code?: unknown }).code;
  if (error instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
    console.error('Run with --help for the options.');
  }
  process.exit(2);
});
