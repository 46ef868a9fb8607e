import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { crashLineIdentifiers, findConfigReads, isConfigFile, isManifest, mechanismHits, mentionsKey, parseUnifiedDiff, touchedLines } from './code-hints';

void describe('code hints', () => {
  void it('finds the configuration a piece of code reads, in several languages', () => {
    const source = [
      'const max = Number(process.env.DB_POOL_MAX ?? 10);',
      "const url = process.env['REDIS_URL'];",
      'timeout = int(os.environ["WORKER_TIMEOUT"])',
      'region = os.environ.get("AWS_REGION", "eu-west-1")',
      'String key = System.getenv("PAYMENTS_KEY");',
      'addr := os.Getenv("LISTEN_ADDR")',
      "const size = config.get<number>('uploads.chunkSizeBytes');",
      '@Value("${orders.maxBatchSize}") int maxBatchSize;',
    ].join('\n');
    assert.deepEqual(
      findConfigReads(source).map((r) => [r.key, r.line, r.syntax]),
      [
        ['DB_POOL_MAX', 1, 'env'],
        ['REDIS_URL', 2, 'env'],
        ['WORKER_TIMEOUT', 3, 'env'],
        ['AWS_REGION', 4, 'env'],
        ['PAYMENTS_KEY', 5, 'env'],
        ['LISTEN_ADDR', 6, 'env'],
        ['uploads.chunkSizeBytes', 7, 'config'],
        ['orders.maxBatchSize', 8, 'config'],
      ],
    );
  });

  void it('matches keys in configuration lines, exactly or by their last segment', () => {
    assert.equal(mentionsKey('DB_POOL_MAX=2', 'DB_POOL_MAX'), 'exact');
    assert.equal(mentionsKey('  WORKER_TIMEOUT: "30s"', 'WORKER_TIMEOUT'), 'exact');
    assert.equal(mentionsKey('    "chunkSizeBytes": "8MB",', 'uploads.chunkSizeBytes'), 'leaf');
    assert.equal(mentionsKey('  maxBatchSize: 0', 'orders.maxBatchSize'), 'leaf');
    assert.equal(mentionsKey('LOG_LEVEL=debug', 'DB_POOL_MAX'), null);
  });

  void it('classifies manifests and configuration files', () => {
    for (const path of ['package.json', 'web/package-lock.json', 'go.mod', 'requirements-dev.txt', 'build.gradle.kts', 'pom.xml']) assert.ok(isManifest(path), path);
    for (const path of ['deploy/production.env', '.env.production', 'helm/values-production.yaml', 'config/production.json', 'src/main/resources/application.yml', 'app/settings.py']) {
      assert.ok(isConfigFile(path), path);
    }
    for (const path of ['src/routes/orders.ts', 'package.json', 'README.md']) assert.ok(!isConfigFile(path), path);
  });

  void it('parses a patch into hunks with new-side line numbers, ignoring re-indents', () => {
    const patch = [
      'diff --git a/src/a.ts b/src/a.ts',
      'index 1..2 100644',
      '--- a/src/a.ts',
      '+++ b/src/a.ts',
      '@@ -10,4 +10,4 @@ export function f() {',
      ' const a = 1;',
      '-const b = a ?? 2;',
      '+const b = a;',
      '-  return b;',
      '+    return b;',
      ' }',
    ].join('\n');
    const [file] = parseUnifiedDiff(patch);
    assert.equal(file.path, 'src/a.ts');
    assert.deepEqual(touchedLines(file.hunks[0]), [11, 11]);
    assert.equal(file.hunks[0].added[1].whitespaceOnly, true);
  });

  void it('counts changed lines per failure mechanism', () => {
    const patch = ['diff --git a/x.py b/x.py', '--- a/x.py', '+++ b/x.py', '@@ -1,1 +1,3 @@', '+conn = engine.connect()', '+rows = conn.execute(q)', '+# pool is fine'].join('\n');
    assert.deepEqual(mechanismHits(parseUnifiedDiff(patch)), { pool: 1 });
  });

  void it('follows a crashing line back one assignment', () => {
    const lines = ['const PAGE_SIZE = 0;', 'function f(total) {', '  const pageCount = Math.ceil(total / PAGE_SIZE);', '  return new Array(pageCount);', '}'];
    assert.deepEqual(crashLineIdentifiers(lines, 4).sort(), ['PAGE_SIZE', 'pageCount']);
  });
});
