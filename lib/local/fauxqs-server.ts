/**
 * fauxqs (SQS, SNS, S3) served on loopback, with its messages and objects kept in a data folder.
 *
 * `startFauxqs` of fauxqs 1.9.2 listens on 0.0.0.0 whatever it is given (its `host` option only names the host
 * in queue URLs), which exposes local queues to the network: this builds the same app with `buildApp` and
 * listens on 127.0.0.1 itself. fauxqs keeps everything in memory; with a data folder, a snapshot of every
 * queue's messages (ready, delayed and in flight, which come back ready, as after a visibility timeout) and
 * every bucket's objects is written each second and at stop, and restored at the next start.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildApp } from 'fauxqs';
import { continueSequence, type FauxqsFifoQueue, faithfulFifo } from './fauxqs-fifo.js';
import { type FauxqsSnapshot, readSnapshot, type SnapshotQueue, writeSnapshot } from './fauxqs-snapshot.js';

/** The parts of fauxqs's stores used here (fauxqs exports the classes from its dist only, not by name). */
interface Message {
  messageId: string;
  [field: string]: unknown;
}
interface Queue {
  name: string;
  enqueue(message: Message): void;
  inspectMessages(): { ready: Message[]; delayed: Message[]; inflight: Array<{ message: Message }> };
}
interface SqsStore {
  createQueue(name: string, url: string, arn: string, ...rest: unknown[]): Queue;
  listQueues(): Queue[];
}
interface StoredObject {
  key: string;
  body: Buffer;
  contentType: string;
  metadata: Record<string, string>;
}
interface S3Store {
  createBucket(name: string): void;
  listBuckets(): Array<{ name: string }>;
  listObjects(bucket: string, options?: { maxKeys?: number }): { objects: StoredObject[] };
  putObject(
    bucket: string,
    key: string,
    body: Buffer,
    contentType?: string,
    metadata?: Record<string, string>,
  ): void;
}

export interface SqsEmulator {
  port: number;
  /** Messages restored from the data folder at start, and those kept for queues not created (yet). */
  restored: { messages: number; objects: number };
  /** Writes the snapshot now (no-op without a data folder). */
  snapshot(): void;
  stop(): Promise<void>;
}

/** The snapshot is rewritten this often while there is something in it. */
const SNAPSHOT_INTERVAL_MS = 1_000;

async function fauxqsStores(): Promise<{ sqs: SqsStore; sns: unknown; s3: S3Store }> {
  // fauxqs's package exports map hides its dist modules; importing them by file URL is how to reach the stores.
  const dist = dirname(fileURLToPath(import.meta.resolve('fauxqs')));
  const load = async <T>(path: string, name: string): Promise<new () => T> =>
    ((await import(pathToFileURL(join(dist, path)).href)) as Record<string, new () => T>)[
      name
    ] as new () => T;
  const [Sqs, Sns, S3] = await Promise.all([
    load<SqsStore>('sqs/sqsStore.js', 'SqsStore'),
    load<unknown>('sns/snsStore.js', 'SnsStore'),
    load<S3Store>('s3/s3Store.js', 'S3Store'),
  ]);
  return { sqs: new Sqs(), sns: new Sns(), s3: new S3() };
}

/** Starts fauxqs on 127.0.0.1:`port` (0: a free port), restoring and snapshotting into `dataDir` if given. */
export async function startSqsEmulator(options: { port: number; dataDir?: string }): Promise<SqsEmulator> {
  const stores = await fauxqsStores();
  const file = options.dataDir ? join(options.dataDir, 'fauxqs.json') : undefined;
  const saved = file ? readSnapshot(file) : undefined;
  // Queues come back when local mode creates them again (with the attributes of the current fanout.yml);
  // their messages are put in then. Those of queues never created again stay in the snapshot.
  const pending = new Map<string, SnapshotQueue>(Object.entries(saved?.queues ?? {}));
  const restored = { messages: 0, objects: 0 };
  for (const queue of pending.values()) restored.messages += queue.messages.length;
  const createQueue = stores.sqs.createQueue.bind(stores.sqs);
  stores.sqs.createQueue = (name, ...rest) => {
    const queue = createQueue(name, ...rest);
    // fauxqs serves a FIFO queue's groups one message a receive, and can reverse a group (fauxqs-fifo.ts).
    faithfulFifo(queue as unknown as FauxqsFifoQueue);
    const messages = pending.get(name)?.messages ?? [];
    for (const message of messages) queue.enqueue(message as Message);
    continueSequence(queue as unknown as FauxqsFifoQueue, messages as Array<{ sequenceNumber?: unknown }>);
    pending.delete(name);
    return queue;
  };
  for (const [bucket, objects] of Object.entries(saved?.buckets ?? {})) {
    stores.s3.createBucket(bucket);
    for (const o of objects) {
      stores.s3.putObject(bucket, o.key, Buffer.from(o.body, 'base64'), o.contentType, o.metadata);
      restored.objects++;
    }
  }

  const app = buildApp({
    logger: false,
    host: '127.0.0.1',
    stores: { sqsStore: stores.sqs, snsStore: stores.sns, s3Store: stores.s3 },
  } as unknown as Parameters<typeof buildApp>[0]);
  await app.listen({ port: options.port, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;

  let lastWasEmpty = saved === undefined;
  const snapshot = (): void => {
    if (!file) return;
    const state = capture(stores.sqs, stores.s3, pending);
    const empty = Object.keys(state.queues).length === 0 && Object.keys(state.buckets).length === 0;
    if (empty && lastWasEmpty) return;
    writeSnapshot(file, state);
    lastWasEmpty = empty;
  };
  const timer = file ? setInterval(snapshot, SNAPSHOT_INTERVAL_MS) : undefined;
  timer?.unref();
  return {
    port,
    restored,
    snapshot,
    stop: async () => {
      clearInterval(timer);
      snapshot();
      await app.close();
    },
  };
}

/** Every queue's messages, in the order they would be received again, and every bucket's objects. */
function capture(sqs: SqsStore, s3: S3Store, pending: Map<string, SnapshotQueue>): FauxqsSnapshot {
  const queues: Record<string, SnapshotQueue> = Object.fromEntries(pending);
  for (const queue of sqs.listQueues()) {
    const { ready, delayed, inflight } = queue.inspectMessages();
    // Received earlier than the ready ones: first, so a FIFO group keeps its order.
    const messages = [...inflight.map((entry) => entry.message), ...ready, ...delayed];
    if (messages.length > 0) queues[queue.name] = { messages };
  }
  const buckets: FauxqsSnapshot['buckets'] = {};
  for (const { name } of s3.listBuckets()) {
    const { objects } = s3.listObjects(name, { maxKeys: Number.MAX_SAFE_INTEGER });
    // An empty bucket needs no saving: local mode creates its bucket at every start.
    if (objects.length > 0)
      buckets[name] = objects.map((o) => ({
        key: o.key,
        body: o.body.toString('base64'),
        contentType: o.contentType,
        metadata: o.metadata,
      }));
  }
  return { version: 1, savedAt: new Date().toISOString(), queues, buckets };
}
