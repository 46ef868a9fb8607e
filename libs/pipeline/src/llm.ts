import type { FaultlineConfig } from '@faultline/config';
import { AnthropicToolClient } from '@faultline/llm';
import type { Metrics } from '@faultline/observability';

/**
 * Claude for analyses when ANTHROPIC_API_KEY is set, with tokens and cost counted in metrics;
 * null otherwise (the heuristic analyzer writes every analysis).
 */
export function llmFromConfig(config: FaultlineConfig['llm'], metrics?: Metrics): AnthropicToolClient | null {
  if (!config.apiKey) return null;
  return new AnthropicToolClient({
    apiKey: config.apiKey,
    baseURL: config.baseUrl ?? undefined,
    model: config.model,
    timeoutMs: config.timeoutMs,
    maxRetries: config.maxRetries,
    tokenBudgetPerHour: config.tokenBudgetPerHour,
    tokenBudgetPerCall: config.tokenBudgetPerAnalysis,
    pricing: config.pricing,
    onUsage: (usage) => {
      if (!metrics) return;
      metrics.llmRequests.inc({ outcome: 'ok' });
      metrics.llmTokens.inc({ kind: 'input' }, usage.inputTokens);
      metrics.llmTokens.inc({ kind: 'output' }, usage.outputTokens);
      metrics.llmTokens.inc({ kind: 'cache_read' }, usage.cacheReadInputTokens);
      metrics.llmTokens.inc({ kind: 'cache_write' }, usage.cacheCreationInputTokens);
      if (usage.costUsd !== null) metrics.llmCost.inc(usage.costUsd);
    },
  });
}
