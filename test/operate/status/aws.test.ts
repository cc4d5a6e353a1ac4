import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  GetFunctionConcurrencyCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
} from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { configFactory } from '../../../harness/support/factories.js';
import { naming } from '../../../lib/config/naming.js';
import { collectAwsStatus } from '../../../lib/operate/status/aws.js';
import { renderAwsStatus, renderAwsStatusLine } from '../../../lib/operate/status/render.js';

const lambda = mockClient(LambdaClient);
const sqs = mockClient(SQSClient);
const cloudwatch = mockClient(CloudWatchClient);
const config = configFactory({
  targets: [
    { name: 'webhook', type: 'http', destination: 'https://example.com/h', concurrency: 5 },
    { name: 'audit', type: 'sqs', destination: 'audit', via: 'queue', concurrency: 4 },
  ],
});
const NOW = Date.parse('2025-06-01T12:00:30.000Z');
const deps = () => ({
  lambda: new LambdaClient({ region: 'eu-west-1' }),
  sqs: new SQSClient({ region: 'eu-west-1' }),
  cloudwatch: new CloudWatchClient({ region: 'eu-west-1' }),
  now: () => NOW,
});
const request = { config, names: naming('fanout', 'prod'), stage: 'prod', region: 'eu-west-1' };

/** Queue depths by queue name: [visible, in flight]. */
function queues(depths: Record<string, [number, number]>): void {
  sqs.on(GetQueueUrlCommand).callsFake((input: { QueueName: string }) => ({
    QueueUrl: `https://sqs.eu-west-1.amazonaws.com/123456789012/${input.QueueName}`,
  }));
  sqs.on(GetQueueAttributesCommand).callsFake((input: { QueueUrl: string }) => {
    const [visible, inFlight] = depths[input.QueueUrl.split('/').pop() as string] ?? [0, 0];
    return {
      Attributes: {
        ApproximateNumberOfMessages: String(visible),
        ApproximateNumberOfMessagesNotVisible: String(inFlight),
      },
    };
  });
}

