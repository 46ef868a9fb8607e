export { buildEvidencePack } from './build-evidence-pack';
export type { ClusterStatsInput, EvidenceInput, EvidencePackOptions, EvidencePorts, ReleaseSeen } from './build-evidence-pack';
export { describeItem, deployIdOf, evidenceId, findItem, itemsOf, missingEvidenceIds } from './evidence';
export type { CommitFacts, CommitWindow, EvidenceItem, EvidenceKind, EvidenceOf, EvidencePack, FrameRole, FrameSummary } from './evidence';
export { analyzeTimeline, TIMELINE_SHAPES } from './timeline';
export type { TimelineAnalysis, TimelinePoint, TimelineShape } from './timeline';
export { isThirdPartyPath, normalizeStackPath, RepoPathIndex, thirdPartyPackages } from './paths';
export { findConfigReads, isConfigFile, isManifest, MECHANISMS, parseUnifiedDiff } from './code-hints';
export type { ConfigRead, Mechanism } from './code-hints';
export {
  CATEGORY_LABELS,
  citationProblems,
  citedEvidenceIds,
  culpritOf,
  Hypothesis,
  RCA_CATEGORIES,
  RcaCategory,
  RootCauseAnalysis,
  RootCauseAnalysisBody,
  SUSPECT_THRESHOLD,
  SuspectCommit,
} from './rca-schema';
export { analyzeHeuristically, rankSuspects, readFailureSignals } from './heuristic-analyzer';
export type { FailureMode, FailureSignals, ScoredSuspect } from './heuristic-analyzer';
export {
  analyzeCluster,
  analyzeWithLlm,
  escapeEvidenceText,
  LLM_FAILURE_REASONS,
  RCA_SYSTEM_PROMPT,
  RCA_TOOL_NAME,
  rcaTool,
  rcaToolInputSchema,
  renderEvidencePack,
} from './llm-analyzer';
export type { ClusterAnalysisResult, LlmAnalysisOutcome, LlmAnalyzeOptions, LlmFailureReason } from './llm-analyzer';
export { renderAnalysisMarkdown } from './markdown';
export { analysisCacheKey } from './cache-key';
export type { GitBlameLine, GitCommit, GitRepository, GitTagRef, LlmMessage, LlmPort, LlmToolRequest, LlmToolResponse } from './ports';
