/** Why a call may succeed later. A fixed list: it is a metric label. */
export const LLM_RETRIABLE_REASONS = ['rate_limited', 'overloaded', 'server_error', 'timeout', 'connection'] as const;
export type LlmRetriableReason = (typeof LLM_RETRIABLE_REASONS)[number];

/** Why a call will not succeed by retrying it. A fixed list: it is a metric label. */
export const LLM_PERMANENT_REASONS = ['spend_limit', 'authentication', 'permission', 'invalid_request', 'not_found', 'aborted', 'unexpected'] as const;
export type LlmPermanentReason = (typeof LLM_PERMANENT_REASONS)[number];

/** The API may answer later (429, 5xx, 529, timeouts); our bounded retries ran out first. */
export class LlmRetriableError extends Error {
  override readonly name = 'LlmRetriableError';
  readonly retriable = true;
  constructor(
    readonly reason: LlmRetriableReason,
    message: string,
    readonly details: { status: number | null; retryAfterMs: number | null; requestId: string | null; attempts: number },
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Retrying will not help: spend limit or billing, bad key, invalid request. */
export class LlmPermanentError extends Error {
  override readonly name = 'LlmPermanentError';
  readonly retriable = false;
  constructor(
    readonly reason: LlmPermanentReason,
    message: string,
    readonly details: { status: number | null; requestId: string | null; attempts: number },
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Our own token budget refused the call before it was sent. */
export class LlmBudgetExceededError extends Error {
  override readonly name = 'LlmBudgetExceededError';
  readonly retriable = false;
  constructor(
    readonly scope: 'per_call' | 'per_hour',
    readonly requestedTokens: number,
    readonly availableTokens: number,
    /** When the hourly window will have room again; null for a call that can never fit. */
    readonly retryAfterMs: number | null,
  ) {
    super(
      scope === 'per_call'
        ? `LLM call needs ~${requestedTokens} tokens, over the per-call budget of ${availableTokens}`
        : `LLM hourly token budget exhausted: ~${requestedTokens} tokens requested, ${availableTokens} left`,
    );
  }
}
