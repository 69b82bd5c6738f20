// A database call that fails outside a load's transaction (a lease, the catalog, the ledger) ends
// the step with a named error that the state machine retries, saying what failed for which pair.
import { describe, expect, it } from 'vitest';
import { readResource } from '../../functions/core/db/catalog.ts';
import { connect, type Sql } from '../../functions/core/db/connection.ts';
import { acquireLease, releaseLeases, renewLease } from '../../functions/core/db/leases.ts';
import { recordComparison } from '../../functions/core/db/ledger.ts';
import { useTestDatabase } from '../support/database.ts';

const database = useTestDatabase();
const pair = { resource: 'things', country: 'de', execution: 'test' };
const times = { seconds: 60, waitMs: 0 };

describe('a database call whose connection is gone', () => {
  it.each([
    ['taking a lease', (sql: Sql) => acquireLease(sql, pair, times), 'Taking the lease of things/de'],
    ['renewing a lease', (sql: Sql) => renewLease(sql, pair, times), 'Renewing the lease of things/de'],
    ['releasing leases', (sql: Sql) => releaseLeases(sql, 'test'), 'Releasing the leases of test'],
    ['reading a resource\'s columns', (sql: Sql) => readResource(sql, 'things'), 'Reading the columns of resource "things"'],
    ['recording counts', (sql: Sql) => recordComparison(sql, pair, { clientCount: 1, serverCount: 1, inSync: true }), 'Recording the counts of things/de in the run ledger'],
  ])('fails %s with DatabaseUnavailable, saying what', async (_, call, what) => {
    const sql = connect(database.url);
    await sql.end();
    const failure = call(sql);
    await expect(failure).rejects.toMatchObject({ name: 'DatabaseUnavailable' });
    await expect(failure).rejects.toThrow(`${what}: the database connection failed (CONNECTION_ENDED); it is retried`);
  });

  it('fails a statement PostgreSQL refuses with DatabaseError and the SQLSTATE', async () => {
    const failure = renewLease(database.sql, pair, times);
    await expect(failure).rejects.toMatchObject({ name: 'DatabaseError' });
    await expect(failure).rejects.toThrow(/^Renewing the lease of things\/de: PostgreSQL said: relation "focus_sync.leases" does not exist \(SQLSTATE 42P01\)$/);
  });
});
