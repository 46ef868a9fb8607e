import { CliGitRepository } from '@faultline/git';
import { ClusterAnalyzer } from './analyze/cluster-analyzer';
import { llmFromConfig } from './llm';
import type { Runtime } from './runtime';

/** The process's ClusterAnalyzer: each project's configured repository, Claude when a key is set. */
export async function clusterAnalyzerFor(runtime: Runtime): Promise<ClusterAnalyzer> {
  const { config } = runtime;
  const repos = new Map(config.projects.filter((p) => p.repoPath).map((p) => [p.id, new CliGitRepository(p.repoPath!)]));
  return new ClusterAnalyzer({
    client: (await runtime.clickhouse()).client,
    git: (project) => repos.get(project) ?? null,
    llm: llmFromConfig(config.llm, runtime.metrics),
    model: config.llm.model,
    deployWindowMinutes: config.detector.deployWindowMinutes,
  });
}
