/** The generator's pure functions, without osls: defaults and the choices that depend on the config. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/index.js';
import { iteratorAgeThresholdMs } from '../../lib/deploy/alarms.js';
import { buildStack, serverlessParts } from '../../lib/deploy/stack.js';
import { configWith } from './support.js';

const WHERE = { stage: 'dev', region: 'eu-west-1' };

describe('buildStack', () => {
  it('names the roles after their function and region, so one stage can run in two regions', () => {
    const { resources } = buildStack(configWith(), WHERE);
    expect(resources.DispatcherRole?.Properties.RoleName).toBe('fanout-dev-dispatcher-eu-west-1');
    expect(resources.TargetOutWorkerRole?.Properties.RoleName).toBe('fanout-dev-out-worker-eu-west-1');
  });

  it('leaves out the invoke statement when every target goes through a queue', () => {
    const config = configWith({
      targets: [{ name: 'q', type: 'sqs', destination: 'jobs', via: 'queue', concurrency: 2 }],
    });
    const policy = JSON.stringify(buildStack(config, WHERE).resources.DispatcherRole);
    expect(policy).not.toContain('lambda:InvokeFunction');
    expect(policy).toContain('TargetQQueue');
  });

  it('sets a batching window for an SQS batch above 10 messages, as Lambda requires', () => {
    const config = configWith({
      targets: [
        { name: 'small', type: 'sqs', destination: 'a', via: 'queue', batchSize: 10 },
        { name: 'big', type: 'sqs', destination: 'b', via: 'queue', batchSize: 100 },
      ],
    });
    const { resources } = buildStack(config, WHERE);
    expect(
      resources.TargetSmallQueueEventSourceMapping?.Properties.MaximumBatchingWindowInSeconds,
    ).toBeUndefined();
    expect(resources.TargetBigQueueEventSourceMapping?.Properties.MaximumBatchingWindowInSeconds).toBe(1);
  });

  it('gives a queue 6 times the worker timeout of visibility and retries + 1 receives', () => {
    const config = configWith({
      targets: [{ name: 'q', type: 'sqs', destination: 'jobs', via: 'queue', timeout: 120, retries: 7 }],
    });
    const queue = buildStack(config, WHERE).resources.TargetQQueue?.Properties;
    expect(queue?.VisibilityTimeout).toBe(720);
    expect(queue?.RedrivePolicy).toMatchObject({ maxReceiveCount: 8 });
  });

  it('reads an existing stream named without an ARN in the stack region and account', () => {
    const config = configWith({ source: { stream: 'existing', create: false } });
    const { resources, outputs } = buildStack(config, WHERE);
    expect(resources.SourceStream).toBeUndefined();
    expect(resources.DispatcherKinesisEventSourceMapping?.Properties.EventSourceArn).toEqual({
      'Fn::Sub': `arn:\${AWS::Partition}:kinesis:\${AWS::Region}:\${AWS::AccountId}:stream/existing`,
    });
    expect(outputs.SourceStreamName?.Value).toBe('existing');
  });

  it('alarms on iterator age one minute beyond the batching window', () => {
    const config = configWith({ source: { stream: 'input', batchWindow: 30 } });
    const alarm = buildStack(config, WHERE).resources.SourceIteratorAgeAlarm?.Properties;
    expect(alarm?.Threshold).toBe(iteratorAgeThresholdMs(30));
    expect(iteratorAgeThresholdMs(30)).toBe(90_000);
  });
});

describe('serverlessParts', () => {
  it('compiles the config document into the bundles, where the functions parse it with the same schema', () => {
    const document = {
      source: { stream: 'input' },
      targets: [{ name: 'out', type: 'kinesis', destination: 'o' }],
    };
    const parts = serverlessParts(document, { ...WHERE, file: 'fanout.yml', workFolder: '.esbuild/x' });
    const define = parts.esbuild.define as Record<string, string>;
    const json = JSON.parse(define['process.env.FANOUT_CONFIG_JSON']!) as string;
    expect(JSON.parse(json)).toEqual(document);
    expect(parseConfig(JSON.parse(json))).toEqual(parseConfig(document));
    expect(parts.service).toBe('fanout');
    expect(Object.keys(parts.functions)).toEqual(['dispatcher', 'out-worker']);
  });
});
