/**
 * Runs one AWS-API emulator in its own process (so tests and `fanout local` stop it by PID), listening on
 * 127.0.0.1 only. Usage: node --import tsx emulator-server.ts <kinesis|sqs|dynamodb> <port> [dataDir]
 * Prints one JSON line `{"ready":true,"port":N,...}` once it listens; exits on SIGTERM, SIGINT or SIGHUP, and
 * when its stdin closes (parent gone). With a data folder, fauxqs writes its last snapshot before exiting.
 */

import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { dynaliteWithTransactions } from './dynamodb-transactions.js';
import { startSqsEmulator } from './fauxqs-server.js';
import { explainRecordSizeRefusals } from './kinesalite-record-size.js';
import { speedUpKinesaliteSequences } from './kinesalite-sequences.js';

const require = createRequire(import.meta.url);
const [kind, portArg, dataDir] = process.argv.slice(2);
const port = Number(portArg ?? 0);

interface Running {
  port: number;
  restored?: { messages: number; objects: number };
  stop: () => Promise<void>;
}

async function start(): Promise<Running> {
  if (kind === 'kinesis' || kind === 'dynamodb') {
    const factory = require(kind === 'kinesis' ? 'kinesalite' : 'dynalite') as (options: object) => Server;
    const options =
      kind === 'kinesis'
        ? {
            createStreamMs: 0,
            deleteStreamMs: 0,
            updateStreamMs: 0,
            shardLimit: 1000,
            ...(dataDir ? { path: dataDir } : {}),
          }
        : { createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(dataDir ? { path: dataDir } : {}) };
    // kinesalite's sequence numbers through BigInt instead of bignumber.js: same numbers, a third of its CPU.
    if (kind === 'kinesis') speedUpKinesaliteSequences();
    // dynalite lacks TransactWriteItems, which the ledger's page close uses: added on its own store.
    const server = kind === 'dynamodb' ? dynaliteWithTransactions(factory, options) : factory(options);
    if (kind === 'kinesis') explainRecordSizeRefusals(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    return {
      port: typeof address === 'object' && address ? address.port : port,
      stop: () => new Promise((resolve) => server.close(() => resolve())),
    };
  }
  if (kind === 'sqs') return startSqsEmulator({ port, ...(dataDir ? { dataDir } : {}) });
  throw new Error(`unknown emulator "${kind}"; expected kinesis, sqs or dynamodb`);
}

const running = await start();
process.stdout.write(
  `${JSON.stringify({ ready: true, port: running.port, ...(running.restored ? { restored: running.restored } : {}) })}\n`,
);
let exiting = false;
const exit = (): void => {
  if (exiting) return;
  exiting = true;
  running.stop().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 5_000).unref();
};
process.stdin.on('end', exit);
process.stdin.on('close', exit);
process.stdin.resume();
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, exit);
