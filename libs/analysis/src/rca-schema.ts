import { z } from 'zod';
import { EvidencePack, missingEvidenceIds } from './evidence';

/** What kind of failure this is. A fixed list: it is a report column and a metric label. */
export const RCA_CATEGORIES = [
  'code_regression',
  'config_regression',
  'dependency_regression',
  'connection_pool_exhaustion',
  'memory_leak',
  'lock_contention',
  'upstream_failure',
  'cache_stampede',
  'unknown',
] as const;
export const RcaCategory = z.enum(RCA_CATEGORIES);
export type RcaCategory = z.infer<typeof RcaCategory>;

export const CATEGORY_LABELS: Record<RcaCategory, string> = {
  code_regression: 'Code regression',
  config_regression: 'Configuration regression',
  dependency_regression: 'Dependency regression',
  connection_pool_exhaustion: 'Database connection-pool exhaustion',
  memory_leak: 'Memory leak',
  lock_contention: 'Lock contention (slow query holding a lock)',
  upstream_failure: 'Upstream / third-party failure',
  cache_stampede: 'Cache stampede',
  unknown: 'Unknown',
};

const EvidenceIdRef = z.string().regex(/^ev:[a-z]+(:.+)?$/, 'an evidence id from the pack, like ev:commit:<sha>');

export const Hypothesis = z.object({
  statement: z.string().min(1).max(1000),
  confidence: z.number().min(0).max(1),
  evidenceIds: z.array(EvidenceIdRef).min(1).max(20),
  confirmIf: z.string().min(1).max(600),
  ruleOutIf: z.string().min(1).max(600),
});
export type Hypothesis = z.infer<typeof Hypothesis>;

export const SuspectCommit = z.object({
  sha: z.string().regex(/^[0-9a-f]{7,40}$/),
  summary: z.string().min(1).max(400),
  score: z.number().min(0).max(1),
  evidenceIds: z.array(EvidenceIdRef).min(1).max(20),
});
export type SuspectCommit = z.infer<typeof SuspectCommit>;

/** What the writer of the analysis fills in; `analyzer` and `model` are set by the code that called it. */
export const RootCauseAnalysisBody = z.object({
  summary: z.string().min(1).max(2000),
  category: RcaCategory,
  /** Confidence in the top hypothesis, 0..1. */
  confidence: z.number().min(0).max(1),
  rootCause: z.string().min(1).max(3000),
  hypotheses: z.array(Hypothesis).min(1).max(6),
  /** Ranked, best first. Empty when no change explains the failure. */
  suspectCommits: z.array(SuspectCommit).max(10),
  fix: z.object({ description: z.string().min(1).max(3000), patch: z.string().max(20_000).optional() }),
  /** The test that would have caught it. */
  test: z.string().min(1).max(2000),
  blastRadius: z.string().min(1).max(1500),
  monitorAfterFix: z.array(z.string().min(1).max(400)).min(1).max(10),
  rollbackPlan: z.string().min(1).max(1500),
  prevention: z.array(z.string().min(1).max(400)).max(8),
  /** Every evidence id the analysis rests on. */
  evidenceIds: z.array(EvidenceIdRef).min(1).max(60),
});
export type RootCauseAnalysisBody = z.infer<typeof RootCauseAnalysisBody>;

export const RootCauseAnalysis = RootCauseAnalysisBody.extend({
  analyzer: z.enum(['claude', 'heuristic']),
  model: z.string().optional(),
});
export type RootCauseAnalysis = z.infer<typeof RootCauseAnalysis>;

/** A suspect with a score below this is listed for completeness, not named as the culprit. */
export const SUSPECT_THRESHOLD = 0.45;

/** The commit the analysis names as the culprit, or null when it names none. */
export function culpritOf(analysis: Pick<RootCauseAnalysis, 'suspectCommits'>): string | null {
  const top = analysis.suspectCommits[0];
  return top && top.score >= SUSPECT_THRESHOLD ? top.sha : null;
}

/** Every id the analysis cites, wherever it cites it. */
export function citedEvidenceIds(analysis: RootCauseAnalysisBody): string[] {
  return [...new Set([...analysis.evidenceIds, ...analysis.hypotheses.flatMap((h) => h.evidenceIds), ...analysis.suspectCommits.flatMap((s) => s.evidenceIds)])];
}

/** Problems a schema cannot see: cited ids and suspect commits that the pack does not hold. */
export function citationProblems(analysis: RootCauseAnalysisBody, pack: EvidencePack): string[] {
  const problems = missingEvidenceIds(pack, citedEvidenceIds(analysis)).map((id) => `unknown evidence id ${id}`);
  for (const suspect of analysis.suspectCommits) {
    const known = pack.items.some((item) => item.kind === 'commit' && item.data.sha.startsWith(suspect.sha));
    if (!known) problems.push(`suspect commit ${suspect.sha} is not a commit in the evidence`);
  }
  return problems;
}
