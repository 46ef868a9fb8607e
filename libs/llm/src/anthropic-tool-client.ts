import Anthropic, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import { setTimeout as sleep } from 'node:timers/promises';
import { LlmBudgetExceededError, LlmPermanentError, LlmPermanentReason, LlmRetriableError, LlmRetriableReason } from './errors';
import { TokenBudget } from './token-budget';

export interface LlmTextBlock {
  type: 'text';
  text: string;
  /** Mark a stable prefix (e.g. the evidence of a repair round) as cacheable. */
  cache_control?: { type: 'ephemeral' };
}
export interface LlmToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: unknown;
}
export interface LlmToolResultBlock {
  type: 'tool_result';
  tool_use_id: string;
  content: string;
  is_error?: boolean;
}
export type LlmContentBlock = LlmTextBlock | LlmToolUseBlock | LlmToolResultBlock;
export interface LlmMessage {
  role: 'user' | 'assistant';
  content: string | LlmContentBlock[];
}

export interface ToolDefinition {
  name: string;
  description: string;
  input_schema: { type: 'object'; [key: string]: unknown };
}

export interface ToolCallRequest {
  /** Stable across calls, so it is sent as a cached prefix. */
  system: string;
  messages: LlmMessage[];
  tool: ToolDefinition;
  maxTokens: number;
  signal?: AbortSignal;
}

export interface LlmUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheCreationInputTokens: number;
  totalTokens: number;
  /** Null when no pricing was configured. */
  costUsd: number | null;
}

export interface UsageReport extends LlmUsage {
  model: string;
  requestId: string | null;
  stopReason: string | null;
}

export interface ToolCallResult {
  /** The forced tool's input as the model wrote it, unvalidated; undefined when it called no tool. */
  input: unknown;
  /** Needed to send a `tool_result` back in a repair round. */
  toolUseId: string | null;
  usage: LlmUsage;
  stopReason: string | null;
  requestId: string | null;
  model: string;
  attempts: number;
}

export interface Pricing {
  inputPerMTok: number;
  outputPerMTok: number;
  cacheReadPerMTok: number;
  cacheWritePerMTok: number;
}

export interface AnthropicToolClientOptions {
  apiKey: string;
  /** Defaults to the public API; set explicitly so the SDK reads no environment variable for it. */
  baseURL?: string;
  model: string;
  /** Per attempt: a hung connection must not hold an analysis slot. */
  timeoutMs: number;
  /** Retries after the first attempt, on 429 (not spend limits), 5xx, 529 and timeouts. */
  maxRetries: number;
  /** Input + output tokens (cache reads and writes included) per sliding hour. */
  tokenBudgetPerHour: number;
  /** Estimated tokens one call may use at most (prompt + max output). */
  tokenBudgetPerCall?: number;
  pricing?: Pricing;
  onUsage?: (usage: UsageReport) => void;
  /** Longest wait between attempts; a longer `retry-after` ends the call with a retriable error for the caller to schedule. */
  maxRetryDelayMs?: number;
  /** First backoff delay, doubled per attempt (with jitter) when the server gives no `retry-after`. */
  baseRetryDelayMs?: number;
  now?: () => number;
}

// Error codes of 429/402 answers that mean "out of money", not "too fast": retrying cannot help.
const SPEND_LIMIT_CODES = new Set([
  'contract_spend_limit_reached',
  'enforced_spend_limit_reached',
  'linked_organization_spend_limit_reached',
  'linked_organization_billing_unavailable',
]);
const SPEND_LIMIT_WORDING = /credit balance|spend(ing)? limit|usage limits?\b|billing|insufficient (funds|credit|balance)|payment required/i;

type Failure =
  | { kind: 'retriable'; reason: LlmRetriableReason; status: number | null; retryAfterMs: number | null; requestId: string | null; message: string }
  | { kind: 'permanent'; reason: LlmPermanentReason; status: number | null; requestId: string | null; message: string };

