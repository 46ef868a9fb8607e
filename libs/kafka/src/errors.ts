/** A failure that may pass if tried again (broker or ClickHouse unreachable, timeouts). Never dead-letters. */
export class RetriableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RetriableError';
  }
}
