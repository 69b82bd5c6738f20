// One postgres.js client per process. Dates and timestamps come back as the server's text,
// never as a JS Date, which would drop their microseconds.
import postgres from 'postgres';
import type { DatabaseSsl } from '../config.ts';

export type Sql = postgres.Sql;

const asText = (value: unknown) => String(value);

// 'verify-full' checks the certificate chain and the host name; 'require' only encrypts.
const TLS: Record<DatabaseSsl, false | 'require' | 'verify-full'> = { disable: false, require: 'require', 'verify-full': 'verify-full' };

/** Without `ssl`, the URL's sslmode decides (postgres.js lets an explicit option win over it). */
export function connect(url: string, options: { max?: number; ssl?: DatabaseSsl } = {}): Sql {
  return postgres(url, {
    ...(options.ssl && { ssl: TLS[options.ssl] }),
    max: options.max ?? 4,
    idle_timeout: 60,
    connect_timeout: 15,
    onnotice: () => {},
    connection: { application_name: 'focus-sync' },
    types: {
      timestamp: { to: 1114, from: [1082, 1114, 1184], serialize: asText, parse: asText },
    },
  });
}
export type Transaction = postgres.TransactionSql;
