/**
 * Entry point of one simulated execution environment (a child process started with `node --import tsx`).
 * Usage: container-main.ts <handler file> <export name>. The function's identity comes from the Lambda
 * environment variables the runtime sets (AWS_LAMBDA_FUNCTION_NAME, ...), as in Lambda.
 *
 * Loading the module is the init phase; then invocations arrive one at a time over IPC. The process exits
 * when the runtime goes away (IPC disconnect), so a killed runtime leaves no container behind.
 */

import { basename, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type ContainerMessage, type InvokeRequestMessage, initError, toErrorPayload } from './protocol.js';

type Handler = (
  event: unknown,
  context: object,
  callback: (error: unknown, value?: unknown) => void,
) => unknown;

const [file = '', exportName = 'handler'] = process.argv.slice(2);
const handlerName = `${basename(file, extname(file))}.${exportName}`;

function send(message: ContainerMessage, then?: () => void): void {
  if (!process.connected) process.exit(0);
  process.send?.(message, undefined, {}, () => then?.());
}

// Lambda's runtime reports these and then discards the environment; the parent sees the exit next.
function crash(errorType: string | undefined, thrown: unknown): void {
  const error = toErrorPayload(thrown);
  send({ type: 'crash', error: errorType ? { ...error, errorType } : error }, () => process.exit(128));
}
process.on('uncaughtException', (error) => crash(undefined, error));
process.on('unhandledRejection', (reason) => crash('Runtime.UnhandledPromiseRejection', reason));
process.on('disconnect', () => process.exit(0));

let handler: Handler;
try {
  const module = (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>;
  const exported = module[exportName];
  if (typeof exported !== 'function') {
    throw Object.assign(new Error('handler not found'), { name: 'Runtime.HandlerNotFound' });
  }
  handler = exported as Handler;
} catch (error) {
  send({ type: 'init-error', error: initError(error, handlerName) }, () => process.exit(129));
  await new Promise(() => {});
}

/** Runs async handlers, callback handlers (three parameters) and handlers returning a plain value. */
function run(event: unknown, context: object, settle: Settle): void {
  try {
    const out = handler(event, context, (error, value) =>
      error ? settle.fail(error) : settle.succeed(value),
    );
    if (out && typeof (out as PromiseLike<unknown>).then === 'function') {
      (out as PromiseLike<unknown>).then(settle.succeed, settle.fail);
    } else if (handler.length < 3) {
      settle.succeed(out);
    }
  } catch (error) {
    settle.fail(error);
  }
}

interface Settle {
  succeed(value: unknown): void;
  fail(error: unknown): void;
}

function contextFor(message: InvokeRequestMessage, settle: Settle): object {
  const env = process.env;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: message.invokedFunctionArn,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: message.requestId,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => Math.max(0, message.deadlineMs - Date.now()),
    // Legacy context methods, still used by older handlers and some middleware.
    done: (error: unknown, value: unknown) => (error ? settle.fail(error) : settle.succeed(value)),
    succeed: (value: unknown) => settle.succeed(value),
    fail: (error: unknown) => settle.fail(error),
  };
}

process.on('message', (message: InvokeRequestMessage) => {
  if (message?.type !== 'invoke') return;
  let settled = false;
  const settle: Settle = {
    succeed(value) {
      if (settled) return;
      settled = true;
      let payload: string;
      try {
        payload = JSON.stringify(value === undefined ? null : value) ?? 'null';
      } catch (error) {
        const { errorMessage } = toErrorPayload(error);
        send({
          type: 'error',
          requestId: message.requestId,
          error: { errorType: 'Runtime.MarshalError', errorMessage },
        });
        return;
      }
      send({ type: 'result', requestId: message.requestId, payload });
    },
    fail(error) {
      if (settled) return;
      settled = true;
      send({ type: 'error', requestId: message.requestId, error: toErrorPayload(error) });
    },
  };
  let event: unknown;
  try {
    event = JSON.parse(message.payload);
  } catch (error) {
    return settle.fail(error);
  }
  run(event, contextFor(message, settle), settle);
});

send({ type: 'ready' });
