import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

/**
 * How soon after an answer a caller's close counts as "never read it". The functions' clients keep connections
 * alive (the SDK's agent, undici) and close an idle one only after seconds (undici: the server's keep-alive hint
 * minus 1 s, here 29 s); a close this soon after an answer, before any new request, is an abort.
 */
export const LOST_ANSWER_WINDOW_MS = 3_000;

/**
 * Notices answers a caller never read. A caller that aborts a request (its deadline, a stalled process)
 * destroys the connection, before or after the answer reaches it. Seen from here that is a close of the
 * connection (the caller's FIN, or a reset when the answer was still unread in its buffer, or a write failing
 * with EPIPE) soon after the answer and before any new request on it; a caller that read the answer sends its
 * next request on the same connection. Such an answer's effect happened and the caller's retry applies it again.
 */
export interface LostAnswers {
  /** Call first for each request: a new request on a connection means the previous answer was read. */
  request(req: IncomingMessage): void;
  /**
   * Call as the answer to `req` is written (before `end`, so that a close racing the write is seen); `lost`
   * runs at most once, if the connection closes within the window without another request.
   */
  answered(req: IncomingMessage, lost: () => void): void;
}

export function lostAnswers(windowMs = LOST_ANSWER_WINDOW_MS): LostAnswers {
  const last = new WeakMap<Socket, { at: number; lost: () => void }>();
  const watched = new WeakSet<Socket>();
  const closed = (socket: Socket): void => {
    const answer = last.get(socket);
    last.delete(socket);
    if (answer && Date.now() - answer.at <= windowMs) answer.lost();
  };
  return {
    request(req) {
      const socket = req.socket;
      last.delete(socket);
      if (watched.has(socket)) return;
      watched.add(socket);
      socket.once('end', () => closed(socket));
      socket.once('error', () => closed(socket));
      socket.once('close', () => closed(socket));
    },
    answered(req, lost) {
      last.set(req.socket, { at: Date.now(), lost });
    },
  };
}
