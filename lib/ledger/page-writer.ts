import type { LedgerPage } from './page.js';

type Change = (page: LedgerPage, now: number) => void;

/**
 * A container's writes of one page, one at a time: the changes asked for while a write is under way go together in
 * the next one. An invocation's destination calls run in parallel, and each records its deliveries when it
 * answers; a queue's batch delivers its envelopes at once, each with its lease: written one by one they would race
 * each other for the page's version (each refused write is billed) and cost a write each; coalesced they cost a
 * write per round, and a change waits for at most the write before its own.
 */
export class PageWriter {
  readonly #write: (apply: Change) => Promise<void>;
  readonly #queue: Array<{ change: Change; resolve: () => void; reject: (error: unknown) => void }> = [];
  #running = false;

  constructor(write: (apply: Change) => Promise<void>) {
    this.#write = write;
  }

  /** Resolves once a write that includes `change` succeeded; rejects with that write's error. */
  submit(change: Change): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ change, resolve, reject });
      void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0);
        try {
          await this.#write((page, now) => {
            for (const item of batch) item.change(page, now);
          });
          for (const item of batch) item.resolve();
        } catch (error) {
          for (const item of batch) item.reject(error);
        }
      }
    } finally {
      this.#running = false;
    }
  }
}
