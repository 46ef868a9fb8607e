/**
 * Every way the gateway refuses a request, with its HTTP status. One table, so a new code
 * cannot be added without a status, and the code is also the `outcome` metric label.
 */
const STATUS = {
  bad_request: 400,
  empty_body: 400,
  invalid_envelope: 400,
  invalid_json: 400,
  invalid_compression: 400,
  unauthorized: 401,
  not_found: 404,
  body_too_large: 413,
  decompression_bomb: 413,
  too_many_events: 413,
  report_too_large: 413,
  unsupported_encoding: 415,
  rate_limited: 429,
  internal_error: 500,
  kafka_unavailable: 503,
  not_ready: 503,
} as const;

export type RefusalCode = keyof typeof STATUS;

/** A refusal with its code; the exception filter turns it into `{ error: { code, message } }`. */
export class GatewayError extends Error {
  readonly status: number;
  constructor(
    readonly code: RefusalCode,
    message: string,
    /** Seconds for `Retry-After` (429 and 503): when the client may usefully try again. */
    readonly retryAfterSeconds?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'GatewayError';
    this.status = STATUS[code];
  }
}

/** The one shape of every error body the gateway sends. */
export interface ErrorBody {
  error: { code: RefusalCode; message: string };
}
