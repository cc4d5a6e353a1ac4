import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Notices answers a caller never read. A caller that aborts a request (its deadline, a stalled process)
 * destroys the connection; if the answer was still unread in its socket buffer, the kernel resets the
 * connection instead of closing it. A reset right after an answer, before any new request on the connection,
 * is an answer the caller never saw: the effect happened and its retry will apply it again.
 */
export interface LostAnswers {
  /** Call first for each request: a new request on a connection means the previous answer was read. */
  request(req: IncomingMessage): void;
  /** Call once an answer is written on `req`'s connection; `lost` runs if the connection resets right after. */
  answered(req: IncomingMessage, lost: () => void): void;
}

export function lostAnswers(): LostAnswers {
  const last = new WeakMap<Socket, () => void>();
  const watched = new WeakSet<Socket>();
  return {
    request(req) {
      const socket = req.socket;
      last.delete(socket);
      if (watched.has(socket)) return;
      watched.add(socket);
      socket.once('error', (error: NodeJS.ErrnoException) => {
        const lost = last.get(socket);
        last.delete(socket);
        if (lost && error.code === 'ECONNRESET') lost();
      });
    },
    answered(req, lost) {
      last.set(req.socket, lost);
    },
  };
}
