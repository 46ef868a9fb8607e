// Release ordering, regressions and deploy attribution. Pure functions over releases and deploy times.

import type { Deploy } from '@faultline/schema';
import { MINUTE_MS, toMs } from './time';

interface SemVer {
  /** `pkg` of `pkg@1.2.3` (Sentry's release form), or null. */
  pkg: string | null;
  core: [number, number, number];
  prerelease: Array<string | number>;
}

// Leading `v`, a two- or three-part numeric core (`1.2` reads as 1.2.0; leading zeros tolerated, as in
// calendar versions like 2024.01.15), optional -prerelease and +build.
const VERSION = /^[vV]?(\d+)\.(\d+)(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

function parseSemVer(release: string): SemVer | null {
  const at = release.lastIndexOf('@'); // `@scope/pkg@1.2.3`: the version follows the last @
  const pkg = at > 0 ? release.slice(0, at) : null;
  const m = VERSION.exec(at > 0 ? release.slice(at + 1) : release);
  if (!m) return null;
  const core: [number, number, number] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  if (!core.every(Number.isSafeInteger)) return null;
  const prerelease = m[4] ? m[4].split('.').map((id) => (/^\d+$/.test(id) ? Number(id) : id)) : [];
  return { pkg, core, prerelease };
}

function compareIdentifiers(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1; // numeric identifiers sort before alphanumeric ones
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareSemVer(a: SemVer, b: SemVer): number {
  for (let i = 0; i < 3; i++) if (a.core[i] !== b.core[i]) return a.core[i] - b.core[i];
  if (a.prerelease.length === 0 || b.prerelease.length === 0) return b.prerelease.length - a.prerelease.length;
  for (let i = 0; i < Math.min(a.prerelease.length, b.prerelease.length); i++) {
    const c = compareIdentifiers(a.prerelease[i], b.prerelease[i]);
    if (c !== 0) return c;
  }
  return a.prerelease.length - b.prerelease.length;
}

/** Lexicographic by code unit, except that runs of digits compare as numbers (`build-9` < `build-10`). */
function compareNatural(a: string, b: string): number {
  const split = (s: string): string[] => s.match(/\d+|\D+/g) ?? [];
  const pa = split(a);
  const pb = split(b);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === y) continue;
    if (/^\d/.test(x) && /^\d/.test(y)) {
      const nx = BigInt(x);
      const ny = BigInt(y);
      if (nx !== ny) return nx < ny ? -1 : 1;
      continue; // same number, different zero padding: later parts or the plain comparison decide
    }
    return x < y ? -1 : 1;
  }
  if (pa.length !== pb.length) return pa.length - pb.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Orders releases: negative when `a` is older than `b`, positive when newer, 0 when the same.
 * 1. Both parse as versions (`1.2.3`, `v1.2.3`, `1.2`, `1.2.3-rc.1+build.5`, `pkg@1.2.3`, `@scope/pkg@1.2.3`)
 *    with the same package prefix: semver precedence (build metadata ignored; when that is all they differ
 *    in, deploy time breaks the tie if both are known).
 * 2. Otherwise, when `deployTimes` (release → ISO time) knows both: the earlier deploy is the older release.
 * 3. Otherwise: lexicographic, with digit runs compared as numbers.
 */
export function compareReleases(a: string, b: string, deployTimes?: Record<string, string>): number {
  if (a === b) return 0;
  const byDeployTime = (): number | null => {
    const ta = deployTimes?.[a];
    const tb = deployTimes?.[b];
    if (ta === undefined || tb === undefined) return null;
    return Math.sign(toMs(ta) - toMs(tb)) || null;
  };
  const va = parseSemVer(a);
  const vb = parseSemVer(b);
  if (va && vb && va.pkg === vb.pkg) return Math.sign(compareSemVer(va, vb)) || (byDeployTime() ?? 0);
  return byDeployTime() ?? Math.sign(compareNatural(a, b));
}

export type IssueStatus =
  | { kind: 'unresolved' }
  /** `releaseAtResolve`: the newest release seen when the issue was resolved, when the caller knows it. */
  | { kind: 'resolved'; at: string; releaseAtResolve?: string | null }
  /** `release` contains the fix. */
  | { kind: 'resolved_in_release'; release: string; at: string }
  | { kind: 'ignored' };

/** The newest release deployed at or before `atMs`, by deploy time. */
function releaseLiveAt(atMs: number, deployTimes: Record<string, string> | undefined): string | null {
  let best: { release: string; ms: number } | null = null;
  for (const [release, time] of Object.entries(deployTimes ?? {})) {
    const ms = toMs(time);
    if (ms <= atMs && (best === null || ms > best.ms)) best = { release, ms };
  }
  return best?.release ?? null;
}

/**
 * Whether an event reopens a resolved issue.
 * - resolved in release X: an event from X or a later release is a regression (X shipped the fix, so the
 *   error in X means the fix did not hold); an event from an older release is a straggler from clients not
 *   yet upgraded and does not reopen; an event without a release cannot be placed and does not reopen.
 * - resolved (no release): an event after the resolution time regresses, unless its release is older than
 *   the newest release at resolve time (`releaseAtResolve`, else the last deploy before it in `deployTimes`).
 * - unresolved / ignored: nothing to reopen.
 */
export function isRegression(
  status: IssueStatus,
  event: { release: string | null; timestamp: string },
  deployTimes?: Record<string, string>,
): { regressed: boolean; reason: string } {
  switch (status.kind) {
    case 'unresolved':
      return { regressed: false, reason: 'issue is unresolved' };
    case 'ignored':
      return { regressed: false, reason: 'issue is ignored' };
    case 'resolved_in_release': {
      if (event.release === null) return { regressed: false, reason: `event has no release to compare with fix release ${status.release}` };
      const c = compareReleases(event.release, status.release, deployTimes);
      if (c < 0) return { regressed: false, reason: `straggler: release ${event.release} is older than fix release ${status.release}` };
      return {
        regressed: true,
        reason: c === 0 ? `recurred in fix release ${status.release}` : `recurred in ${event.release}, newer than fix release ${status.release}`,
      };
    }
    case 'resolved': {
      const resolvedMs = toMs(status.at);
      if (toMs(event.timestamp) <= resolvedMs) return { regressed: false, reason: `event at ${event.timestamp} predates the resolution at ${status.at}` };
      const newest = status.releaseAtResolve ?? releaseLiveAt(resolvedMs, deployTimes);
      if (event.release !== null && newest !== null && compareReleases(event.release, newest, deployTimes) < 0) {
        return { regressed: false, reason: `straggler: release ${event.release} is older than ${newest}, current when resolved` };
      }
      return { regressed: true, reason: `recurred at ${event.timestamp}, after the resolution at ${status.at}` };
    }
  }
}

export type DeployRef = Pick<Deploy, 'release' | 'environment' | 'deployedAt'>;

/**
 * "New in release X": the release of the latest deploy at or before the cluster was first seen (in
 * `environment` when given), or null when no deploy precedes it. Ties in time go to the newer release.
 */
export function newInRelease(clusterFirstSeen: string, deploys: DeployRef[], environment?: string | null): string | null {
  const seenMs = toMs(clusterFirstSeen);
  let best: { release: string; ms: number } | null = null;
  for (const d of deploys) {
    if (environment != null && d.environment !== environment) continue;
    const ms = toMs(d.deployedAt);
    if (ms > seenMs) continue;
    if (best === null || ms > best.ms || (ms === best.ms && compareReleases(d.release, best.release) > 0)) best = { release: d.release, ms };
  }
  return best?.release ?? null;
}

/**
 * The deploy a spike starting at `onset` follows: the latest deploy at most `windowMinutes` before it.
 * A deploy inside the onset's own minute counts (the onset is a bucket start, the deploy may be seconds later).
 * The caller passes the deploys of the spike's project and environment.
 */
export function attributeToDeploy(
  onset: string,
  deploys: Array<Pick<Deploy, 'release' | 'environment' | 'deployedAt' | 'commitSha'> & { id: string }>,
  windowMinutes: number,
): { deployId: string; release: string; minutesAfter: number } | null {
  if (!(windowMinutes >= 0)) throw new RangeError(`windowMinutes must be ≥ 0, got ${windowMinutes}`);
  const onsetMs = toMs(onset);
  let best: { deploy: (typeof deploys)[number]; ms: number } | null = null;
  for (const d of deploys) {
    const ms = toMs(d.deployedAt);
    const after = onsetMs - ms;
    if (after <= -MINUTE_MS || after > windowMinutes * MINUTE_MS) continue;
    if (best === null || ms > best.ms) best = { deploy: d, ms };
  }
  if (best === null) return null;
  return {
    deployId: best.deploy.id,
    release: best.deploy.release,
    minutesAfter: Math.round(Math.max(0, onsetMs - best.ms) / MINUTE_MS * 10) / 10,
  };
}
