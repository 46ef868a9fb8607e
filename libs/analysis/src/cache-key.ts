import { createHash } from 'node:crypto';
import { EvidencePack, itemsOf } from './evidence';

/**
 * Changes only when the cluster changes materially: a release appears in it, or its current rate
 * moves to another power-of-two bucket (per hour). Each cluster is analyzed once per such change.
 */
export function analysisCacheKey(pack: EvidencePack): string {
  const releases = [...new Set(itemsOf(pack, 'releases').flatMap((r) => r.data.releases.map((x) => x.release)))].sort();
  const timeline = itemsOf(pack, 'timeline')[0]?.data;
  const perHour = (timeline?.recentPerMin ?? 0) * 60;
  const rateBucket = Math.floor(Math.log2(perHour + 1));
  const material = JSON.stringify({ v: 1, cluster: pack.clusterId, releases, rateBucket });
  return `rca:v1:${pack.clusterId}:${createHash('sha256').update(material).digest('hex').slice(0, 16)}`;
}
