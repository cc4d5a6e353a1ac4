import { createHash } from 'node:crypto';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { classifyError, retryWithBackoff } from '../../aws/retry.js';
import { DEFAULT_MESSAGE_GROUPS } from '../../config/features.js';
import type { Naming } from '../../config/naming.js';
import type { TargetConfig } from '../../config/schema.js';
import { messageGroupOf } from '../../dispatch/ordered.js';
import { HandoffError } from '../../handoff/errors.js';
import type { HandoffPort } from '../../handoff/types.js';

/** How one envelope's hand-off ended. `delivered`/`skipped` are known only for a synchronous (`--wait`) replay. */
export type ReplayHandoffResult =
  | { ok: true; delivered?: number; skipped?: number }
  | { ok: false; reason: string };

/** Hands one envelope (JSON) to the target again. */
export type ReplayHandoff = (envelope: string) => Promise<ReplayHandoffResult>;

export interface ReplayHandoffDeps {
  target: TargetConfig;
  names: Naming;
  handoff: HandoffPort;
  lambda: LambdaClient;
  /**
   * Invoke the worker synchronously (`RequestResponse`) and wait for its delivery summary, for either hand-off
   * mode: the worker takes an envelope directly in both. A worker error then leaves the DLQ message in place.
   */
  wait: boolean;
  /** Attempts per hand-off, the first included (throttles and 5xx are retried with jittered backoff). */
  maxAttempts?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The replay's hand-off: the same calls the dispatcher makes (async `Invoke` of the worker, or SendMessage to
 * the target's queue, through {@link HandoffPort}), or a synchronous `Invoke` with `--wait`.
 */
export function replayHandoff(deps: ReplayHandoffDeps): ReplayHandoff {
  const { target, names, handoff } = deps;
  const now = deps.now ?? Date.now;
  const functionName = names.workerFunction(target.name);
  const attempt = deps.wait
    ? (body: string) => invokeAndWait(deps.lambda, functionName, body)
    : target.via === 'invoke'
      ? async (body: string): Promise<ReplayHandoffResult> => {
          await handoff.invokeAsync(functionName, body);
          return { ok: true };
        }
      : async (body: string): Promise<ReplayHandoffResult> => {
          const url = await handoff.queueUrl(names.targetQueue(target));
          const [refused] = await handoff.sendBatch(url, [
            { id: 'replay', body, ...fifoFields(target, body) },
          ]);
          if (refused) throw new HandoffError(`SendMessage: ${refused.reason}`, refused.retryable);
          return { ok: true };
        };

  return async (body) => {
    let result: ReplayHandoffResult = { ok: false, reason: 'not attempted' };
    await retryWithBackoff(
      [body],
      async (pending) => {
        try {
          result = await attempt(body);
          return [];
        } catch (error) {
          const e =
            error instanceof HandoffError
              ? { retryable: error.retryable, reason: error.message }
              : classifyError(error);
          result = { ok: false, reason: e.reason };
          return e.retryable ? pending : [];
        }
      },
      {
        deadline: now() + 60_000,
        maxAttempts: deps.maxAttempts ?? 5,
        now,
        baseMs: 200,
        ...(deps.sleep ? { sleep: deps.sleep } : {}),
      },
    );
    return result;
  };
}

/** `RequestResponse` invoke; a function error is an outcome (the worker failed again), not an exception. */
async function invokeAndWait(
  lambda: LambdaClient,
  functionName: string,
  body: string,
): Promise<ReplayHandoffResult> {
  const out = await lambda.send(
    new InvokeCommand({
      FunctionName: functionName,
      InvocationType: 'RequestResponse',
      Payload: Buffer.from(body),
    }),
  );
  const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
  let payload: Record<string, unknown> = {};
  try {
    payload = (JSON.parse(text) ?? {}) as Record<string, unknown>;
  } catch {}
  if (out.FunctionError) {
    const reason = payload.errorMessage
      ? `${String(payload.errorType ?? 'Error')}: ${String(payload.errorMessage)}`
      : `${out.FunctionError} function error`;
    return { ok: false, reason: `worker failed again: ${reason}` };
  }
  const count = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
  const delivered = count(payload.delivered);
  const skipped = count(payload.skipped);
  return {
    ok: true,
    ...(delivered === undefined ? {} : { delivered }),
    ...(skipped === undefined ? {} : { skipped }),
  };
}

/**
 * An ordered target's queue is FIFO: a replayed envelope goes back to the message group the dispatcher gave it
 * (all its records share one: the group of their partition keys), with a deduplication id of its content, so
 * a replay that is retried within SQS's 5-minute window is not queued twice.
 */
function fifoFields(target: TargetConfig, body: string): { groupId?: string; deduplicationId?: string } {
  if (!target.ordered) return {};
  let envelope: { records?: Array<{ pk?: string }>; dest?: string } = {};
  try {
    envelope = JSON.parse(body) as typeof envelope;
  } catch {
    // Not JSON: the worker will refuse it with the reason; any group will do.
  }
  const pk = envelope.records?.[0]?.pk ?? '';
  return {
    groupId: messageGroupOf(pk, target.messageGroups ?? DEFAULT_MESSAGE_GROUPS, envelope.dest),
    deduplicationId: createHash('sha256').update(body).digest('base64url'),
  };
}
