/**
 * Grouping eval: raw reports → @faultline/normalize → @faultline/fingerprint → @faultline/clustering,
 * processed in arrival order exactly as the clusterer service does (each new fingerprint is assigned
 * against the clusters seen so far, each given as a bounded sample of its most frequent members).
 *
 * Scores issues (fingerprints vs `trueIssue`) and clusters (cluster ids vs `trueCluster`) with
 * B-cubed and pairwise precision/recall. Prints a threshold sweep on development seeds, the headline
 * on a held-out seed, diagnostics, and as its last line one JSON object.
 *
 *   node dist/bench/eval-grouping.js [--threshold 0.6] [--seed N] [--tail N] [--no-stats] [--oracle-fingerprints]
 */
import { createHash } from 'node:crypto';
import { type ClusterCandidate, DEFAULT_THRESHOLD, type FrameStats, type IssueSignature, assignIssue, signatureOf } from '@faultline/clustering';
import { withFingerprint } from '@faultline/fingerprint';
import { normalizeReport } from '@faultline/normalize';
import type { CrashEvent } from '@faultline/schema';
import { type Labels, type LabelledReport, generateCorpus } from './grouping-corpus';

/** Members passed per candidate cluster: what the service can afford to read back per new issue. */
const MEMBER_SAMPLE = 8;
const DEV_SEEDS = [101, 202, 303];
const HELD_OUT_SEED = 20261120;

interface Scored {
  event: CrashEvent;
  labels: Labels;
}

interface Decision {
  project: string;
  issueLabel: string;
  bestScore: number;
  bestClusterLabel: string | null;
  joined: boolean;
}

// ---------------------------------------------------------------- pipeline

function ingest(corpus: LabelledReport[], oracleFingerprints: boolean): { scored: Scored[]; rejected: number; reasons: Map<string, number> } {
  const scored: Scored[] = [];
  const reasons = new Map<string, number>();
  let rejected = 0;
  for (const { report, labels } of corpus) {
    const result = normalizeReport(report);
    for (const r of result.rejected) reasons.set(r.reason, (reasons.get(r.reason) ?? 0) + 1);
    if (result.events.length === 0) rejected++;
    for (const event of result.events) {
      const fingerprinted = oracleFingerprints
        ? { ...event, fingerprint: createHash('sha256').update(labels.trueIssue).digest('hex').slice(0, 32) }
        : withFingerprint(event);
      scored.push({ event: fingerprinted, labels });
    }
  }
  return { scored, rejected, reasons };
}

interface IssueState {
  sig: IssueSignature;
  events: number;
  clusterId: string;
  label: string;
}

