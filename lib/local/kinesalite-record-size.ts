/**
 * kinesalite refuses a record over 1 MiB as AWS's Java validation words it ("Value 'java.nio.HeapByteBuffer[pos=0
 * lim=2097152 cap=2097152]' at 'data' failed to satisfy constraint: Member must have length less than or equal
 * to 1048576"), which says nothing of why, while the README says Kinesis takes records up to 10 MiB. 10 MiB is
 * an opt-in of a stream (UpdateMaxRecordSize), which kinesalite does not emulate and the deployed stack does not
 * set: 1 MiB is what both take. This rewrites that refusal so it says so.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** Kinesis's default record size limit, which kinesalite enforces: data of at most 1 MiB. */
export const LOCAL_RECORD_LIMIT = 1_048_576;

const REFUSAL =
  /Value 'java\.nio\.HeapByteBuffer\[pos=\d+ lim=(\d+) cap=\d+\]' at '([^']+)' failed to satisfy constraint: Member must have length less than or equal to 1048576/g;

/** The refusal of kinesalite's validation error `message`, reworded; other messages are returned as they are. */
export function explainRecordSizeRefusal(message: string): string {
  return message.replace(
    REFUSAL,
    (_, bytes: string, where: string) =>
      `${where} of ${bytes} bytes is over local mode's record limit of ${LOCAL_RECORD_LIMIT} bytes (1 MiB): kinesalite caps records at 1 MiB, the default of a Kinesis stream (10 MiB needs a stream that opts in with UpdateMaxRecordSize, which kinesalite does not emulate)`,
  );
}

/** Makes `server` (kinesalite's) answer record-size refusals with {@link explainRecordSizeRefusal}. */
export function explainRecordSizeRefusals(server: Server): void {
  const handlers = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const end = res.end.bind(res) as (body?: unknown) => ServerResponse;
    res.end = ((body?: unknown) => {
      if (res.statusCode === 400 && typeof body === 'string' && body.includes('HeapByteBuffer')) {
        const reworded = explainRecordSizeRefusal(body);
        res.setHeader('Content-Length', Buffer.byteLength(reworded));
        return end(reworded);
      }
      return end(body);
    }) as ServerResponse['end'];
    for (const handler of handlers) handler(req, res);
  });
}
