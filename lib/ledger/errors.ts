/** A ledger page kept changing under this invocation's writes for every attempt: retried later, nothing lost. */
export class LedgerContentionError extends Error {
  override readonly name = 'LedgerContentionError';
  constructor(tableName: string, ledger: string, attempts: number) {
    super(
      `${tableName}: ledger ${ledger} changed under ${attempts} attempts in a row (other invocations writing it); the envelope is retried`,
    );
  }
}