function cluster(scored: Scored[], threshold: number, useStats: boolean): { clusterOf: string[]; decisions: Decision[] } {
  const issues = new Map<string, IssueState>();
  const clusters = new Map<string, { project: string; members: IssueState[] }>();
  // Per project: which clusters each frame token occurs in (the documents of the IDF-like weighting).
  const stats = new Map<string, { documents: number; counts: Map<string, number>; seen: Set<string> }>();
  const decisions: Decision[] = [];
  const clusterOf: string[] = [];
  for (const { event, labels } of scored) {
    const key = `${event.project}\u0000${event.fingerprint}`;
    let issue = issues.get(key);
    if (!issue) {
      const sig = signatureOf(event);
      const projectClusters = [...clusters.entries()].filter(([, c]) => c.project === event.project);
      const candidates: ClusterCandidate[] = projectClusters.map(([clusterId, c]) => ({
        clusterId,
        members: [...c.members].sort((a, b) => b.events - a.events).slice(0, MEMBER_SAMPLE).map((m) => m.sig),
      }));
      const projectStats = stats.get(event.project) ?? { documents: 0, counts: new Map<string, number>(), seen: new Set<string>() };
      const frameStats: FrameStats | undefined = useStats ? projectStats : undefined;
      const assignment = assignIssue(sig, candidates, { threshold, frameStats });
      issue = { sig, events: 0, clusterId: assignment.clusterId, label: labels.trueCluster };
      issues.set(key, issue);
      const target = clusters.get(assignment.clusterId) ?? { project: event.project, members: [] };
      target.members.push(issue);
      clusters.set(assignment.clusterId, target);
      // Calibration data: was the closest kind-compatible cluster really the same root cause?
      const b = assignment.evidence.breakdown;
      if (b && b.kind >= 0.5 && assignment.evidence.bestMatchFingerprint) {
        const best = issues.get(`${event.project}\u0000${assignment.evidence.bestMatchFingerprint}`);
        const bestCluster = best ? clusters.get(best.clusterId) : undefined;
        decisions.push({ project: event.project, issueLabel: labels.trueCluster, bestScore: b.score, bestClusterLabel: bestCluster ? majority(bestCluster.members.filter((m) => m !== issue).map((m) => m.label)) : null, joined: !assignment.isNewCluster });
      }
      if (assignment.isNewCluster) projectStats.documents++;
      for (const token of new Set([...sig.frames, ...sig.causeFrames])) {
        const pair = `${assignment.clusterId}\u0000${token}`;
        if (projectStats.seen.has(pair)) continue;
        projectStats.seen.add(pair);
        projectStats.counts.set(token, (projectStats.counts.get(token) ?? 0) + 1);
      }
      stats.set(event.project, projectStats);
    }
    issue.events++;
    clusterOf.push(`${event.project}\u0000${issue.clusterId}`);
  }
  return { clusterOf, decisions };
}

function majority(labels: string[]): string | null {
  const counts = new Map<string, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  let best: string | null = null;
  for (const [l, n] of counts) if (best === null || n > (counts.get(best) ?? 0)) best = l;
  return best;
}

// ---------------------------------------------------------------- metrics

interface Scores {
  bcubed_precision: number;
  bcubed_recall: number;
  bcubed_f1: number;
  pairwise_precision: number;
  pairwise_recall: number;
  pairwise_f1: number;
}

function score(predicted: string[], truth: string[]): Scores {
  const n = predicted.length;
  const cells = new Map<string, number>();
  const predSize = new Map<string, number>();
  const trueSize = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const cell = `${predicted[i]}\u0001${truth[i]}`;
    cells.set(cell, (cells.get(cell) ?? 0) + 1);
    predSize.set(predicted[i], (predSize.get(predicted[i]) ?? 0) + 1);
    trueSize.set(truth[i], (trueSize.get(truth[i]) ?? 0) + 1);
  }
  let p = 0;
  let r = 0;
  let tp = 0;
  for (const [cell, count] of cells) {
    const [pred, tru] = cell.split('\u0001');
    p += (count * count) / (predSize.get(pred) ?? 1);
    r += (count * count) / (trueSize.get(tru) ?? 1);
    tp += (count * (count - 1)) / 2;
  }
  const pairs = (sizes: Map<string, number>) => [...sizes.values()].reduce((s, k) => s + (k * (k - 1)) / 2, 0);
  const pp = pairs(predSize);
  const tpairs = pairs(trueSize);
  const bp = n ? p / n : 1;
  const br = n ? r / n : 1;
  const pwp = pp ? tp / pp : 1;
  const pwr = tpairs ? tp / tpairs : 1;
  return {
    bcubed_precision: round(bp),
    bcubed_recall: round(br),
    bcubed_f1: round(f1(bp, br)),
    pairwise_precision: round(pwp),
    pairwise_recall: round(pwr),
    pairwise_f1: round(f1(pwp, pwr)),
  };
}

const f1 = (p: number, r: number) => (p + r === 0 ? 0 : (2 * p * r) / (p + r));
const round = (x: number) => Math.round(x * 10000) / 10000;

function headline(s: Scores) {
  return { bcubed_precision: s.bcubed_precision, bcubed_recall: s.bcubed_recall, bcubed_f1: s.bcubed_f1, pairwise_f1: s.pairwise_f1 };
}

// ---------------------------------------------------------------- diagnostics

