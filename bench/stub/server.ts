/**
 * A stub AWS endpoint for the benchmarks, run in its own process so its CPU is not counted in the measured
 * process. Answers Lambda `Invoke`, SQS `SendMessageBatch` / `SendMessage` / `GetQueueUrl` (AWS JSON 1.0,
 * the protocol @aws-sdk/client-sqs v3 speaks) and Kinesis `PutRecord` / `PutRecords` (AWS JSON 1.1), each
 * after an optional delay, and counts calls and bytes per resource.
 * Usage: node --import tsx bench/stub/server.ts [delayMs]. Prints `{"port":N}`; exits when stdin closes.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { CONTROL, type ResourceStats, STUB_ACCOUNT, type StubStats } from './protocol.js';

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations/;

let stats: StubStats = { resources: {}, protocols: {}, unknown: 0, delayMs: Number(process.argv[2] ?? 0) };

function count(operation: string, resource: string, bytes: number, messages = 1): void {
  const key = `${operation} ${resource}`;
  const entry: ResourceStats = stats.resources[key] ?? { calls: 0, messages: 0, bytes: 0 };
  entry.calls++;
  entry.messages += messages;
  entry.bytes += bytes;
  stats.resources[key] = entry;
}

// The SDK checks each MD5OfMessageBody against the body it sent and rejects the call on a mismatch.
const md5 = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');
const queueName = (url: string): string => url.slice(url.lastIndexOf('/') + 1);

type Answer = { status: number; body?: string; type?: string };

function answer(req: IncomingMessage, raw: Buffer, origin: string): Answer {
  const invoke = INVOKE_PATH.exec(req.url ?? '');
  if (req.method === 'POST' && invoke) {
    stats.protocols.Invoke ??= `REST ${req.headers['x-amz-invocation-type'] ?? 'RequestResponse'}`;
    count('Invoke', decodeURIComponent(invoke[1] as string), raw.length);
    // An `Event` invocation is accepted with 202 and an empty body.
    return { status: 202 };
  }
  const target = String(req.headers['x-amz-target'] ?? '');
  const operation = target.slice(target.indexOf('.') + 1);
  if (!target) return { status: 400, body: '{"__type":"UnknownOperationException"}' };
  stats.protocols[operation] ??= `${req.headers['content-type']} ${target}`;
  const input = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
  const json = (body: unknown, type: string): Answer => ({ status: 200, body: JSON.stringify(body), type });
  const sqs = 'application/x-amz-json-1.0';
  const kinesis = 'application/x-amz-json-1.1';
  switch (target) {
    case 'AmazonSQS.SendMessageBatch': {
      const entries = input.Entries as Array<{ Id: string; MessageBody: string }>;
      count(operation, queueName(String(input.QueueUrl)), raw.length, entries.length);
      const successful = entries.map((e) => ({
        Id: e.Id,
        MessageId: randomUUID(),
        MD5OfMessageBody: md5(e.MessageBody),
      }));
      return json({ Successful: successful, Failed: [] }, sqs);
    }
    case 'AmazonSQS.SendMessage':
      count(operation, queueName(String(input.QueueUrl)), raw.length);
      return json({ MessageId: randomUUID(), MD5OfMessageBody: md5(String(input.MessageBody)) }, sqs);
    case 'AmazonSQS.GetQueueUrl':
      count(operation, String(input.QueueName), raw.length);
      return json({ QueueUrl: `${origin}/${STUB_ACCOUNT}/${String(input.QueueName)}` }, sqs);
    case 'Kinesis_20131202.PutRecord':
      count(operation, String(input.StreamName ?? input.StreamARN), raw.length);
      return json({ SequenceNumber: '1', ShardId: 'shardId-000000000000' }, kinesis);
    case 'Kinesis_20131202.PutRecords': {
      const records = input.Records as unknown[];
      count(operation, String(input.StreamName ?? input.StreamARN), raw.length, records.length);
      const out = records.map(() => ({ SequenceNumber: '1', ShardId: 'shardId-000000000000' }));
      return json({ FailedRecordCount: 0, Records: out }, kinesis);
    }
    default:
      stats.unknown++;
      return { status: 400, body: JSON.stringify({ __type: 'UnknownOperationException', message: target }) };
  }
}

function control(req: IncomingMessage, res: ServerResponse, url: URL): void {
  if (url.pathname === CONTROL.reset)
    stats = { resources: {}, protocols: {}, unknown: 0, delayMs: stats.delayMs };
  if (url.pathname === CONTROL.delay) stats.delayMs = Number(url.searchParams.get('ms') ?? 0);
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats));
  req.resume();
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://stub');
  if (url.pathname.startsWith('/__bench/')) return control(req, res, url);
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const out = answer(req, Buffer.concat(chunks), `http://${req.headers.host}`);
    const send = (): void => {
      const headers: Record<string, string> = { 'x-amzn-requestid': randomUUID() };
      if (out.type) headers['content-type'] = out.type;
      res.writeHead(out.status, headers).end(out.body ?? '');
    };
    if (stats.delayMs > 0) setTimeout(send, stats.delayMs);
    else send();
  });
});
// The SDK keeps sockets open between calls (as in a warm Lambda): do not close them under it.
server.keepAliveTimeout = 60_000;

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});
const exit = (): void => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1_000).unref();
};
process.stdin.on('end', exit);
process.stdin.on('close', exit);
process.stdin.resume();
process.on('SIGTERM', exit);
