import { createHash } from 'node:crypto';
import type { EvidenceInput } from './build-evidence-pack';
import { analyzeTimeline } from './timeline';

/**
 * Changes only when the cluster changes materially: a release appears in it, or its current rate
 * moves to another power-of-two bucket (per hour). Each cluster is analyzed once per such change.
 * Read from the evidence input, so an unchanged cluster is recognised before any git work.
 */
export function analysisCacheKey(input: Pick<EvidenceInput, 'cluster' | 'releases'>): string {
  const clusterId = input.cluster.clusterId;
  const releases = [...new Set(input.releases.map((r) => r.release))].sort();
  const perHour = analyzeTimeline(input.cluster.timeline).recentPerMin * 60;
  const rateBucket = Math.floor(Math.log2(perHour + 1));
  const material = JSON.stringify({ v: 1, cluster: clusterId, releases, rateBucket });
  return `rca:v1:${clusterId}:${createHash('sha256').update(material).digest('hex').slice(0, 16)}`;
}