/** True clusters split over several predicted clusters, and predicted clusters mixing true ones. */
function diagnose(scored: Scored[], clusterOf: string[]): string[] {
  const byTrue = new Map<string, Map<string, number>>();
  const byPred = new Map<string, Map<string, number>>();
  scored.forEach(({ labels }, i) => {
    const t = byTrue.get(labels.trueCluster) ?? new Map<string, number>();
    t.set(clusterOf[i], (t.get(clusterOf[i]) ?? 0) + 1);
    byTrue.set(labels.trueCluster, t);
    const p = byPred.get(clusterOf[i]) ?? new Map<string, number>();
    p.set(labels.trueCluster, (p.get(labels.trueCluster) ?? 0) + 1);
    byPred.set(clusterOf[i], p);
  });
  const lines: string[] = [];
  for (const [label, preds] of byTrue) if (preds.size > 1) lines.push(`  split  ${label}: ${[...preds.values()].sort((a, b) => b - a).join(' + ')} events`);
  for (const [pred, labels] of byPred) if (labels.size > 1) lines.push(`  merged ${pred.replace('\u0000', '/')}: ${[...labels.entries()].map(([l, n]) => `${l}(${n})`).join(', ')}`);
  return lines;
}

/** Platt scaling of P(closest cluster is the same root cause | score), by gradient descent on log-loss. */
function calibrate(decisions: Decision[]): { slope: number; center: number; n: number } {
  const data = decisions.filter((d) => d.bestClusterLabel !== null).map((d) => ({ x: d.bestScore, y: d.bestClusterLabel === d.issueLabel ? 1 : 0 }));
  let a = 10;
  let b = -6;
  for (let iter = 0; iter < 20000; iter++) {
    let ga = 0;
    let gb = 0;
    for (const { x, y } of data) {
      const p = 1 / (1 + Math.exp(-(a * x + b)));
      ga += (p - y) * x;
      gb += p - y;
    }
    a -= (0.5 * ga) / Math.max(1, data.length);
    b -= (0.5 * gb) / Math.max(1, data.length);
  }
  return { slope: round(a), center: round(-b / a), n: data.length };
}

/** Share of decisions whose closest cluster really was the same root cause, by score bin. */
function reliability(decisions: Decision[]): string {
  const edges = [0, 0.2, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8, 0.9, 1.0001];
  const out: string[] = [];
  for (let i = 0; i + 1 < edges.length; i++) {
    const bin = decisions.filter((d) => d.bestClusterLabel !== null && d.bestScore >= edges[i] && d.bestScore < edges[i + 1]);
    if (bin.length === 0) continue;
    const same = bin.filter((d) => d.bestClusterLabel === d.issueLabel).length;
    out.push(`[${edges[i]},${Math.min(1, edges[i + 1])}) ${same}/${bin.length}`);
  }
  return out.join('  ');
}

// ---------------------------------------------------------------- main

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

function evaluate(seed: number, threshold: number, useStats: boolean, oracle: boolean, tailPerProject: number | undefined) {
  const corpus = generateCorpus({ seed, tailPerProject });
  const { scored, rejected, reasons } = ingest(corpus, oracle);
  const { clusterOf, decisions } = cluster(scored, threshold, useStats);
  const issuePred = scored.map(({ event }) => `${event.project}\u0000${event.fingerprint}`);
  return {
    corpus,
    scored,
    rejected,
    reasons,
    clusterOf,
    decisions,
    issue: score(issuePred, scored.map((s) => s.labels.trueIssue)),
    cluster: score(clusterOf, scored.map((s) => s.labels.trueCluster)),
  };
}

