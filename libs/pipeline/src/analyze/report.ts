import { CATEGORY_LABELS, culpritOf, type RcaCategory } from '@faultline/analysis';
import type { ClusterInsight, DeployWithId } from './cluster-insights';
import type { ClustersDocument } from './clusters-document';
import type { ClusterAnalysis } from './run-analysis';

export interface ReportInput {
  project: string;
  insights: ClusterInsight[];
  analyses: Map<string, ClusterAnalysis>;
  deploys: DeployWithId[];
  document: ClustersDocument;
  files: number;
  events: number;
}

const TIER_ORDER = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const;

/**
 * `report.md`: the incident write-up — executive summary, clusters by priority with confidence,
 * timeline, regressions and spikes, hypotheses, recommendations and prevention, then one
 * post-incident review per analyzed cluster.
 */
export function renderReport(input: ReportInput): string {
  const { insights, analyses, deploys, document } = input;
  const lines: string[] = [];
  const top = insights[0];
  const topAnalysis = top ? analyses.get(top.summary.clusterId)?.analysis : undefined;
  const rejected = document.rejected.length;

  lines.push(`# Crash analysis: ${input.project}`, '');
  lines.push('## Executive summary', '');
  if (!top) {
    lines.push(`No crash reports were found in ${input.files} file(s).${rejected ? ` ${rejected} input(s) were rejected (see below).` : ''}`, '');
  } else {
    const tiers = TIER_ORDER.map((t) => [t, insights.filter((i) => i.priority.tier === t).length] as const).filter(([, n]) => n > 0);
    lines.push(
      `${input.events} crash event(s) from ${input.files} file(s) reduce to **${insights.length} cluster(s)** ` +
        `(${insights.reduce((n, i) => n + i.issues.length, 0)} distinct issue signatures): ${tiers.map(([t, n]) => `${n} ${t}`).join(', ')}.` +
        (rejected ? ` ${rejected} input(s) were rejected and are listed at the end.` : ''),
      '',
    );
    lines.push(`The most important is **${escapeMd(top.title)}** — ${top.summary.events} events, ${top.summary.affectedUsers} users, priority ${top.priority.tier}.`);
    if (topAnalysis) {
      const culprit = culpritOf(topAnalysis) ? topAnalysis.suspectCommits[0] : undefined;
      lines.push(`${escapeMd(topAnalysis.summary)}`);
      if (culprit) lines.push(`Suspect commit: \`${culprit.sha.slice(0, 12)}\` — ${escapeMd(culprit.summary)} (score ${culprit.score.toFixed(2)}).`);
      lines.push(`Analysis by the ${topAnalysis.analyzer === 'claude' ? 'Claude' : 'offline heuristic'} analyzer, confidence ${topAnalysis.confidence.toFixed(2)}.`);
    }
    lines.push('');
  }

  if (insights.length > 0) {
    lines.push('## Clusters by priority', '');
    lines.push('| # | priority | cluster | category | events | users | confidence | first seen | last seen | root cause |');
    lines.push('|---|---|---|---|---|---|---|---|---|---|');
    insights.forEach((insight, index) => {
      const analysis = analyses.get(insight.summary.clusterId)?.analysis;
      lines.push(
        `| ${index + 1} | ${insight.priority.tier} | ${escapeCell(insight.title)} (\`${insight.summary.clusterId}\`, ${insight.issues.length} issue${insight.issues.length === 1 ? '' : 's'}) | ${insight.category} | ${insight.summary.events} | ${insight.summary.affectedUsers} | ${insight.confidence.toFixed(2)} | ${insight.summary.firstSeen} | ${insight.summary.lastSeen} | ${analysis ? escapeCell(CATEGORY_LABELS[analysis.category as RcaCategory] ?? analysis.category) : '—'} |`,
      );
    });
    lines.push('');
  }

  lines.push('## Timeline', '');
  const timeline: Array<{ at: string; text: string }> = [];
  for (const d of deploys) timeline.push({ at: d.deployedAt, text: `Deploy **${escapeMd(d.release)}** to ${d.environment}${d.commitSha ? ` (\`${d.commitSha.slice(0, 12)}\`)` : ''}` });
  for (const i of insights) {
    timeline.push({ at: i.summary.firstSeen, text: `First seen: ${escapeMd(i.title)} (${i.priority.tier})${i.newInRelease ? `, new in release ${escapeMd(i.newInRelease)}` : ''}` });
    if (i.spike) timeline.push({ at: i.spike.onset, text: `Spike: ${escapeMd(i.title)} — ${i.spike.observed} events vs ${i.spike.expected} expected${i.spike.deploy ? `, ${i.spike.deploy.minutesAfter} min after deploy ${escapeMd(i.spike.deploy.release)}` : ''}` });
    if (i.regression) timeline.push({ at: i.regression.firstSeenAgain, text: `Regression: ${escapeMd(i.title)} is back in ${escapeMd(i.regression.release)}` });
  }
  timeline.sort((a, b) => a.at.localeCompare(b.at));
  if (timeline.length === 0) lines.push('Nothing to place on a timeline.');
  for (const entry of timeline.slice(0, 60)) lines.push(`- \`${entry.at}\` ${entry.text}`);
  if (timeline.length > 60) lines.push(`- … ${timeline.length - 60} more`);
  lines.push('');

  lines.push('## Regressions and spikes', '');
  const flagged = insights.filter((i) => i.spike || i.regression);
  if (flagged.length === 0) lines.push('No rate spike or regression was detected.');
  for (const i of flagged) {
    if (i.spike) {
      lines.push(
        `- **Spike** in ${escapeMd(i.title)}: onset ${i.spike.onset}, ${i.spike.observed} events where ${i.spike.expected} were expected (p = ${i.spike.pValue.toExponential(1)})` +
          (i.spike.deploy ? `; attributed to deploy **${escapeMd(i.spike.deploy.release)}** (${i.spike.deploy.minutesAfter} min before onset).` : '; no deploy in the attribution window.'),
      );
    }
    if (i.regression) lines.push(`- **Regression** in ${escapeMd(i.title)}: absent from ${i.regression.absentIn.map(escapeMd).join(', ')}, back in **${escapeMd(i.regression.release)}** at ${i.regression.firstSeenAgain}.`);
  }
  lines.push('');

  const analyzed = insights.filter((i) => analyses.has(i.summary.clusterId));
  lines.push('## Hypotheses', '');
  if (analyzed.length === 0) lines.push('No cluster was analyzed.');
  for (const i of analyzed) {
    const a = analyses.get(i.summary.clusterId)!.analysis;
    lines.push(`### ${escapeMd(i.title)}`, '');
    for (const [rank, h] of a.hypotheses.entries()) {
      lines.push(`${rank + 1}. ${escapeMd(h.statement)} — confidence ${h.confidence.toFixed(2)} (evidence: ${h.evidenceIds.map((id) => `\`${id}\``).join(', ')})`);
    }
    lines.push('');
  }

  lines.push('## Recommendations', '');
  for (const i of analyzed) {
    const a = analyses.get(i.summary.clusterId)!.analysis;
    lines.push(`- **${escapeMd(i.title)}** (${i.priority.tier}): ${escapeMd(a.fix.description)}`);
    lines.push(`  - Test that would have caught it: ${escapeMd(a.test)}`);
    lines.push(`  - Rollback: ${escapeMd(a.rollbackPlan)}`);
  }
  if (analyzed.length === 0) lines.push('None.');
  lines.push('');

  lines.push('## Prevention', '');
  const prevention = new Set<string>();
  for (const i of analyzed) {
    const a = analyses.get(i.summary.clusterId)!.analysis;
    for (const item of a.prevention) prevention.add(escapeMd(item));
    prevention.add(`After the fix of ${escapeMd(i.title)}, watch: ${a.monitorAfterFix.map(escapeMd).join('; ')}`);
  }
  if (insights.some((i) => i.spike?.deploy)) prevention.add('Gate deploys on the crash rate of the first minutes after release (a canary): these spikes began right after a deploy.');
  if (insights.some((i) => i.regression)) prevention.add('Keep a regression test for every resolved issue: a fixed crash came back.');
  if (prevention.size === 0) prevention.add('Nothing specific beyond the recommendations above.');
  for (const p of prevention) lines.push(`- ${p}`);
  lines.push('');

  for (const i of analyzed) {
    lines.push('---', '', demoteHeadings(analyses.get(i.summary.clusterId)!.markdown), '');
  }

  if (document.rejected.length > 0) {
    lines.push('## Rejected inputs', '');
    lines.push('| source | line | reason |', '|---|---|---|');
    for (const r of document.rejected.slice(0, 200)) lines.push(`| ${escapeCell(r.source)} | ${r.line ?? ''} | ${escapeCell(r.reason + (r.detail ? `: ${r.detail}` : ''))} |`);
    if (document.rejected.length > 200) lines.push(`| … | | ${document.rejected.length - 200} more in clusters.json |`);
    lines.push('');
  }
  return lines.join('\n');
}

/** Crash text is untrusted: keep it from turning into Markdown structure or HTML. */
function escapeMd(text: string): string {
  return text.replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;')).replace(/([*_`[\]])/g, '\\$1').replace(/\s+/g, ' ').trim();
}

function escapeCell(text: string): string {
  return escapeMd(text).replace(/\|/g, '\\|').slice(0, 160);
}

/** The analysis document's own headings, one level down, under this report's sections. */
function demoteHeadings(markdown: string): string {
  return markdown.replace(/^(#{1,5}) /gm, '#$1 ');
}
