import { createWriteStream, mkdirSync, readFileSync, writeFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ApiQueries, ClusterQueries, connectClickHouse, deployMarkerId, runMigrations, type ClickHouse } from '@faultline/clickhouse';
import { culpritOf, type GitRepository, type LlmPort, type RootCauseAnalysis } from '@faultline/analysis';
import { Symbolicator } from '@faultline/symbolication';
import { Deploy, type CrashEvent } from '@faultline/schema';
import { ClusteringEngine } from '../clustering-engine';
import { EventProcessor } from '../event-processor';
import { ClusterAnalyzer } from './cluster-analyzer';
import { ClusterInsights, type ClusterInsight, type DeployWithId } from './cluster-insights';
import { collectInputFiles } from './inputs';
import { loadSymbols } from './symbols';
import { renderReport } from './report';
import type { ClustersDocument, RejectedInput } from './clusters-document';

export interface AnalyzeFolderOptions {
  paths: string[];
  project: string;
  outDir: string;
  /** chDB data directory (one per process). */
  dataDir: string;
  sourcemaps?: string;
  mappings?: string;
  /** Deploy markers as JSON; otherwise taken from the repository's tags. */
  deploysFile?: string;
  /** Folders under `paths` that hold symbols or the repository, not crash files. */
  exclude?: string[];
  git: GitRepository | null;
  llm: LlmPort | null;
  /** Clusters analyzed, highest priority first. */
  maxAnalyses: number;
  onProgress?: (phase: string, done: number, total: number) => void;
}

export interface ClusterAnalysis {
  analysis: RootCauseAnalysis;
  markdown: string;
  llm: string;
}

export interface AnalyzeFolderResult {
  document: ClustersDocument;
  insights: ClusterInsight[];
  analyses: Map<string, ClusterAnalysis>;
  deploys: DeployWithId[];
  events: number;
  files: number;
  report: string;
}

const BATCH_ROWS = 5000;
const MAX_FILE_BYTES = 1024 * 1024 * 1024;

const DeploysFile = z.union([z.array(z.unknown()), z.object({ deploys: z.array(z.unknown()) }).transform((o) => o.deploys)]);

/**
 * `faultline analyze`: every step of the streaming pipeline, in one process, on embedded chDB —
 * normalize, symbolicate, fingerprint, cluster, detect against deploys, analyze — then writes
 * `events.ndjson`, `clusters.json` and `report.md` to `outDir`.
 */
export async function analyzeFolder(options: AnalyzeFolderOptions): Promise<AnalyzeFolderResult> {
  mkdirSync(options.outDir, { recursive: true });
  const progress = options.onProgress ?? (() => undefined);
  const rejected: RejectedInput[] = [];

  const symbols = await loadSymbols(options.project, { sourcemaps: options.sourcemaps, mappings: options.mappings });
  rejected.push(...symbols.rejected);
  const processor = new EventProcessor({
    symbolicator: symbols.loaded > 0 ? new Symbolicator(symbols.store) : null,
    // A file is an export of many reports, not one message: only the per-record limits apply.
    normalize: { maxInputBytes: MAX_FILE_BYTES },
  });

  // Analyzing an old export is the point: events must not expire on insert (ten years of TTL).
  const clickhouse = await connectClickHouse({
    url: null,
    user: 'default',
    password: '',
    database: 'default',
    chdbPath: options.dataDir,
    eventsTtlDays: 3650,
  });
  try {
    await runMigrations(clickhouse.client, { eventsTtlDays: 3650 });
    const engine = new ClusteringEngine(clickhouse.client);
    const files = collectInputFiles(options.paths, options.exclude);
    const eventsOut = createWriteStream(join(options.outDir, 'events.ndjson'));
    let events = 0;
    let pending: CrashEvent[] = [];
    const flush = async () => {
      if (pending.length === 0) return;
      const result = await engine.ingest(pending);
      await engine.markPublished(result.pendingSignals);
      pending = [];
    };
    const receivedAt = new Date().toISOString();
    for (const [index, file] of files.entries()) {
      progress('reading', index, files.length);
      let content: Buffer;
      try {
        content = readFileSync(file.path);
      } catch (error) {
        rejected.push({ source: file.name, line: null, reason: 'unreadable', detail: (error as Error).message });
        continue;
      }
      const result = await processor.processFile(file.name, content, options.project, receivedAt);
      for (const r of result.rejected) rejected.push({ source: r.source || file.name, line: r.line, reason: r.reason, detail: r.detail });
      for (const event of result.events) await write(eventsOut, JSON.stringify(event) + '\n');
      events += result.events.length;
      pending.push(...result.events);
      if (pending.length >= BATCH_ROWS) await flush();
    }
    await flush();
    await new Promise<void>((resolve, reject) => eventsOut.end((error?: Error | null) => (error ? reject(error) : resolve())));
    progress('reading', files.length, files.length);

    const deploys = await loadDeploys(options, clickhouse);
    const insights = await new ClusterInsights(clickhouse.client).insights(options.project, deploys);
    const analyses = await analyzeTopClusters(clickhouse, options, insights, deploys, progress);
    const eventIds = await new ClusterQueries(clickhouse.client).eventIdsByIssue(options.project);
    const document = toDocument(insights, analyses, eventIds, rejected);
    const report = renderReport({ project: options.project, insights, analyses, deploys, document, files: files.length, events });
    writeFileSync(join(options.outDir, 'clusters.json'), JSON.stringify(document, null, 2) + '\n');
    writeFileSync(join(options.outDir, 'report.md'), report);
    return { document, insights, analyses, deploys, events, files: files.length, report };
  } finally {
    await clickhouse.close();
  }
}