function main(): void {
  const threshold = Number(argValue('--threshold') ?? DEFAULT_THRESHOLD);
  const seed = Number(argValue('--seed') ?? HELD_OUT_SEED);
  const useStats = !process.argv.includes('--no-stats');
  const oracle = process.argv.includes('--oracle-fingerprints');
  const tailArg = argValue('--tail');
  const tailPerProject = tailArg === undefined ? undefined : Number(tailArg);

  // Threshold sweep on the development seeds (the held-out seed is not used for choosing).
  console.log(`threshold sweep on dev seeds ${DEV_SEEDS.join(', ')} (cluster level, mean over seeds; frame stats ${useStats ? 'on' : 'off'})`);
  console.log('  thr    b3_P    b3_R    b3_F1   pw_P    pw_R    pw_F1   min_b3_P min_b3_R');
  const dev = DEV_SEEDS.map((s) => {
    const corpus = generateCorpus({ seed: s, tailPerProject });
    return ingest(corpus, oracle).scored;
  });
  for (let i = 0; i <= 18; i++) {
    const t = 0.4 + i * 0.025;
    const runs = dev.map((scored) => score(cluster(scored, t, useStats).clusterOf, scored.map((x) => x.labels.trueCluster)));
    const mean = (k: keyof Scores) => runs.reduce((s, r) => s + r[k], 0) / runs.length;
    const cols = (['bcubed_precision', 'bcubed_recall', 'bcubed_f1', 'pairwise_precision', 'pairwise_recall', 'pairwise_f1'] as const).map((k) => mean(k).toFixed(4));
    const worst = (k: keyof Scores) => Math.min(...runs.map((x) => x[k])).toFixed(4);
    console.log(`  ${t.toFixed(3)}  ${cols.join('  ')}  ${worst('bcubed_precision')}   ${worst('bcubed_recall')}${Math.abs(t - threshold) < 1e-9 ? '   <- chosen' : ''}`);
  }
  const devDecisions = dev.flatMap((scored) => cluster(scored, threshold, useStats).decisions);
  const cal = calibrate(devDecisions);
  console.log(`confidence calibration on dev seeds: P(same root cause | best score s) = 1/(1+exp(-${cal.slope}*(s-${cal.center}))) over ${cal.n} decisions`);
  console.log(`  reliability (best kind-compatible candidate per new issue): ${reliability(devDecisions)}`);

  const r = evaluate(seed, threshold, useStats, oracle, tailPerProject);
  const byRuntime = new Map<string, number>();
  for (const x of r.corpus) byRuntime.set(`${x.meta.runtime}/${x.meta.format}${x.meta.browser ? `/${x.meta.browser}` : ''}`, (byRuntime.get(`${x.meta.runtime}/${x.meta.format}${x.meta.browser ? `/${x.meta.browser}` : ''}`) ?? 0) + 1);
  const trueClusters = new Set(r.corpus.map((x) => x.labels.trueCluster)).size;
  const trueIssues = new Set(r.corpus.map((x) => x.labels.trueIssue)).size;
  const fingerprints = new Set(r.scored.map((x) => `${x.event.project}/${x.event.fingerprint}`)).size;
  const predClusters = new Set(r.clusterOf).size;
  console.log(`held-out seed ${seed}: ${r.corpus.length} reports (${[...byRuntime.entries()].map(([k, n]) => `${k} ${n}`).join(', ')})`);
  console.log(`  ${r.scored.length} events scored, ${r.rejected} reports rejected${r.reasons.size ? ` (${[...r.reasons.entries()].map(([k, n]) => `${k} ${n}`).join(', ')})` : ''}`);
  console.log(`  true issues ${trueIssues}, fingerprints ${fingerprints}; true clusters ${trueClusters}, predicted clusters ${predClusters}; threshold ${threshold}, member sample ${MEMBER_SAMPLE}, frame stats ${useStats ? 'on' : 'off'}${oracle ? ', ORACLE fingerprints' : ''}`);
  console.log(`  issue:   ${JSON.stringify(r.issue)}`);
  console.log(`  cluster: ${JSON.stringify(r.cluster)}`);
  const diag = diagnose(r.scored, r.clusterOf);
  if (diag.length) console.log(`cluster errors (held-out):\n${diag.join('\n')}`);
  console.log(JSON.stringify({ events: r.scored.length, issue: headline(r.issue), cluster: headline(r.cluster) }));
}

main();