describe('collectAwsStatus', () => {
  beforeEach(() => {
    lambda.reset();
    sqs.reset();
    cloudwatch.reset();
  });

  it('reads live concurrency, queue depths and 15 minutes of CloudWatch, per target and for the source', async () => {
    lambda.on(GetFunctionConcurrencyCommand).resolves({ ReservedConcurrentExecutions: 8 });
    lambda.on(ListEventSourceMappingsCommand).resolves({
      EventSourceMappings: [
        {
          UUID: 'm',
          EventSourceArn: 'arn:aws:sqs:eu-west-1:1:fanout-prod-audit-queue',
          ScalingConfig: { MaximumConcurrency: 4 },
        },
      ],
    });
    queues({
      'fanout-prod-webhook-dlq': [3, 1],
      'fanout-prod-audit-dlq': [0, 0],
      'fanout-prod-audit-queue': [40, 10],
      'fanout-prod-dispatcher-failures': [2, 0],
    });
    cloudwatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'src_age', Values: [1_200, 45_000, 300] },
        { Id: 't0_errors', Values: [1, 2] },
        { Id: 't0_throttles', Values: [] },
        { Id: 't0_invocations', Values: [10, 20] },
        { Id: 't0_dlq_age', Values: [600, 660] },
        { Id: 'd_errors', Values: [0] },
      ],
    });

    const status = await collectAwsStatus(request, deps());
    expect(status).toMatchObject({
      mode: 'aws',
      at: '2025-06-01T12:00:30.000Z',
      windowMinutes: 15,
      source: {
        stream: 'input',
        iteratorAgeMs: 45_000,
        getRecordsIteratorAgeMs: null,
        dispatcherErrors: 0,
        failureQueueMessages: 2,
      },
      problems: [],
      dashboard: {
        name: 'fanout-prod',
        url: 'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/fanout-prod',
      },
    });
    expect(status.targets).toEqual([
      {
        name: 'webhook',
        type: 'http',
        via: 'invoke',
        enabled: true,
        concurrency: { configured: 5, live: 8, setting: 'reserved concurrency' },
        dlqMessages: 3,
        dlqMessagesInFlight: 1,
        dlqOldestAgeSeconds: 660,
        invocations: 30,
        errors: 3,
        throttles: 0,
      },
      {
        name: 'audit',
        type: 'sqs',
        via: 'queue',
        enabled: true,
        concurrency: { configured: 4, live: 4, setting: 'maximum concurrency' },
        queueMessages: 50,
        dlqMessages: 0,
        dlqMessagesInFlight: 0,
        dlqOldestAgeSeconds: null,
        invocations: 0,
        errors: 0,
        throttles: 0,
      },
    ]);

    const query = cloudwatch.commandCalls(GetMetricDataCommand)[0]?.args[0].input;
    expect(query?.EndTime).toEqual(new Date('2025-06-01T12:00:00.000Z'));
    expect(query?.StartTime).toEqual(new Date('2025-06-01T11:45:00.000Z'));
    expect(query?.MetricDataQueries).toContainEqual({
      Id: 't0_throttles',
      MetricStat: {
        Metric: {
          Namespace: 'AWS/Lambda',
          MetricName: 'Throttles',
          Dimensions: [{ Name: 'FunctionName', Value: 'fanout-prod-webhook-worker' }],
        },
        Period: 60,
        Stat: 'Sum',
      },
      ReturnData: true,
    });
    expect(query?.MetricDataQueries).toContainEqual(
      expect.objectContaining({
        Id: 'src_getrecords_age',
        MetricStat: expect.objectContaining({
          Metric: {
            Namespace: 'AWS/Kinesis',
            MetricName: 'GetRecords.IteratorAgeMilliseconds',
            Dimensions: [{ Name: 'StreamName', Value: 'input' }],
          },
          Stat: 'Maximum',
        }),
      }),
    );

    const table = renderAwsStatus(status);
    expect(table).toMatch(/webhook .*http\/invoke .*8 ! \(yml 5\)/);
    // The DLQ column counts SQS messages (an envelope carries many records), and says so.
    expect(table).toMatch(/│ queued +│ DLQ msgs +│ oldest in DLQ +│/);
    expect(table).toMatch(/webhook .*│ 3 \(\+1 in flight\) +│ 11 min +│/);
    expect(table).toContain('11 min');
    expect(table).toContain('iterator age 45.0 s (dispatcher), no data (GetRecords)');
    expect(table).toContain(`dashboard fanout-prod: ${status.dashboard.url}`);
    // `fanout status --watch` into a file or a CI log: one line per refresh.
    expect(renderAwsStatusLine(status)).toBe(
      'source input: iterator age 45.0 s, 2 failed batch(es) | webhook: 3 DLQ msgs (+1 in flight), 3 errors, 0 throttles | audit: 50 queued, 0 DLQ msgs, 0 errors, 0 throttles',
    );
  });

  it('lists what it could not read instead of showing zeros as facts', async () => {
    lambda
      .on(GetFunctionConcurrencyCommand)
      .rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' }));
    lambda.on(ListEventSourceMappingsCommand).resolves({ EventSourceMappings: [] });
    queues({});
    cloudwatch.on(GetMetricDataCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    const status = await collectAwsStatus(request, deps());
    expect(status.targets.map((t) => t.concurrency.live)).toEqual([null, null]);
    expect(status.problems).toHaveLength(3);
    expect(status.problems).toEqual(
      expect.arrayContaining([
        'CloudWatch GetMetricData: AccessDenied: denied',
        expect.stringMatching(
          /^concurrency of webhook: GetFunctionConcurrency fanout-prod-webhook-worker: AccessDeniedException/,
        ),
        expect.stringMatching(
          /^concurrency of audit: no event source mapping from queue fanout-prod-audit-queue/,
        ),
      ]),
    );
    expect(renderAwsStatus(status)).toContain('! CloudWatch GetMetricData: AccessDenied: denied');
    const line = renderAwsStatusLine(status);
    expect(line).not.toContain('\n');
    expect(line).toContain(' | ! ');
    for (const problem of status.problems) expect(line).toContain(problem);
  });
});
