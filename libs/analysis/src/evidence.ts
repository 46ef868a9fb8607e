import type { Deploy } from '@faultline/schema';
import type { ConfigSyntax, Mechanism } from './code-hints';
import type { TimelineAnalysis, TimelinePoint } from './timeline';

/** One frame as evidence: where it ran, and which repository file that is. */
export interface FrameSummary {
  function: string | null;
  file: string | null;
  repoPath: string | null;
  line: number | null;
  inApp: boolean;
  contextLine: string | null;
  packages: string[];
}

/** The deploy right before onset is the `suspect_deploy`; the one before it `earlier_deploy`. */
export type CommitWindow = 'suspect_deploy' | 'earlier_deploy' | 'outside';
export type FrameRole = 'origin' | 'caller';

export interface CommitFacts {
  sha: string;
  subject: string;
  authorName: string;
  authorDate: string;
  files: string[];
  window: CommitWindow;
  deployId: string | null;
  /** Crashing lines (± a few) whose last change is this commit. */
  blamedLines: Array<{ path: string; line: number; distance: number; role: FrameRole }>;
  /** Stack files the commit changed, with the distance from its hunks to the frame's line. */
  stackFiles: Array<{ path: string; role: FrameRole; minDistance: number | null }>;
  /** Identifiers on the crashing lines that the commit's changed lines mention. */
  sharedIdentifiers: string[];
  /** Configuration keys the crashing code reads that the commit's changed lines mention. */
  configKeys: Array<{ key: string; path: string; match: 'exact' | 'leaf' }>;
  /** Dependency manifests the commit changed, and the stack's third-party packages those changes name. */
  manifests: Array<{ path: string; packages: string[] }>;
  /** Changed lines per failure mechanism. */
  mechanisms: Partial<Record<Mechanism, number>>;
  added: number;
  removed: number;
  /** The commit's patch, limited to the files that matter (stack, configuration, manifests). */
  diff: string;
}

interface Item<K extends string, D> {
  id: string;
  kind: K;
  title: string;
  data: D;
}

export type EvidenceItem =
  | Item<'stats', { clusterId: string; title: string; errorType: string; canonicalKind: string; messageTemplate: string; count: number; users: number; firstSeen: string; lastSeen: string }>
  | Item<'timeline', TimelineAnalysis & { points: TimelinePoint[]; bucketMinutes: number }>
  | Item<'releases', { releases: Array<{ release: string; firstSeen: string; lastSeen: string; count: number }>; firstBadRelease: string | null; lastGoodRelease: string | null }>
  | Item<'deploy', { deployId: string; deploy: Deploy; minutesBeforeOnset: number | null; role: 'suspect' | 'earlier' | 'later' | 'other' }>
  | Item<'breakdown', { dimension: string; total: number; values: Array<{ value: string; count: number; share: number }> }>
  | Item<'event', { eventId: string; timestamp: string; release: string | null; environment: string | null; platform: string; errorType: string; message: string; frames: FrameSummary[]; tags: Record<string, string> }>
  | Item<'chain', { eventId: string; links: Array<{ type: string; value: string; crashFrame: FrameSummary | null }> }>
  | Item<'commit', CommitFacts>
  | Item<'blame', { path: string; line: number; sha: string; summary: string; authorName: string; authorTime: string; content: string; role: FrameRole }>
  | Item<'file', { path: string; startLine: number; endLine: number; rev: string; role: 'origin' | 'caller' | 'config'; focusLine: number | null; lines: string[] }>
  | Item<'env', { key: string; syntax: ConfigSyntax; readAt: Array<{ path: string; line: number; expression: string }> }>;

export type EvidenceKind = EvidenceItem['kind'];
export type EvidenceOf<K extends EvidenceKind> = Extract<EvidenceItem, { kind: K }>;

export interface EvidencePack {
  version: 1;
  clusterId: string;
  project: string;
  builtAt: string;
  onset: string | null;
  suspectDeployId: string | null;
  /** The commits between the last good and the first bad release, when known. */
  range: { from: string | null; to: string | null; source: 'deploy' | 'tags' | 'none' };
  items: EvidenceItem[];
  /** What could not be gathered, and why: the pack says so rather than look complete. */
  notes: string[];
}

