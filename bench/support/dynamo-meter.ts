import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** DynamoDB calls and the items they read or write, as billed: a requested key is a read even when absent. */
export interface DynamoCounts {
  calls: number;
  reads: number;
  writes: number;
  byCommand: Record<string, number>;
}

export interface DynamoMeter {
  counts(): DynamoCounts;
  reset(): void;
}

type Input = {
  RequestItems?: Record<string, { Keys?: unknown[] } | unknown[]>;
  TransactItems?: unknown[];
};

/**
 * Counts every call the client sends, whoever sends it (the idempotency ledger's reads and writes),
 * from the request itself: what the application asks for, whatever the emulator answers.
 */
export function meterDynamo(client: DynamoDBClient): DynamoMeter {
  let counts: DynamoCounts = { calls: 0, reads: 0, writes: 0, byCommand: {} };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      const input = args.input as Input;
      counts.calls++;
      counts.byCommand[command] = (counts.byCommand[command] ?? 0) + 1;
      const items = Object.values(input.RequestItems ?? {});
      if (command === 'BatchGetItem')
        for (const t of items) counts.reads += (t as { Keys?: unknown[] }).Keys?.length ?? 0;
      else if (command === 'BatchWriteItem') for (const t of items) counts.writes += (t as unknown[]).length;
      // A transactional write is billed as two writes of the item; counted so even when the transaction is
      // cancelled (an upper bound).
      else if (command === 'TransactWriteItems') counts.writes += 2 * (input.TransactItems?.length ?? 0);
      else if (command === 'GetItem') counts.reads++;
      else if (command === 'PutItem' || command === 'UpdateItem' || command === 'DeleteItem') counts.writes++;
      return next(args);
    },
    { step: 'initialize', name: 'benchDynamoMeter' },
  );
  return {
    counts: () => ({ ...counts, byCommand: { ...counts.byCommand } }),
    reset: () => {
      counts = { calls: 0, reads: 0, writes: 0, byCommand: {} };
    },
  };
}
