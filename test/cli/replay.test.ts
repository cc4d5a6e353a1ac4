/** Argument validation of `fanout replay`: every refusal names what is wrong, with exit code 2. */
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientPool } from '../../lib/aws/clients.js';
import { main } from '../../lib/cli/main.js';
import { replayCommand } from '../../lib/cli/replay.js';
import { CONFIG_YML, captureIo, folderWith } from './support.js';

const sqs = mockClient(SQSClient);
const home = process.cwd();
// A folder without .fanout/local.env: these commands would talk to AWS (mocked where they get that far).
const dir = folderWith({ 'fanout.yml': CONFIG_YML });
beforeAll(() => process.chdir(dir));
afterAll(() => process.chdir(home));

const run = async (...args: string[]) => {
  const c = captureIo();
  const code = await main(['node', 'fanout', 'replay', ...args, '--region', 'eu-west-1'], c.io);
  return { code, text: c.text() };
};

/** `fanout replay` at a terminal where the operator answers no: the exit code and the questions asked. */
async function declined(target: string, options: Parameters<typeof replayCommand>[1]) {
  const questions: string[] = [];
  const c = captureIo();
  const code = await replayCommand(target, options, c.io, {
    interactive: true,
    progress: false,
    confirm: async (q) => {
      questions.push(q);
      return false;
    },
    clients: new ClientPool(),
  });
  return { code, questions, c };
}

describe('fanout replay arguments', () => {
  it.each([
    [
      ['webhook', '--rate', 'fast'],
      /--rate: "fast" is not a rate; use messages per second from more than 0 to 10000/,
    ],
    [['webhook', '--rate', '0'], /--rate: "0" is not a rate/],
    [['webhook', '--max', '0'], /--max must be an integer from 1 to 1000000000, got "0"/],
    [['webhook', '--max', 'ten'], /--max must be an integer/],
    [['webhook', '--filter', '(unclosed'], /--filter: "\(unclosed" is not a valid regular expression/],
    [['webhook', '--older-than', '5 minutes'], /--older-than: "5 minutes" is not a duration/],
    [['webhook', '--concurrency', '500'], /--concurrency must be an integer from 1 to 64/],
  ])('refuses %j', async (args, message) => {
    const { code, text } = await run(...args);
    expect(code).toBe(2);
    expect(text).toMatch(message);
  });

  it('names the known targets for an unknown one', async () => {
    const { code, text } = await run('webhok', '--yes');
    expect(code).toBe(2);
    expect(text).toContain('unknown target "webhok"; the targets of this configuration are: webhook, audit');
  });

  it('wants a target or --source, and refuses DLQ-only options with --source', async () => {
    expect(await run('--yes')).toMatchObject({
      code: 2,
      text: expect.stringContaining('give the target whose DLQ to replay, or --source'),
    });
    expect(await run('--source', '--wait', '--quarantine', '--yes')).toMatchObject({
      code: 2,
      text: expect.stringContaining("--wait, --quarantine: only for a target's DLQ, not with --source"),
    });
    expect(await run('webhook', '--older-than', '2h', '--newer-than', '1h')).toMatchObject({
      code: 2,
      text: expect.stringContaining('--older-than must be less than --newer-than'),
    });
  });

  it('refuses to replay without a terminal to confirm on, unless --yes; and reads nothing from the DLQ', async () => {
    sqs.reset();
    sqs
      .on(GetQueueUrlCommand)
      .resolves({ QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/1/fanout-dev-webhook-dlq' });
    sqs.on(GetQueueAttributesCommand).resolves({
      Attributes: { ApproximateNumberOfMessages: '3', ApproximateNumberOfMessagesNotVisible: '0' },
    });
    const c = captureIo();
    const attempt = replayCommand('webhook', { region: 'eu-west-1' }, c.io, {
      interactive: false,
      progress: false,
      confirm: async () => true,
      clients: new ClientPool(),
    });
    await expect(attempt).rejects.toThrow(
      /refusing to replay without confirmation and without a terminal to ask on: Replay up to 3 message\(s\) of fanout-dev-webhook-dlq to target webhook \(Invoke of fanout-dev-webhook-worker\)\? Pass --yes, or --dry-run/,
    );
    expect(sqs.commandCalls(ReceiveMessageCommand)).toHaveLength(0);
  });

  it("with --source and a target, asks about the dispatcher's failure queue, not the target's DLQ", async () => {
    sqs.reset();
    sqs.on(GetQueueUrlCommand).callsFake(({ QueueName }: { QueueName: string }) => ({
      QueueUrl: `https://sqs.eu-west-1.amazonaws.com/1/${QueueName}`,
    }));
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '2' } });
    const { code, questions } = await declined('webhook', { region: 'eu-west-1', source: true });
    expect(code).toBe(1);
    const asked = sqs.commandCalls(GetQueueUrlCommand).map((call) => call.args[0].input.QueueName);
    expect(asked).toEqual(['fanout-dev-dispatcher-failures']);
    expect(questions).toEqual([
      'Re-dispatch the 2 failed batch(es) of fanout-dev-dispatcher-failures from the stream to target webhook, if it did not deliver them [aws, stage dev]?',
    ]);
  });

  it('stops when the operator answers no at the prompt', async () => {
    sqs.reset();
    sqs
      .on(GetQueueUrlCommand)
      .resolves({ QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/1/fanout-dev-audit-dlq' });
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '7' } });
    const { code, questions, c } = await declined('audit', { region: 'eu-west-1', max: 5 });
    expect(code).toBe(1);
    expect(questions).toEqual([
      'Replay up to 5 message(s) of fanout-dev-audit-dlq to target audit (queue fanout-dev-audit-queue) [aws, stage dev]?',
    ]);
    expect(c.err).toEqual(['nothing replayed']);
    expect(sqs.commandCalls(ReceiveMessageCommand)).toHaveLength(0);
  });
});
