import { fileURLToPath } from 'node:url';
import { startServerChild, stopChild, TSX } from '../support/child.js';
import { CONTROL, type StubStats } from './protocol.js';

const SERVER = fileURLToPath(new URL('./server.ts', import.meta.url));

/** The stub AWS endpoint, seen from the process that started it (or from a case process given its endpoint). */
export interface StubServer {
  endpoint: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts the stub in its own process on a free port of 127.0.0.1. */
export async function startStub(): Promise<StubServer> {
  const { child, port } = await startServerChild([...TSX, SERVER]);
  return { endpoint: `http://127.0.0.1:${port}`, pid: child.pid ?? -1, stop: () => stopChild(child) };
}

async function call(endpoint: string, path: string): Promise<StubStats> {
  const res = await fetch(`${endpoint}${path}`, { method: 'POST' });
  if (!res.ok) throw new Error(`stub ${path} answered ${res.status}`);
  return (await res.json()) as StubStats;
}

/** Clears the stub's counters (not its delay). */
export const resetStub = (endpoint: string): Promise<StubStats> => call(endpoint, CONTROL.reset);
export const stubStats = (endpoint: string): Promise<StubStats> => call(endpoint, CONTROL.stats);
/** Every later response waits `ms` before it is sent. */
export const setStubDelay = (endpoint: string, ms: number): Promise<StubStats> =>
  call(endpoint, `${CONTROL.delay}?ms=${ms}`);
