import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '@faultline/config';
import { CliGitRepository, cloneBundle } from '@faultline/git';
import { culpritOf } from '@faultline/analysis';
import { analyzeFolder, llmFromConfig, readManifest } from '@faultline/pipeline';
import { EXIT, UsageError } from '../usage';
import { progressReporter } from '../progress';

export async function runAnalyze(args: string[]): Promise<number> {
  const { values, positionals } = parseOrUsage(args);
  if (positionals.length === 0) throw new UsageError('analyze needs at least one file or folder');
  for (const path of positionals) if (!existsSync(path)) throw new UsageError(`no such file or folder: ${path}`);
  const llmMode = values.llm ?? 'auto';
  if (llmMode !== 'auto' && llmMode !== 'off') throw new UsageError('--llm is auto or off');
  const maxAnalyses = Number(values['max-analyses'] ?? '10');
  if (!Number.isInteger(maxAnalyses) || maxAnalyses < 0) throw new UsageError('--max-analyses is a whole number');

  // A single incident folder may describe itself (faultline.json); flags win over it.
  const manifest = positionals.length === 1 && statSync(positionals[0]).isDirectory() ? readManifest(positionals[0]) : null;
  const paths = manifest?.crashes ?? positionals;
  const sourcemaps = values.sourcemaps ?? manifest?.sourcemaps;
  const mappings = values.mappings ?? manifest?.mappings;
  const repoArg = values.repo ?? manifest?.repo;
  const deploysFile = values.deploys ?? manifest?.deploys;
  const project = values.project ?? manifest?.project ?? basename(resolve(positionals[0])).replace(/\.[^.]+$/, '');
  for (const [flag, path] of [['--sourcemaps', sourcemaps], ['--mappings', mappings], ['--repo', repoArg], ['--deploys', deploysFile]] as const) {
    if (path !== undefined && !existsSync(path)) throw new UsageError(`${flag}: no such file or folder: ${path}`);
  }

  const config = loadConfig();
  const scratch = mkdtempSync(`${tmpdir()}/faultline-analyze-`);
  try {
    const repoDir = repoArg ? (repoArg.endsWith('.bundle') ? await cloneBundle(repoArg, `${scratch}/repo`) : repoArg) : null;
    const llm = llmMode === 'auto' ? llmFromConfig(config.llm) : null;
    const outDir = resolve(values.out ?? 'faultline-report');
    const progress = progressReporter(process.stderr);
    const result = await analyzeFolder({
      paths,
      project,
      outDir,
      dataDir: values.data ? resolve(values.data) : `${scratch}/chdb`,
      sourcemaps,
      mappings,
      deploysFile,
      exclude: [sourcemaps, mappings, repoArg, manifest ? resolve(manifest.folder, '.git') : undefined].filter((p): p is string => p !== undefined),
      git: repoDir ? new CliGitRepository(repoDir) : null,
      llm,
      maxAnalyses,
      onProgress: progress.update,
    });
    progress.done();

    const summary = summarize(result, outDir);
    if (values.json) {
      process.stdout.write(JSON.stringify(result.document, null, 2) + '\n');
      process.stderr.write(summary);
    } else process.stdout.write(summary);
    return result.events > 0 ? EXIT.ok : EXIT.failure;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function summarize(result: Awaited<ReturnType<typeof analyzeFolder>>, outDir: string): string {
  const lines = [`Analyzed ${result.events} event(s) from ${result.files} file(s): ${result.insights.length} cluster(s), ${result.document.rejected.length} rejected.`];
  for (const insight of result.insights.slice(0, 10)) {
    const analysis = result.analyses.get(insight.summary.clusterId)?.analysis;
    const culprit = analysis && culpritOf(analysis) ? analysis.suspectCommits[0] : undefined;
    lines.push(
      `  ${insight.priority.tier.padEnd(8)} ${String(insight.summary.events).padStart(6)} events  ${insight.title.slice(0, 70)}` +
        (culprit ? `\n           suspect commit ${culprit.sha.slice(0, 10)} ${culprit.summary.slice(0, 60)}` : ''),
    );
  }
  if (result.insights.length > 10) lines.push(`  … ${result.insights.length - 10} more`);
  lines.push(`Report: ${outDir}/report.md  (clusters.json, events.ndjson beside it)`);
  return lines.join('\n') + '\n';
}

function parseOrUsage(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        sourcemaps: { type: 'string' },
        mappings: { type: 'string' },
        repo: { type: 'string' },
        deploys: { type: 'string' },
        out: { type: 'string' },
        llm: { type: 'string' },
        json: { type: 'boolean' },
        data: { type: 'string' },
        project: { type: 'string' },
        'max-analyses': { type: 'string' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