export const evidenceId = {
  stats: () => 'ev:stats',
  timeline: () => 'ev:timeline',
  releases: () => 'ev:releases',
  deploy: (id: string) => `ev:deploy:${id}`,
  breakdown: (dimension: string) => `ev:breakdown:${dimension}`,
  event: (id: string) => `ev:event:${id}`,
  chain: (eventId: string) => `ev:chain:${eventId}`,
  commit: (sha: string) => `ev:commit:${sha}`,
  blame: (path: string, line: number) => `ev:blame:${path}#L${line}`,
  file: (path: string, start: number, end: number) => `ev:file:${path}#L${start}-${end}`,
  env: (key: string) => `ev:env:${key}`,
};

export function itemsOf<K extends EvidenceKind>(pack: EvidencePack, kind: K): Array<EvidenceOf<K>> {
  return pack.items.filter((item): item is EvidenceOf<K> => item.kind === kind);
}

export function findItem(pack: EvidencePack, id: string): EvidenceItem | undefined {
  return pack.items.find((item) => item.id === id);
}

/** Ids cited that the pack does not hold. */
export function missingEvidenceIds(pack: EvidencePack, ids: Iterable<string>): string[] {
  const known = new Set(pack.items.map((item) => item.id));
  return [...new Set([...ids].filter((id) => !known.has(id)))];
}

/** A stable deploy id when the marker carries none: `<release>@<environment>`. */
export function deployIdOf(deploy: Deploy & { id?: string }): string {
  return (deploy.id ?? `${deploy.release}@${deploy.environment}`).replace(/[^\w.@:+-]/g, '_');
}

const frameText = (f: FrameSummary) =>
  `  at ${f.function ?? '?'} (${f.repoPath ?? f.file ?? '?'}:${f.line ?? '?'})${f.inApp ? '' : ' [third-party]'}${f.contextLine ? `\n      > ${f.contextLine.trim()}` : ''}`;

