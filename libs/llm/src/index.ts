export { AnthropicToolClient, isSpendLimitError } from './anthropic-tool-client';
export type {
  AnthropicToolClientOptions,
  LlmContentBlock,
  LlmMessage,
  LlmTextBlock,
  LlmToolResultBlock,
  LlmToolUseBlock,
  LlmUsage,
  Pricing,
  ToolCallRequest,
  ToolCallResult,
  ToolDefinition,
  UsageReport,
} from './anthropic-tool-client';
export { LLM_PERMANENT_REASONS, LLM_RETRIABLE_REASONS, LlmBudgetExceededError, LlmPermanentError, LlmRetriableError } from './errors';
export type { LlmPermanentReason, LlmRetriableReason } from './errors';
export { TokenBudget } from './token-budget';
export type { TokenReservation } from './token-budget';
