/** What `fanout tail` is asked to follow: a stream, a queue, or (in local mode) an http target's received requests. */
export interface TailOptions {
  /** Stream or queue name (or queue URL). */
  name: string;
  /** `stream` or `queue`; detected when omitted. */
  kind?: 'stream' | 'queue';
  /** Streams: start at the oldest record instead of new ones. */
  fromStart: boolean;
  /** Stop after this many records/messages (default: run until interrupted). */
  max?: number;
  /** Stop after this many seconds without anything new (default: never). */
  idleSeconds?: number;
  /** Local mode's control endpoint: `name` may then be an http target, whose received requests are shown. */
  localControlUrl?: string;
  signal?: AbortSignal;
}
