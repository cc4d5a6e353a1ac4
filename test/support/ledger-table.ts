import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { type LedgerTable, startLedgerTable } from '../../harness/support/aws.js';

/**
 * A dynalite of its own for a test file, with an idempotency table `table`: started before the file's tests and
 * stopped after them. `client()` is valid inside the tests.
 */
export function useLedgerTable(table: string): { client: () => DynamoDBClient } {
  let ledgerTable: LedgerTable | undefined;
  beforeAll(async () => {
    ledgerTable = await startLedgerTable(table);
  }, 30_000);
  afterAll(async () => {
    await ledgerTable?.stop();
  });
  return {
    client: () => {
      if (!ledgerTable) throw new Error('useLedgerTable: the client exists inside the tests only');
      return ledgerTable.client;
    },
  };
}