/** The item as plain text: what the model reads, and what the report quotes. */
export function describeItem(item: EvidenceItem, limits: { diffChars?: number } = {}): string {
  switch (item.kind) {
    case 'stats': {
      const d = item.data;
      return `cluster ${d.clusterId}: ${d.title}\nerror: ${d.errorType} (${d.canonicalKind})\nmessage template: ${d.messageTemplate}\nevents: ${d.count}, users: ${d.users}\nfirst seen: ${d.firstSeen}, last seen: ${d.lastSeen}`;
    }
    case 'timeline': {
      const d = item.data;
      const series = d.points.map((p) => p.count).join(' ');
      return `onset: ${d.onset ?? 'none detected'}\nshape: ${d.shape} (bursts: ${d.bursts}, growth last/first quarter: ${d.growth.toFixed(2)})\nbaseline: ${d.baselinePerMin.toFixed(2)}/min, level after onset: ${d.levelPerMin.toFixed(2)}/min, peak: ${d.peakPerMin}/min, recent: ${d.recentPerMin.toFixed(2)}/min\ncounts per ${d.bucketMinutes} min from ${d.points[0]?.at ?? '?'}: ${series}`;
    }
    case 'releases': {
      const d = item.data;
      return `${d.releases.map((r) => `${r.release}: ${r.count} events, first seen ${r.firstSeen}, last seen ${r.lastSeen}`).join('\n')}\nfirst bad release: ${d.firstBadRelease ?? 'unknown'}; last good release: ${d.lastGoodRelease ?? 'unknown'}`;
    }
    case 'deploy': {
      const d = item.data;
      const when = d.minutesBeforeOnset === null ? '' : d.minutesBeforeOnset >= 0 ? ` (${formatMinutes(d.minutesBeforeOnset)} before onset)` : ` (${formatMinutes(-d.minutesBeforeOnset)} after onset)`;
      return `release ${d.deploy.release} to ${d.deploy.environment} at ${d.deploy.deployedAt}${when}; role: ${d.role}\ncommits ${d.deploy.previousSha ?? '?'}..${d.deploy.commitSha ?? '?'}${d.deploy.changedFiles.length ? `\nchanged files: ${d.deploy.changedFiles.slice(0, 30).join(', ')}` : ''}`;
    }
    case 'breakdown':
      return item.data.values.map((v) => `${v.value}: ${v.count} (${(v.share * 100).toFixed(1)}%)`).join('\n');
    case 'event': {
      const d = item.data;
      const tags = Object.entries(d.tags)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ');
      return `${d.errorType}: ${d.message}\nat ${d.timestamp}, release ${d.release ?? '?'}, ${d.environment ?? '?'}, ${d.platform}${tags ? `\ntags: ${tags}` : ''}\nframes (oldest call first, crash site last):\n${d.frames.map(frameText).join('\n')}`;
    }
    case 'chain':
      return item.data.links.map((l, i) => `${i === 0 ? 'root cause' : 'then'}: ${l.type}: ${l.value}${l.crashFrame ? `\n${frameText(l.crashFrame)}` : ''}`).join('\n');
    case 'commit': {
      const d = item.data;
      const facts = [
        `window: ${d.window}${d.deployId ? ` (deploy ${d.deployId})` : ''}`,
        d.blamedLines.length ? `blamed crashing lines: ${d.blamedLines.map((b) => `${b.path}:${b.line} (${b.role}, ${b.distance} from frame line)`).join(', ')}` : '',
        d.stackFiles.length ? `changes stack files: ${d.stackFiles.map((s) => `${s.path} (${s.role}${s.minDistance === null ? '' : `, nearest change ${s.minDistance} lines from frame line`})`).join(', ')}` : '',
        d.sharedIdentifiers.length ? `changes identifiers on crashing lines: ${d.sharedIdentifiers.join(', ')}` : '',
        d.configKeys.length ? `changes configuration read by crashing code: ${d.configKeys.map((c) => `${c.key} in ${c.path}`).join(', ')}` : '',
        d.manifests.length ? `changes dependency manifests: ${d.manifests.map((m) => `${m.path}${m.packages.length ? ` (${m.packages.join(', ')})` : ''}`).join(', ')}` : '',
        Object.keys(d.mechanisms).length ? `changed lines by mechanism: ${Object.entries(d.mechanisms).map(([k, v]) => `${k} ${v}`).join(', ')}` : '',
      ].filter(Boolean);
      const diff = limits.diffChars !== undefined && d.diff.length > limits.diffChars ? `${d.diff.slice(0, limits.diffChars)}\n[… diff cut]` : d.diff;
      return `${d.sha} ${d.subject}\nauthor ${d.authorName}, ${d.authorDate}; +${d.added} -${d.removed}\nfiles: ${d.files.slice(0, 20).join(', ')}${d.files.length > 20 ? ` (+${d.files.length - 20} more)` : ''}\n${facts.join('\n')}${diff ? `\ndiff:\n${diff}` : ''}`;
    }
    case 'blame': {
      const d = item.data;
      return `${d.path}:${d.line} (${d.role} frame line) last changed by ${d.sha} "${d.summary}" (${d.authorName}, ${d.authorTime})\n> ${d.content}`;
    }
    case 'file': {
      const d = item.data;
      return `${d.path} at ${d.rev} (${d.role}), lines ${d.startLine}-${d.endLine}:\n${d.lines.map((text, i) => `${d.startLine + i === d.focusLine ? '>' : ' '}${String(d.startLine + i).padStart(5)} | ${text}`).join('\n')}`;
    }
    case 'env':
      return `${item.data.key} (${item.data.syntax}) read at ${item.data.readAt.map((r) => `${r.path}:${r.line} \`${r.expression}\``).join(', ')}`;
  }
}

export function formatMinutes(minutes: number): string {
  const m = Math.round(minutes);
  if (m < 120) return `${m} min`;
  if (m < 48 * 60) return `${(m / 60).toFixed(1)} h`;
  return `${(m / 1440).toFixed(1)} days`;
}
