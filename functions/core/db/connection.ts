// One postgres.js client per process. Dates and timestamps come back as the server's text,
// never as a JS Date, which would drop their microseconds.
import postgres from 'postgres';

export type Sql = postgres.Sql;

const asText = (value: unknown) => String(value);

export function connect(url: string, options: { max?: number } = {}): Sql {
  return postgres(url, {
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
