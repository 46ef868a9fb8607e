import { describeItem, EvidencePack, findItem, formatMinutes, itemsOf } from './evidence';
import { CATEGORY_LABELS, culpritOf, RootCauseAnalysis } from './rca-schema';

/** The analysis as a post-incident review, in Markdown. Free text is escaped: it may come from crash data or a model. */
export function renderAnalysisMarkdown(analysis: RootCauseAnalysis, pack: EvidencePack): string {
  const stats = itemsOf(pack, 'stats')[0]?.data;
  const timeline = itemsOf(pack, 'timeline')[0]?.data;
  const releases = itemsOf(pack, 'releases')[0]?.data;
  const deploys = itemsOf(pack, 'deploy').sort((a, b) => Date.parse(a.data.deploy.deployedAt) - Date.parse(b.data.deploy.deployedAt));
  const culprit = culpritOf(analysis);
  const out: string[] = [];

  out.push(`# Root-cause analysis: ${text(stats?.title ?? pack.clusterId)}`);
  out.push('');
  out.push(`*Cluster* \`${code(pack.clusterId)}\` · *category* ${CATEGORY_LABELS[analysis.category]} · *confidence* ${pct(analysis.confidence)} · *written by* ${analysis.analyzer}${analysis.model ? ` (${text(analysis.model)})` : ''}${culprit ? ` · *suspect commit* \`${culprit.slice(0, 12)}\`` : ' · *no suspect commit*'}`);
  out.push('');
  out.push('## Executive summary', '', text(analysis.summary), '');

  out.push('## Timeline', '');
  const events: Array<[number, string]> = [];
  for (const d of deploys) events.push([Date.parse(d.data.deploy.deployedAt), `Deploy of **${text(d.data.deploy.release)}** to ${text(d.data.deploy.environment)}${d.data.role === 'suspect' ? ' — last deploy before onset' : ''} (\`${d.id}\`)`]);
  if (stats) events.push([Date.parse(stats.firstSeen), `First event of the cluster (\`ev:stats\`)`]);
  if (pack.onset) events.push([Date.parse(pack.onset), `Onset: the error rate leaves its baseline${timeline ? ` — ${timeline.shape} pattern, peak ${timeline.peakPerMin}/min` : ''} (\`ev:timeline\`)`]);
  if (stats) events.push([Date.parse(stats.lastSeen), 'Last event in the evidence']);
  for (const [at, what] of events.filter(([t]) => Number.isFinite(t)).sort((a, b) => a[0] - b[0])) out.push(`- **${new Date(at).toISOString()}** — ${what}`);
  if (pack.onset && deploys.some((d) => d.data.role === 'suspect')) {
    const d = deploys.find((x) => x.data.role === 'suspect')!;
    if (d.data.minutesBeforeOnset !== null) out.push('', `Onset came ${formatMinutes(d.data.minutesBeforeOnset)} after the last deploy.`);
  }
  out.push('');

  out.push('## Impact', '', text(analysis.blastRadius), '');
  if (stats) out.push(`- *events* ${stats.count}, *users* ${stats.users}`);
  if (releases?.firstBadRelease) out.push(`- *first bad release* ${text(releases.firstBadRelease)}, *last good release* ${text(releases.lastGoodRelease ?? 'unknown')}`);
  for (const b of itemsOf(pack, 'breakdown')) out.push(`- *${text(b.data.dimension)}*: ${b.data.values.slice(0, 5).map((v) => `${text(v.value)} ${pct(v.share)}`).join(', ')}`);
  out.push('');

  out.push('## Root cause', '', text(analysis.rootCause), '');
  if (analysis.suspectCommits.length) {
    out.push('| Commit | Score | Why | Evidence |', '|---|---|---|---|');
    for (const s of analysis.suspectCommits) out.push(`| \`${s.sha.slice(0, 12)}\` | ${s.score.toFixed(2)} | ${cell(s.summary)} | ${s.evidenceIds.map((id) => `\`${code(id)}\``).join(' ')} |`);
    out.push('');
  }

  out.push('## Evidence', '');
  for (const id of analysis.evidenceIds) {
    const item = findItem(pack, id);
    if (!item) continue;
    const body = describeItem(item, { diffChars: 1_500 });
    out.push(`<details><summary><code>${code(id)}</code> — ${text(item.title)}</summary>`, '', '```', fence(body), '```', '', '</details>', '');
  }
  if (pack.notes.length) out.push('*Gaps in the evidence:*', ...pack.notes.map((n) => `- ${text(n)}`), '');

  out.push('## Hypotheses', '', '| # | Hypothesis | Confidence | Confirm if | Rule out if | Evidence |', '|---|---|---|---|---|---|');
  analysis.hypotheses.forEach((h, i) => out.push(`| ${i + 1} | ${cell(h.statement)} | ${pct(h.confidence)} | ${cell(h.confirmIf)} | ${cell(h.ruleOutIf)} | ${h.evidenceIds.map((id) => `\`${code(id)}\``).join(' ')} |`));
  out.push('');

  out.push('## Fix', '', text(analysis.fix.description), '');
  if (analysis.fix.patch) out.push('```diff', fence(analysis.fix.patch), '```', '');
  out.push('**Rollback plan.** ' + text(analysis.rollbackPlan), '');

  out.push('## Verification', '', `**Test that would have caught it.** ${text(analysis.test)}`, '', '**Monitor after the fix:**', ...analysis.monitorAfterFix.map((m) => `- ${text(m)}`), '');

  out.push('## Prevention', '', ...(analysis.prevention.length ? analysis.prevention.map((p) => `- ${text(p)}`) : ['- (none proposed)']), '');
  return out.join('\n');
}

const pct = (n: number) => `${Math.round(n * 100)}%`;
const text = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const cell = (s: string) => text(s).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const code = (s: string) => s.replace(/`/g, "'").replace(/</g, '&lt;');
const fence = (s: string) => s.replace(/```/g, '`\u200b``');