/**
 * Claude through `@anthropic-ai/sdk`, for one forced tool call: the system prompt is sent as a
 * cached prefix, the answer is the tool's input. The SDK's own retries are off: ours are bounded,
 * honour `retry-after`, and never retry a spend-limit 429.
 */
export class AnthropicToolClient {
  private readonly sdk: Anthropic;
  private readonly budget: TokenBudget;
  private readonly perCall: number;
  private readonly maxRetryDelayMs: number;
  private readonly baseRetryDelayMs: number;

  constructor(private readonly opts: AnthropicToolClientOptions) {
    this.sdk = new Anthropic({
      apiKey: opts.apiKey,
      baseURL: opts.baseURL ?? 'https://api.anthropic.com',
      timeout: opts.timeoutMs,
      maxRetries: 0,
      logLevel: 'warn',
    });
    this.budget = new TokenBudget(opts.tokenBudgetPerHour, opts.now);
    this.perCall = opts.tokenBudgetPerCall ?? 100_000;
    this.maxRetryDelayMs = opts.maxRetryDelayMs ?? 30_000;
    this.baseRetryDelayMs = opts.baseRetryDelayMs ?? 500;
  }

  get model(): string {
    return this.opts.model;
  }

  /** Tokens counted against the hourly budget right now. */
  tokensUsedThisHour(): number {
    return this.budget.used();
  }

  async callTool(req: ToolCallRequest): Promise<ToolCallResult> {
    const estimate = estimateTokens(req);
    if (estimate > this.perCall) throw new LlmBudgetExceededError('per_call', estimate, this.perCall, null);
    const reservation = this.budget.reserve(estimate);
    const params: Anthropic.MessageCreateParamsNonStreaming = {
      model: this.opts.model,
      max_tokens: req.maxTokens,
      system: [{ type: 'text', text: req.system, cache_control: { type: 'ephemeral' } }],
      messages: req.messages as Anthropic.MessageParam[],
      tools: [{ name: req.tool.name, description: req.tool.description, input_schema: req.tool.input_schema }],
      tool_choice: { type: 'tool', name: req.tool.name, disable_parallel_tool_use: true },
    };
    for (let attempt = 1; ; attempt++) {
      try {
        const { data, request_id } = await this.sdk.messages.create(params, { timeout: this.opts.timeoutMs, maxRetries: 0, signal: req.signal }).withResponse();
        const usage = this.usageOf(data.usage);
        reservation.commit(usage.totalTokens);
        this.opts.onUsage?.({ ...usage, model: data.model, requestId: request_id ?? null, stopReason: data.stop_reason });
        const toolUse = data.content.find((block: Anthropic.ContentBlock) => block.type === 'tool_use' && block.name === req.tool.name);
        return {
          input: toolUse?.type === 'tool_use' ? toolUse.input : undefined,
          toolUseId: toolUse?.type === 'tool_use' ? toolUse.id : null,
          usage,
          stopReason: data.stop_reason,
          requestId: request_id ?? null,
          model: data.model,
          attempts: attempt,
        };
      } catch (error) {
        const failure = classify(error);
        if (failure.kind === 'permanent') {
          reservation.release();
          throw new LlmPermanentError(failure.reason, failure.message, { status: failure.status, requestId: failure.requestId, attempts: attempt }, { cause: error });
        }
        const delay = failure.retryAfterMs ?? this.backoff(attempt);
        if (attempt > this.opts.maxRetries || delay > this.maxRetryDelayMs) {
          reservation.release();
          throw new LlmRetriableError(
            failure.reason,
            `${failure.message} (after ${attempt} attempt${attempt === 1 ? '' : 's'})`,
            { status: failure.status, retryAfterMs: failure.retryAfterMs, requestId: failure.requestId, attempts: attempt },
            { cause: error },
          );
        }
        try {
          await sleep(delay, undefined, { signal: req.signal });
        } catch (abort) {
          reservation.release();
          throw new LlmPermanentError('aborted', 'LLM call aborted while waiting to retry', { status: null, requestId: failure.requestId, attempts: attempt }, { cause: abort });
        }
      }
    }
  }

