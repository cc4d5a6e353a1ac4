import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { configFactory } from '../../../harness/support/factories.js';
import { naming } from '../../../lib/config/naming.js';
import { HandoffError } from '../../../lib/handoff/errors.js';
import type { HandoffPort } from '../../../lib/handoff/types.js';
import { replayHandoff } from '../../../lib/operate/replay/handoff.js';

const lambda = mockClient(LambdaClient);
const names = naming('fanout', 'dev');
const config = configFactory({
  targets: [
    { name: 'webhook', type: 'http', destination: 'https://example.com/h' },
    { name: 'audit', type: 'sqs', destination: 'audit', via: 'queue', concurrency: 2 },
  ],
});
const [webhook, audit] = config.targets as [(typeof config.targets)[0], (typeof config.targets)[0]];
const json = (value: unknown) =>
  Buffer.from(JSON.stringify(value)) as unknown as InvokeCommandOutput['Payload'];

/** A hand-off port that records calls and fails the first `failures` of them with `error`. */
function portFactory(failures = 0, error = new HandoffError('throttled', true)) {
  const calls: Array<{ kind: string; to: string; body: string }> = [];
  let left = failures;
  const maybeFail = () => {
    if (left-- > 0) throw error;
  };
  const port: HandoffPort = {
    async invokeAsync(functionName, payload) {
      calls.push({ kind: 'invoke', to: functionName, body: String(payload) });
      maybeFail();
    },
    async sendBatch(queueUrl, entries) {
      calls.push({ kind: 'send', to: queueUrl, body: entries[0]?.body ?? '' });
      maybeFail();
      return [];
    },
    queueUrl: async (name) => `https://sqs/${name}`,
  };
  return { port, calls };
}
const noSleep = async () => {};

describe('replayHandoff', () => {
  beforeEach(() => lambda.reset());

  it('invokes a via: invoke worker asynchronously, as the dispatcher does', async () => {
    const { port, calls } = portFactory();
    const handOff = replayHandoff({
      target: webhook,
      names,
      handoff: port,
      lambda: new LambdaClient({}),
      wait: false,
    });
    expect(await handOff('{"env":1}')).toEqual({ ok: true });
    expect(calls).toEqual([{ kind: 'invoke', to: 'fanout-dev-webhook-worker', body: '{"env":1}' }]);
  });

  it("sends to a via: queue target's queue, retrying a throttle", async () => {
    const { port, calls } = portFactory(2);
    const handOff = replayHandoff({
      target: audit,
      names,
      handoff: port,
      lambda: new LambdaClient({}),
      wait: false,
      sleep: noSleep,
    });
    expect(await handOff('{"env":2}')).toEqual({ ok: true });
    expect(calls.map((c) => c.to)).toEqual(Array(3).fill('https://sqs/fanout-dev-audit-queue'));
  });

  it('gives up on an error a retry cannot fix, with its reason', async () => {
    const { port, calls } = portFactory(
      5,
      new HandoffError('Invoke fanout-dev-webhook-worker: AccessDenied', false),
    );
    const handOff = replayHandoff({
      target: webhook,
      names,
      handoff: port,
      lambda: new LambdaClient({}),
      wait: false,
      sleep: noSleep,
    });
    expect(await handOff('{}')).toEqual({
      ok: false,
      reason: 'Invoke fanout-dev-webhook-worker: AccessDenied',
    });
    expect(calls).toHaveLength(1);
  });

  it("with wait, invokes synchronously and reports the worker's delivered and skipped counts", async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      Payload: json({ target: 'audit', records: 5, delivered: 2, skipped: 3 }),
    });
    const { port, calls } = portFactory();
    const handOff = replayHandoff({
      target: audit,
      names,
      handoff: port,
      lambda: new LambdaClient({ region: 'us-east-1' }),
      wait: true,
    });
    expect(await handOff('{"env":3}')).toEqual({ ok: true, delivered: 2, skipped: 3 });
    expect(calls).toHaveLength(0);
    expect(lambda.commandCalls(InvokeCommand)[0]?.args[0].input).toMatchObject({
      FunctionName: 'fanout-dev-audit-worker',
      InvocationType: 'RequestResponse',
    });
  });

  it('with wait, reports a worker that failed again as a failure (the DLQ message stays)', async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: json({ errorType: 'DeliveryError', errorMessage: '1 record(s) not delivered: HTTP 500' }),
    });
    const { port } = portFactory();
    const handOff = replayHandoff({
      target: webhook,
      names,
      handoff: port,
      lambda: new LambdaClient({ region: 'us-east-1' }),
      wait: true,
    });
    expect(await handOff('{}')).toEqual({
      ok: false,
      reason: 'worker failed again: DeliveryError: 1 record(s) not delivered: HTTP 500',
    });
  });
});
