import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** What every SDK v3 client constructor accepts that this project sets. */
export interface ClientSettings {
  region?: string;
  maxAttempts?: number;
  requestHandler?: NodeHttpHandler;
  /** SQS only (other clients ignore it); see {@link ClientPool.get}. */
  useQueueUrlAsEndpoint?: boolean;
  /** S3 only (other clients ignore it); see {@link ClientPool.get}. */
  forcePathStyle?: boolean;
  /** SQS only (S3 reads `md5` as its SSE-C hash, so it is never set on other clients); see {@link ClientPool.get}. */
  md5?: false;
  credentials?: CredentialsProvider;
}

/** AWS credentials as the SDK takes them; `expiration` tells it when to ask its provider again. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** What an SDK client accepts as `credentials` (e.g. STS AssumeRole, see lib/targets/credentials.ts). */
export type CredentialsProvider = () => Promise<Credentials>;

// biome-ignore lint/suspicious/noExplicitAny: SDK client constructors differ in their config type
type ClientClass<C> = new (config: any) => C;

/**
 * SDK attempts per call of a pool's clients unless it says otherwise: one. Callers that must respect a deadline
 * (the dispatcher, the worker) retry with {@link retryWithBackoff}, within the invocation's time, only the
 * entries a batch call refused; the SDK's own retries would not know the deadline.
 */
export const SDK_ATTEMPTS = 1;
/**
 * SDK attempts per call for a command a person (or a test) waits on: the SDK's own default (its `standard` retry
 * mode). Such a command has no invocation deadline to respect, so the SDK retrying a throttle or a 5xx on top of
 * ours is one error less on the screen.
 */
export const OPERATOR_SDK_ATTEMPTS = 3;

export interface ClientPoolOptions {
  /** Region for clients without one of their own (default: the SDK's chain: AWS_REGION, profile). */
  region?: string;
  /** Sockets per host kept open; the dispatcher's hand-off concurrency should not exceed it. */
  maxSockets?: number;
  /** SDK attempts per call (default {@link SDK_ATTEMPTS}). */
  maxAttempts?: number;
  /** Credentials of every client of the pool (default: the SDK's chain, i.e. the function's role). */
  credentials?: CredentialsProvider;
  /**
   * Longest time a call may take, connection included (default 30 s): a hung endpoint fails the call with a
   * retryable TimeoutError instead of holding it until the function's timeout. A call that lasts longer by
   * design (a synchronous Invoke) passes its own `requestTimeout` to `send`.
   */
  requestTimeoutMs?: number;
}

/**
 * Creates SDK clients once and reuses them (one per class and region), all sharing keep-alive agents.
 *
 * Uses the HTTP/1.1 `NodeHttpHandler` for every client: `@aws-sdk/client-kinesis` otherwise picks an
 * HTTP/2 handler that local emulators (kinesalite, kinesis-mock) do not speak. Endpoints come from the SDK's
 * own `AWS_ENDPOINT_URL_<SERVICE>` variables, so the same code runs against AWS and local mode.
 */
export class ClientPool {
  // Keyed by the class itself: bundlers may minify class names.
  readonly #clients = new Map<unknown, Map<string, unknown>>();
  readonly #handler: NodeHttpHandler;
  readonly #options: ClientPoolOptions;

  constructor(options: ClientPoolOptions = {}, handler?: NodeHttpHandler) {
    this.#options = options;
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64 };
    this.#handler =
      handler ??
      new NodeHttpHandler({
        httpAgent: new HttpAgent(agentOptions),
        httpsAgent: new HttpsAgent(agentOptions),
        connectionTimeout: 5_000,
        requestTimeout: options.requestTimeoutMs ?? 30_000,
        // Without it, @smithy/node-http-handler 4.x only logs a warning when requestTimeout passes.
        throwOnRequestTimeout: true,
      });
  }

  /**
   * A pool with other credentials or another default region (a target's assumed role, its `region`): clients of
   * its own, the same keep-alive sockets.
   */
  derive(options: Pick<ClientPoolOptions, 'region' | 'credentials'>): ClientPool {
    return new ClientPool({ ...this.#options, ...options }, this.#handler);
  }

  /** The shared client of this class (and region). */
  get<C>(Client: ClientClass<C>, region?: string): C {
    let byRegion = this.#clients.get(Client);
    if (!byRegion) {
      byRegion = new Map();
      this.#clients.set(Client, byRegion);
    }
    let client = byRegion.get(region ?? '') as C | undefined;
    if (!client) {
      const settings: ClientSettings = {
        requestHandler: this.#handler,
        maxAttempts: this.#options.maxAttempts ?? SDK_ATTEMPTS,
      };
      const r = region ?? this.#options.region;
      if (r) settings.region = r;
      // With an endpoint override (local mode), keep sending to it: by default the SQS client sends each call to
      // the host of its QueueUrl, and an emulator's queue URLs (e.g. fauxqs's `sqs.<region>.127.0.0.1:<port>`)
      // are not always valid hosts.
      if (process.env.AWS_ENDPOINT_URL_SQS || process.env.AWS_ENDPOINT_URL)
        settings.useQueueUrlAsEndpoint = false;
      // An emulator's S3 (fauxqs in local mode) serves buckets as paths: `<bucket>.127.0.0.1` is no host.
      if (process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL) settings.forcePathStyle = true;
      if (this.#options.credentials) settings.credentials = this.#options.credentials;
      // By default the SQS client hashes every message body it sends (and receives) with MD5 and compares it with
      // the MD5 SQS returns: ~70 µs of CPU per SendMessageBatch of 10 messages, a fifth of the SDK's own time
      // (bench: sdk-calls). Redundant: SigV4 signs the SHA-256 of the request body, so SQS refuses a body changed on
      // the way, and TLS protects the response. A mismatch would also fail the whole call after SQS had accepted
      // it, so its retry would send duplicates. https://github.com/aws/aws-sdk-js-v3/pull/5953
      if ((Client as unknown) === SQSClient) settings.md5 = false;
      client = new Client(settings);
      byRegion.set(region ?? '', client);
    }
    return client;
  }
}