  private backoff(attempt: number): number {
    const delay = Math.min(this.baseRetryDelayMs * 2 ** (attempt - 1), this.maxRetryDelayMs);
    return delay * (1 - Math.random() * 0.25);
  }

  private usageOf(usage: { input_tokens: number; output_tokens: number; cache_read_input_tokens: number | null; cache_creation_input_tokens: number | null }): LlmUsage {
    const inputTokens = usage.input_tokens ?? 0;
    const outputTokens = usage.output_tokens ?? 0;
    const cacheReadInputTokens = usage.cache_read_input_tokens ?? 0;
    const cacheCreationInputTokens = usage.cache_creation_input_tokens ?? 0;
    const pricing = this.opts.pricing;
    const costUsd = pricing
      ? (inputTokens * pricing.inputPerMTok + outputTokens * pricing.outputPerMTok + cacheReadInputTokens * pricing.cacheReadPerMTok + cacheCreationInputTokens * pricing.cacheWritePerMTok) /
        1_000_000
      : null;
    return {
      inputTokens,
      outputTokens,
      cacheReadInputTokens,
      cacheCreationInputTokens,
      totalTokens: inputTokens + outputTokens + cacheReadInputTokens + cacheCreationInputTokens,
      costUsd,
    };
  }
}

/** Prompt plus the most the answer may use. ~3 characters a token over JSON and code: on the safe side. */
function estimateTokens(req: ToolCallRequest): number {
  const chars = req.system.length + JSON.stringify(req.messages).length + JSON.stringify(req.tool).length;
  return Math.ceil(chars / 3) + req.maxTokens;
}

export function isSpendLimitError(error: APIError): boolean {
  if (error.errorCode && SPEND_LIMIT_CODES.has(error.errorCode)) return true;
  if (error.type === 'billing_error' || error.status === 402) return true;
  return SPEND_LIMIT_WORDING.test(error.apiMessage ?? error.message);
}

function classify(error: unknown): Failure {
  if (error instanceof APIUserAbortError) return { kind: 'permanent', reason: 'aborted', status: null, requestId: null, message: 'LLM call aborted' };
  if (error instanceof APIConnectionTimeoutError) return { kind: 'retriable', reason: 'timeout', status: null, retryAfterMs: null, requestId: null, message: 'LLM call timed out' };
  if (error instanceof APIConnectionError) {
    return { kind: 'retriable', reason: 'connection', status: null, retryAfterMs: null, requestId: null, message: `LLM connection failed: ${error.message}` };
  }
  if (error instanceof APIError) {
    const status = typeof error.status === 'number' ? error.status : null;
    const requestId = error.requestID ?? null;
    const message = `LLM API ${status ?? '?'} ${error.type ?? ''}: ${error.apiMessage ?? error.message}`.replace(/\s+/g, ' ');
    const permanent = (reason: LlmPermanentReason): Failure => ({ kind: 'permanent', reason, status, requestId, message });
    const retriable = (reason: LlmRetriableReason): Failure => ({ kind: 'retriable', reason, status, retryAfterMs: retryAfterMs(error.headers), requestId, message });
    if (isSpendLimitError(error)) return permanent('spend_limit');
    if (error.headers?.get('x-should-retry') === 'false') return permanent('unexpected');
    if (status === 429) return retriable('rate_limited');
    if (status === 529) return retriable('overloaded');
    if (status !== null && (status >= 500 || status === 408 || status === 409)) return retriable('server_error');
    if (status === 401) return permanent('authentication');
    if (status === 403) return permanent('permission');
    if (status === 404) return permanent('not_found');
    if (status === 400 || status === 413 || status === 422) return permanent('invalid_request');
    return permanent('unexpected');
  }
  return { kind: 'permanent', reason: 'unexpected', status: null, requestId: null, message: `LLM call failed: ${error instanceof Error ? error.message : String(error)}` };
}

/** `retry-after-ms`, else `retry-after` in seconds or as an HTTP date. */
function retryAfterMs(headers: Headers | undefined): number | null {
  const ms = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers?.get('retry-after');
  if (!value) return null;
  const seconds = Number.parseFloat(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}
