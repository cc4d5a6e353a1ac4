import { defineError } from '../errors.js';

/** A ledger page kept changing under this invocation's writes for every attempt: retried later, nothing lost. */
export class LedgerContentionError extends defineError('LedgerContentionError', 'LEDGER_CONTENTION') {
  constructor(tableName: string, ledger: string, attempts: number, options?: ErrorOptions) {
    super(
      `${tableName}: ledger ${ledger} changed under ${attempts} attempts in a row (other invocations writing it); the envelope is retried`,
      options,
    );
  }
}
