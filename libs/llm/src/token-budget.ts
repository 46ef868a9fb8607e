import { LlmBudgetExceededError } from './errors';

const HOUR_MS = 60 * 60 * 1000;

export interface TokenReservation {
  /** Replace the estimate by what the call really used. */
  commit(actualTokens: number): void;
  /** The call was not billed (it failed before an answer): give the tokens back. */
  release(): void;
}

/**
 * Tokens spent in the last hour, as a sliding window in memory. A call reserves its estimate
 * before it is sent (so concurrent calls cannot overshoot together) and settles it afterwards.
 */
export class TokenBudget {
  private readonly entries: Array<{ at: number; tokens: number }> = [];

  constructor(
    readonly tokensPerHour: number,
    private readonly now: () => number = Date.now,
  ) {}

  used(): number {
    this.prune();
    return this.entries.reduce((sum, entry) => sum + entry.tokens, 0);
  }

  reserve(tokens: number): TokenReservation {
    const used = this.used();
    if (used + tokens > this.tokensPerHour) {
      throw new LlmBudgetExceededError('per_hour', tokens, Math.max(0, this.tokensPerHour - used), this.retryAfterMs(tokens));
    }
    const entry = { at: this.now(), tokens };
    this.entries.push(entry);
    let settled = false;
    return {
      commit: (actualTokens: number) => {
        if (settled) return;
        settled = true;
        entry.tokens = actualTokens;
        entry.at = this.now();
      },
      release: () => {
        if (settled) return;
        settled = true;
        const index = this.entries.indexOf(entry);
        if (index >= 0) this.entries.splice(index, 1);
      },
    };
  }

  /** How long until enough of the window has expired for `tokens` more; null if it never will. */
  private retryAfterMs(tokens: number): number | null {
    if (tokens > this.tokensPerHour) return null;
    const now = this.now();
    let used = this.used();
    for (const entry of [...this.entries].sort((a, b) => a.at - b.at)) {
      used -= entry.tokens;
      if (used + tokens <= this.tokensPerHour) return Math.max(0, entry.at + HOUR_MS - now);
    }
    return 0;
  }

  private prune(): void {
    const cutoff = this.now() - HOUR_MS;
    for (let i = this.entries.length - 1; i >= 0; i--) if (this.entries[i].at <= cutoff) this.entries.splice(i, 1);
  }
}
