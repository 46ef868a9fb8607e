import { Controller, Inject } from '@nestjs/common';
import { KafkaBatchHandler, type ConsumedMessage, type MessageOutcome } from '@faultline/kafka';
import { ClusterAnalyzer, RUNTIME, type ClusterAnalysisOutcome, type Runtime } from '@faultline/pipeline';
import type { AnalysisRequest, Signal } from '@faultline/schema';

export const ANALYZER_SIGNALS_GROUP = 'faultline-analyzer-signals';
export const ANALYZER_REQUESTS_GROUP = 'faultline-analyzer-requests';

/**
 * Analyzes a cluster when it emerges, spikes or regresses (signals), or when someone asks
 * (API requests). Signals analyze once per material change; requests always analyze again.
 * A failure to read ClickHouse throws, so the batch is retried; a failing Claude call does not:
 * the heuristic analyzer stands in and the analysis records why.
 */
@Controller()
export class AnalyzerController {
  constructor(
    @Inject(RUNTIME) private readonly runtime: Runtime,
    @Inject(ClusterAnalyzer) private readonly analyzer: ClusterAnalyzer,
  ) {}

  @KafkaBatchHandler('signals', ANALYZER_SIGNALS_GROUP)
  async onSignals(messages: ConsumedMessage<Signal>[]): Promise<MessageOutcome[]> {
    const targets = messages.map((m) => m.value).filter((s) => s.clusterId !== null);
    await this.analyzeEach(targets.map((s) => ({ project: s.project, clusterId: s.clusterId! })), false);
    return messages.map(() => ({ kind: 'processed' }));
  }

  @KafkaBatchHandler('analysisRequests', ANALYZER_REQUESTS_GROUP)
  async onRequests(messages: ConsumedMessage<AnalysisRequest>[]): Promise<MessageOutcome[]> {
    await this.analyzeEach(messages.map((m) => ({ project: m.value.project, clusterId: m.value.clusterId })), true);
    return messages.map(() => ({ kind: 'processed' }));
  }

  /** Each cluster once per batch, however many signals named it. */
  private async analyzeEach(targets: Array<{ project: string; clusterId: string }>, force: boolean): Promise<void> {
    const unique = new Map(targets.map((t) => [`${t.project}\u0000${t.clusterId}`, t]));
    for (const { project, clusterId } of unique.values()) {
      const outcome = await this.analyzer.analyze(project, clusterId, { force });
      this.count(outcome);
      if (outcome.kind === 'analyzed') {
        this.runtime.logger.info('cluster analyzed', { project, clusterId, analyzer: outcome.analysis.analyzer, llm: outcome.llm.status });
      }
    }
  }

  private count(outcome: ClusterAnalysisOutcome): void {
    const { analyses, llmRequests } = this.runtime.metrics;
    switch (outcome.kind) {
      case 'analyzed':
        analyses.inc({ analyzer: outcome.analysis.analyzer, outcome: 'stored' });
        if (outcome.llm.status === 'failed' || outcome.llm.status === 'error') llmRequests.inc({ outcome: 'failed' });
        break;
      case 'unchanged':
        analyses.inc({ analyzer: 'none', outcome: 'unchanged' });
        break;
      case 'no_cluster':
        analyses.inc({ analyzer: 'none', outcome: 'no_cluster' });
        break;
    }
  }
}
