import { randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { AnalysesRepository, ApiQueries } from '@faultline/clickhouse';
import {
  analysisCacheKey,
  analyzeCluster,
  buildEvidencePack,
  renderAnalysisMarkdown,
  type ClusterAnalysisResult,
  type GitRepository,
  type LlmPort,
  type RootCauseAnalysis,
} from '@faultline/analysis';
import { ClusterInsights, type ClusterInsight, type DeployWithId } from './cluster-insights';

export interface ClusterAnalyzerDeps {
  client: ClickHouseClient;
  /** The application's repository for a project, when one is configured. */
  git: (project: string) => GitRepository | null;
  /** Claude, when a key is configured; the heuristic analyzer otherwise. */
  llm: LlmPort | null;
  model?: string;
  deployWindowMinutes?: number;
}

export type ClusterAnalysisOutcome =
  | { kind: 'analyzed'; analysis: RootCauseAnalysis; markdown: string; llm: ClusterAnalysisResult['llm']; cacheKey: string }
  | { kind: 'unchanged'; cacheKey: string }
  | { kind: 'no_cluster' };

/**
 * One cluster's root-cause analysis, end to end: evidence from ClickHouse and git, Claude or the
 * heuristic analyzer, and the result stored with its evidence. A cluster is analyzed once per
 * material change (the evidence's cache key), unless forced.
 */
export class ClusterAnalyzer {
  private readonly insights: ClusterInsights;
  private readonly analyses: AnalysesRepository;
  private readonly reads: ApiQueries;

  constructor(private readonly deps: ClusterAnalyzerDeps) {
    this.insights = new ClusterInsights(deps.client, deps.deployWindowMinutes);
    this.analyses = new AnalysesRepository(deps.client);
    this.reads = new ApiQueries(deps.client);
  }

  async analyze(project: string, clusterId: string, options: { force: boolean }): Promise<ClusterAnalysisOutcome> {
    const deploys = await this.deploys(project);
    const [insight] = await this.insights.insights(project, deploys, [clusterId]);
    if (!insight) return { kind: 'no_cluster' };
    return this.analyzeInsight(project, insight, deploys, options);
  }

  async analyzeInsight(project: string, insight: ClusterInsight, deploys: DeployWithId[], options: { force: boolean }): Promise<ClusterAnalysisOutcome> {
    const input = await this.insights.evidenceInput(project, insight, deploys);
    const cacheKey = analysisCacheKey(input);
    if (!options.force && (await this.analyses.hasAnalysis(project, insight.summary.clusterId, cacheKey))) return { kind: 'unchanged', cacheKey };
    const pack = await buildEvidencePack(input, { git: this.deps.git(project) ?? undefined });
    const result = await analyzeCluster(pack, { llm: this.deps.llm });
    const markdown = renderAnalysisMarkdown(result.analysis, pack);
    const usage = result.llm.status === 'ok' ? result.llm.usage : [];
    await this.analyses.insert({
      id: randomUUID(),
      project,
      clusterId: insight.summary.clusterId,
      cacheKey,
      analyzer: result.analysis.analyzer,
      model: result.analysis.model ?? (result.analysis.analyzer === 'claude' ? (this.deps.model ?? '') : ''),
      status: 'ok',
      // Why Claude did not write it, when it did not (the heuristic analyzer stood in).
      failureReason: result.llm.status === 'failed' ? result.llm.reason : result.llm.status === 'error' ? result.llm.error : '',
      document: JSON.stringify(result.analysis),
      markdown,
      evidence: JSON.stringify(pack),
      inputTokens: usage.reduce((n, u) => n + u.inputTokens, 0),
      outputTokens: usage.reduce((n, u) => n + u.outputTokens, 0),
      createdAt: new Date().toISOString(),
    });
    return { kind: 'analyzed', analysis: result.analysis, markdown, llm: result.llm, cacheKey };
  }

  private async deploys(project: string): Promise<DeployWithId[]> {
    const rows = await this.reads.listDeploys(project, { limit: 500 });
    return rows
      .map((d) => ({
        id: d.id,
        project: d.project,
        release: d.release,
        environment: d.environment,
        commitSha: d.commitSha,
        previousSha: d.previousSha,
        deployedAt: d.deployedAt,
        changedFiles: d.changedFiles,
      }))
      .sort((a, b) => a.deployedAt.localeCompare(b.deployedAt));
  }
}
