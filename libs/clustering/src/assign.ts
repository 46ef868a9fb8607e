import type { FrameStats } from './generic';
import type { IssueSignature } from './signature';
import { type SimilarityBreakdown, similarity } from './similarity';

export interface ClusterCandidate {
  clusterId: string;
  /** A bounded sample of member issues, most frequent first. */
  members: IssueSignature[];
}

export interface ClusterAssignment {
  clusterId: string;
  isNewCluster: boolean;
  /** 0..1: for a join, how sure the match is; for a new cluster, how clearly nothing matched. */
  confidence: number;
  evidence: { matchedFrames: string[]; bestMatchFingerprint: string | null; breakdown: SimilarityBreakdown | null };
}

export interface ClusteringOptions {
  /** Minimum similarity to join an existing cluster. */
  threshold: number;
  /** Optional per-project frame document frequencies over clusters (see FrameStats). */
  frameStats?: FrameStats;
}

/**
 * Tuned by `bench/eval-grouping.ts` on its development seeds: cluster-level precision and recall are
 * flat from 0.55 to 0.675 (precision drops below 0.55, recall above 0.675); 0.6 sits mid-plateau.
 */
export const DEFAULT_THRESHOLD = 0.6;

/** The kind gate: issues whose kinds of error are neither the same nor compatible never join. */
const MIN_KIND_AGREEMENT = 0.5;

// Confidence is P(the closest cluster is the same root cause | its score): a logistic curve fitted on
// the eval's development seeds (Platt scaling gave slope ≈ 19; no decision scored in [0.55, 0.65),
// so the centre is put mid-gap). It does not move with a caller's threshold.
const CONFIDENCE_SLOPE = 18;
const CONFIDENCE_CENTER = 0.6;

export function newClusterId(fingerprint: string): string {
  return `cl_${fingerprint.slice(0, 24)}`;
}

/**
 * Put one new issue in an existing cluster or open a new one. Pure and deterministic: the same
 * issue and candidates give the same answer in any order, so replays and parallel instances agree.
 */
export function assignIssue(
  issue: IssueSignature,
  candidates: ClusterCandidate[],
  options: Partial<ClusteringOptions> = {},
): ClusterAssignment {
  // An empty fingerprint would found `cl_` for every unfingerprinted issue: a caller bug, not a cluster.
  if (!issue.fingerprint) throw new TypeError('assignIssue: the issue has no fingerprint (fingerprint the event before signatureOf)');
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const ownId = newClusterId(issue.fingerprint);
  const ordered = [...candidates].sort((x, y) => (x.clusterId < y.clusterId ? -1 : x.clusterId > y.clusterId ? 1 : 0));

  // A replay: the issue is already a member, or founded a cluster whose sample no longer lists it.
  for (const candidate of ordered) {
    if (candidate.clusterId === ownId || candidate.members.some((m) => m.fingerprint === issue.fingerprint && m.project === issue.project)) {
      return {
        clusterId: candidate.clusterId,
        isNewCluster: false,
        confidence: 1,
        evidence: { matchedFrames: [...issue.frames].reverse(), bestMatchFingerprint: issue.fingerprint, breakdown: null },
      };
    }
  }

  let best: { clusterId: string; member: IssueSignature; breakdown: SimilarityBreakdown } | null = null;
  let nearest: { member: IssueSignature; breakdown: SimilarityBreakdown } | null = null;
  for (const candidate of ordered) {
    for (const member of candidate.members) {
      if (member.project !== issue.project) continue;
      const breakdown = similarity(issue, member, { frameStats: options.frameStats });
      if (!nearest || breakdown.score > nearest.breakdown.score) nearest = { member, breakdown };
      if (breakdown.kind < MIN_KIND_AGREEMENT) continue;
      // Strictly greater: ties go to the smallest cluster id (candidates are sorted), whatever the input order.
      if (!best || breakdown.score > best.breakdown.score) best = { clusterId: candidate.clusterId, member, breakdown };
    }
  }

  if (best && best.breakdown.score >= threshold) {
    return {
      clusterId: best.clusterId,
      isNewCluster: false,
      confidence: round(logistic(best.breakdown.score)),
      evidence: { matchedFrames: best.breakdown.matchedFrames, bestMatchFingerprint: best.member.fingerprint, breakdown: best.breakdown },
    };
  }
  const closest = best ?? nearest;
  const closestScore = best?.breakdown.score ?? 0;
  return {
    clusterId: ownId,
    isNewCluster: true,
    confidence: round(1 - logistic(closestScore)),
    evidence: {
      matchedFrames: closest?.breakdown.matchedFrames ?? [],
      bestMatchFingerprint: closest?.member.fingerprint ?? null,
      breakdown: closest?.breakdown ?? null,
    },
  };
}

function logistic(score: number): number {
  return 1 / (1 + Math.exp(-CONFIDENCE_SLOPE * (score - CONFIDENCE_CENTER)));
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
