// Evaluates the heuristic root-cause analyzer on generated scenarios with known answers (real
// temporary git repositories): top-1 culprit accuracy (a scenario without a culprit must name
// none), category accuracy, recall of the evidence an analyst would cite, and the calibration of the
// analyzer's confidence (expected calibration error over 10 bins; a top hypothesis counts as right
// when both its culprit and its category are). Last line: one JSON object.
//   node dist/bench/eval-rca.js [--verbose] [--only name,name] [--seed N]
import { analyzeHeuristically, buildEvidencePack, citedEvidenceIds, culpritOf } from '@faultline/analysis';
import { CliGitRepository } from '@faultline/git';
import { buildScenarios } from './rca-scenarios';

interface Row {
  name: string;
  culpritOk: boolean;
  categoryOk: boolean;
  recall: number;
  confidence: number;
  detail: string;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

export function expectedCalibrationError(samples: Array<{ confidence: number; correct: boolean }>, bins = 10): number {
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    const inBin = samples.filter((s) => Math.min(bins - 1, Math.floor(s.confidence * bins)) === b);
    if (!inBin.length) continue;
    const accuracy = inBin.filter((s) => s.correct).length / inBin.length;
    const confidence = inBin.reduce((sum, s) => sum + s.confidence, 0) / inBin.length;
    ece += (inBin.length / samples.length) * Math.abs(accuracy - confidence);
  }
  return ece;
}

async function main(): Promise<void> {
  const started = Date.now();
  const verbose = process.argv.includes('--verbose');
  const only = arg('--only')?.split(',');
  const seed = arg('--seed') ? Number(arg('--seed')) : undefined;
  const scenarios = buildScenarios({ seed, only });
  const rows: Row[] = [];
  try {
    for (const s of scenarios) {
      const pack = await buildEvidencePack(s.input, { git: new CliGitRepository(s.repoDir) });
      const analysis = analyzeHeuristically(pack);
      const predicted = culpritOf(analysis);
      const cited = new Set(citedEvidenceIds(analysis));
      const recall = s.expected.evidence.filter((id) => cited.has(id)).length / s.expected.evidence.length;
      const row: Row = {
        name: s.name,
        culpritOk: predicted === s.expected.culprit,
        categoryOk: analysis.category === s.expected.category,
        recall,
        confidence: analysis.confidence,
        detail: `expected ${s.expected.culprit?.slice(0, 10) ?? 'none'}/${s.expected.category}, got ${predicted?.slice(0, 10) ?? 'none'}/${analysis.category}; suspects ${analysis.suspectCommits.map((c) => `${c.sha.slice(0, 8)}:${c.score}`).join(' ')}`,
      };
      rows.push(row);
      const mark = row.culpritOk && row.categoryOk ? 'ok  ' : 'MISS';
      console.log(`${mark} ${s.name.padEnd(32)} conf ${row.confidence.toFixed(2)} recall ${recall.toFixed(2)}${verbose || mark === 'MISS' ? `  ${row.detail}` : ''}`);
      if (verbose && recall < 1) console.log(`     missing evidence: ${s.expected.evidence.filter((id) => !cited.has(id)).join(', ')}`);
      if (verbose && pack.notes.length) console.log(`     notes: ${pack.notes.join(' | ')}`);
    }
  } finally {
    for (const s of scenarios) s.dispose();
  }
  const n = rows.length;
  const mean = (f: (r: Row) => number) => (n ? rows.reduce((sum, r) => sum + f(r), 0) / n : 0);
  const result = {
    scenarios: n,
    top1_culprit_accuracy: round(mean((r) => (r.culpritOk ? 1 : 0))),
    category_accuracy: round(mean((r) => (r.categoryOk ? 1 : 0))),
    evidence_recall: round(mean((r) => r.recall)),
    ece: round(expectedCalibrationError(rows.map((r) => ({ confidence: r.confidence, correct: r.culpritOk && r.categoryOk })))),
    mean_confidence: round(mean((r) => r.confidence)),
    runtime_ms: Date.now() - started,
  };
  console.log(JSON.stringify(result));
}

const round = (x: number) => Math.round(x * 1000) / 1000;

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
