// Compiles the whole workspace with SWC into dist/ (decorator metadata for NestJS,
// tsconfig path aliases rewritten to relative requires) and copies runtime assets.
// Type checking is separate: `npm run typecheck`.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// `--out DIR` builds elsewhere than dist/, so parallel work does not clobber one tree.
const outArg = process.argv.indexOf('--out');
const outDir = outArg > 0 ? process.argv[outArg + 1] : 'dist';
const sourceDirs = ['apps', 'libs', 'tests', 'bench', 'examples'].filter((d) => existsSync(join(root, d)));
const assetPattern = /\.(sql|json|txt|log|map|js|ndjson|md)$/;

const { compilerOptions } = JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8'));
const swcrc = {
  $schema: 'https://swc.rs/schema.json',
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2023',
    keepClassNames: true,
    baseUrl: root,
    paths: compilerOptions.paths,
  },
  module: { type: 'commonjs' },
  sourceMaps: true,
};
mkdirSync(join(root, '.cache'), { recursive: true });
const swcrcPath = join(root, '.cache', `swcrc-${outDir.replace(/\W/g, '_')}.json`);
writeFileSync(swcrcPath, JSON.stringify(swcrc, null, 2));

rmSync(join(root, outDir), { recursive: true, force: true });
const swc = join(root, 'node_modules', '.bin', 'swc');
const result = spawnSync(swc, [...sourceDirs, '-d', outDir, '--config-file', swcrcPath, '--ignore', '**/fixtures/**', '--ignore', '**/*.d.ts'], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (result.status !== 0) process.exit(result.status ?? 1);

// Non-TypeScript files that code reads at run time (migrations, fixtures, dashboards) sit beside the compiled code.
function copyAssets(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules') continue;
    if (statSync(path).isDirectory()) copyAssets(path);
    else if (assetPattern.test(name) || path.includes(`${'/'}fixtures${'/'}`)) {
      cpSync(path, join(root, outDir, relative(root, path)));
    }
  }
}
for (const dir of sourceDirs) copyAssets(join(root, dir));