async function write(stream: WriteStream, chunk: string): Promise<void> {
  if (!stream.write(chunk)) await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
}

async function loadDeploys(options: AnalyzeFolderOptions, clickhouse: ClickHouse): Promise<DeployWithId[]> {
  let deploys: Deploy[] = [];
  if (options.deploysFile) {
    const entries = DeploysFile.parse(JSON.parse(readFileSync(options.deploysFile, 'utf8')));
    deploys = entries.map((entry, index) => {
      const parsed = Deploy.safeParse({ project: options.project, ...(entry as object) });
      if (!parsed.success) throw new Error(`${options.deploysFile}: deploy #${index + 1} is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      return parsed.data;
    });
  } else if (options.git) {
    // Without a deploys file, each tag of the repository is a release deployed when it was tagged.
    const tags = (await options.git.tags()).sort((a, b) => a.date.localeCompare(b.date));
    deploys = tags.map((tag, index) => ({
      project: options.project,
      release: tag.name.replace(/^v(?=\d)/, ''),
      environment: 'production',
      commitSha: tag.sha,
      previousSha: index > 0 ? tags[index - 1].sha : null,
      deployedAt: new Date(tag.date).toISOString(),
      changedFiles: [],
    }));
  }
  const withIds = deploys.map((d) => ({ ...d, id: deployMarkerId(d.project, d.environment, d.release, d.deployedAt) })).sort((a, b) => a.deployedAt.localeCompare(b.deployedAt));
  const reads = new ApiQueries(clickhouse.client);
  for (const d of withIds) await reads.insertDeploy({ ...d, commitSha: d.commitSha, previousSha: d.previousSha });
  return withIds;
}

async function analyzeTopClusters(
  clickhouse: ClickHouse,
  options: AnalyzeFolderOptions,
  insights: ClusterInsight[],
  deploys: DeployWithId[],
  progress: (phase: string, done: number, total: number) => void,
): Promise<Map<string, ClusterAnalysis>> {
  const analyses = new Map<string, ClusterAnalysis>();
  const top = insights.slice(0, options.maxAnalyses);
  const analyzer = new ClusterAnalyzer({ client: clickhouse.client, git: () => options.git, llm: options.llm });
  for (const [index, insight] of top.entries()) {
    progress('analyzing', index, top.length);
    const outcome = await analyzer.analyzeInsight(options.project, insight, deploys, { force: true });
    if (outcome.kind === 'analyzed') {
      analyses.set(insight.summary.clusterId, { analysis: outcome.analysis, markdown: outcome.markdown, llm: outcome.llm.status });
    }
  }
  progress('analyzing', top.length, top.length);
  return analyses;
}

function toDocument(
  insights: ClusterInsight[],
  analyses: Map<string, ClusterAnalysis>,
  eventIds: Map<string, string[]>,
  rejected: RejectedInput[],
): ClustersDocument {
  return {
    clusters: insights.map((insight) => {
      const analysis = analyses.get(insight.summary.clusterId)?.analysis ?? null;
      const issues = insight.issues.map((issue) => ({
        fingerprint: issue.fingerprint,
        title: issue.title,
        eventIds: eventIds.get(issue.fingerprint) ?? [],
      }));
      return {
        id: insight.summary.clusterId,
        title: insight.title,
        priority: insight.priority.tier,
        category: insight.category,
        confidence: insight.confidence,
        count: insight.summary.events,
        affectedUsers: insight.summary.affectedUsers,
        firstSeen: insight.summary.firstSeen,
        lastSeen: insight.summary.lastSeen,
        issues,
        eventIds: issues.flatMap((i) => i.eventIds).sort(),
        suspectCommits: (analysis?.suspectCommits ?? []).map((c) => ({ sha: c.sha, summary: c.summary, score: c.score })),
        regression: insight.regression,
        spike: insight.spike,
        newInRelease: insight.newInRelease,
        releases: insight.summary.releases,
        rootCause: analysis
          ? { analyzer: analysis.analyzer, category: analysis.category, summary: analysis.summary, confidence: analysis.confidence, culprit: culpritOf(analysis) }
          : null,
      };
    }),
    rejected,
  };
}
