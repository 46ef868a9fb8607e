import type { ClickHouseClient } from '@clickhouse/client';
import { toClickHouseTime } from './rows';

export interface AnalysisRow {
  id: string;
  project: string;
  clusterId: string;
  /** Changes when the cluster changes materially (a new release, a rate change): one analysis per key. */
  cacheKey: string;
  analyzer: 'claude' | 'heuristic';
  model: string;
  status: 'ok' | 'failed';
  failureReason: string;
  document: string;
  markdown: string;
  evidence: string;
  inputTokens: number;
  outputTokens: number;
  createdAt: string;
}

/** Root-cause analyses, as JSON, Markdown and the evidence pack they cite. */
export class AnalysesRepository {
  constructor(private readonly client: ClickHouseClient) {}

  async insert(row: AnalysisRow): Promise<void> {
    await this.client.insert({
      table: 'analyses',
      format: 'JSONEachRow',
      values: [
        {
          id: row.id,
          project: row.project,
          cluster_id: row.clusterId,
          cache_key: row.cacheKey,
          analyzer: row.analyzer,
          model: row.model,
          status: row.status,
          failure_reason: row.failureReason,
          document: row.document,
          markdown: row.markdown,
          evidence: row.evidence,
          input_tokens: row.inputTokens,
          output_tokens: row.outputTokens,
          created_at: toClickHouseTime(row.createdAt),
        },
      ],
    });
  }

  /** Whether the cluster already has a successful analysis for this material state. */
  async hasAnalysis(project: string, clusterId: string, cacheKey: string): Promise<boolean> {
    const result = await this.client.query({
      query: `SELECT count() AS n FROM analyses FINAL
              WHERE project = {project:String} AND cluster_id = {cluster:String} AND cache_key = {key:String} AND status = 'ok'`,
      query_params: { project, cluster: clusterId, key: cacheKey },
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ n: number | string }>();
    return Number(row?.n ?? 0) > 0;
  }
}
