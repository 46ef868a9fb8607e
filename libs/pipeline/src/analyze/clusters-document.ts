import type { PriorityTier } from '@faultline/clustering';
import type { RegressionFinding, SpikeFinding } from './cluster-insights';

/** One input that did not become an event: which file, which line, and why. */
export interface RejectedInput {
  source: string;
  line: number | null;
  reason: string;
  detail?: string;
}

/**
 * `clusters.json`: a stable contract other tools read (documented in the README). Fields are
 * only ever added, never renamed or removed.
 */
export interface ClustersDocument {
  clusters: Array<{
    id: string;
    title: string;
    priority: PriorityTier;
    category: string;
    confidence: number;
    count: number;
    affectedUsers: number;
    firstSeen: string;
    lastSeen: string;
    issues: Array<{ fingerprint: string; title: string; eventIds: string[] }>;
    eventIds: string[];
    suspectCommits: Array<{ sha: string; summary: string; score: number }>;
    regression: RegressionFinding | null;
    spike: SpikeFinding | null;
    newInRelease: string | null;
    releases: string[];
    rootCause: { analyzer: 'claude' | 'heuristic'; category: string; summary: string; confidence: number; culprit: string | null } | null;
  }>;
  rejected: RejectedInput[];
}
