import { retryDelaysMs } from '@faultline/detection';
import type { DeliveryOptions } from './options';

/** What became of one payload sent to one webhook: exactly one outcome, with the tries it took. */
export type DeliveryOutcome =
  | { kind: 'sent'; attempts: number; status: number }
  | { kind: 'failed'; attempts: number; error: string; retriable: boolean };

export interface DeliveryDeps {
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  jitter?: () => number;
}

/** A try that may pass if repeated: network errors, timeouts, 408, 429 and 5xx. Other 4xx are final. */
function retriableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** `Retry-After` in seconds (the HTTP-date form is rare for webhooks and ignored). */
function retryAfterMs(response: Response): number | null {
  const value = response.headers.get('retry-after');
  if (value === null || !/^\d+$/.test(value.trim())) return null;
  return Number(value.trim()) * 1000;
}

/**
 * POSTs a JSON body to a webhook with a timeout per try and bounded retries: exponential backoff with
 * jitter (retryDelaysMs), never less than a Retry-After within the backoff cap.
 * `alertId` goes out as a header, the same on every try, so receivers can drop repeats.
 */
export async function deliverWebhook(url: string, body: unknown, alertId: string, options: DeliveryOptions, deps: DeliveryDeps = {}): Promise<DeliveryOutcome> {
  const doFetch = deps.fetch ?? fetch;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const attempts = Math.max(1, options.attempts);
  const delays = retryDelaysMs(attempts - 1, options.baseDelayMs, Math.max(options.baseDelayMs, options.maxDelayMs), deps.jitter);
  const text = JSON.stringify(body);
  let lastError = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    let wait = delays[attempt - 1] ?? 0;
    try {
      const response = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'faultline-detector', 'x-faultline-alert-id': alertId },
        body: text,
        redirect: 'error',
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      const responseText = await response.text().catch(() => '');
      if (response.ok) return { kind: 'sent', attempts: attempt, status: response.status };
      lastError = `HTTP ${response.status}${responseText ? `: ${responseText.slice(0, 200)}` : ''}`;
      if (!retriableStatus(response.status)) return { kind: 'failed', attempts: attempt, error: lastError, retriable: false };
      const hinted = retryAfterMs(response);
      if (hinted !== null) wait = Math.max(wait, Math.min(hinted, options.maxDelayMs));
    } catch (error) {
      const e = error as Error;
      lastError = e.name === 'TimeoutError' ? `timed out after ${options.timeoutMs} ms` : `${e.message}${e.cause instanceof Error ? `: ${e.cause.message}` : ''}`;
    }
    if (attempt < attempts) await sleep(wait);
  }
  return { kind: 'failed', attempts, error: lastError, retriable: true };
}
