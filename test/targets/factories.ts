import { ClientPool } from '../../lib/aws/clients.js';
import type { IdempotencyMode, TargetConfig } from '../../lib/config/index.js';
import type { AdapterContext, DeliveryRecord } from '../../lib/targets/types.js';

let sequence = 0;

/** A delivery record with a unique key and sequence number; `data` given as a string is UTF-8. */
export function deliveryRecordFactory(
  overrides: Partial<Omit<DeliveryRecord, 'data'>> & { data?: Buffer | string } = {},
): DeliveryRecord {
  sequence += 1;
  const { data, ...rest } = overrides;
  return {
    key: `target#record-${sequence}`,
    partitionKey: `pk-${sequence % 3}`,
    sequenceNumber: String(49_000_000_000_000_000_000n + BigInt(sequence)),
    arrivedAt: 1_700_000_000_000 + sequence,
    data: typeof data === 'string' ? Buffer.from(data, 'utf8') : (data ?? Buffer.from(`{"n":${sequence}}`)),
    ...rest,
  };
}

/** A target as the config schema outputs it (defaults filled in). */
export function targetFactory(overrides: Partial<TargetConfig> & Pick<TargetConfig, 'type'>): TargetConfig {
  return {
    name: 'orders',
    destination: 'orders-out',
    via: 'invoke',
    ordered: false,
    concurrency: 5,
    retries: 2,
    enabled: true,
    timeout: 30,
    memory: 512,
    maxEventAge: 21_600,
    batchSize: 10,
    ...overrides,
  };
}

/** An adapter context with a fresh client pool in us-east-1 (SDK calls are mocked or go to an emulator). */
export function adapterContextFactory(
  target: Partial<TargetConfig> & Pick<TargetConfig, 'type'>,
  idempotency: IdempotencyMode = 'store',
  clients: ClientPool = new ClientPool({ region: 'us-east-1' }),
): AdapterContext {
  return { target: targetFactory(target), clients, idempotency };
}

/** Data of `bytes` bytes of printable ASCII. */
export const asciiData = (bytes: number): Buffer => Buffer.alloc(bytes, 'a');

/** An error shaped like an SDK service exception (name, $fault, $metadata.httpStatusCode). */
export function awsError(name: string, message: string, httpStatusCode = 400): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode },
  });
}
