import {
  type KinesisClient,
  ListStreamsCommand,
  type ListStreamsCommandOutput,
} from '@aws-sdk/client-kinesis';
import { classifyError } from '../aws/retry.js';
import type { StreamLister } from './discovery.js';
import { DiscoveryError } from './errors.js';

/** ListStreams returns at most 100 names per call. */
const PAGE = 100;

/**
 * ListStreams, page by page. `ExclusiveStartStreamName` rather than `NextToken`: AWS accepts both, and
 * kinesalite (local mode) knows only the first.
 */
export function awsStreamLister(kinesis: KinesisClient): StreamLister {
  return async (signal) => {
    const names: string[] = [];
    let after: string | undefined;
    for (;;) {
      let out: ListStreamsCommandOutput;
      try {
        out = await kinesis.send(
          new ListStreamsCommand({ Limit: PAGE, ...(after ? { ExclusiveStartStreamName: after } : {}) }),
          { abortSignal: signal },
        );
      } catch (error) {
        throw new DiscoveryError(`ListStreams: ${classifyError(error).reason}`, { cause: error });
      }
      const page = out.StreamNames ?? [];
      names.push(...page);
      if (!out.HasMoreStreams || page.length === 0) return names;
      after = page[page.length - 1];
    }
  };
}
