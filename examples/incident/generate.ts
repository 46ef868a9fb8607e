/**
 * Generates the sample incident in this folder: a git repository with a culprit commit
 * (`repo.bundle`), the web bundle with its source map, an R8 mapping, deploy markers, and crash
 * exports in mixed formats (a browser console dump, a backend log, Android Sentry JSON, and a
 * broken upload). Deterministic: running it again gives the same files.
 *
 *   node dist/examples/incident/generate.js [outDir]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { runInNewContext } from 'node:vm';
import { buildSync } from 'esbuild';
import { proguardUuid } from '@faultline/symbolication';
import { mulberry32 } from '@faultline/testing';
import * as src from './app-source';

const OUT = resolve(process.argv[2] ?? join(__dirname, '..', '..', '..', 'examples', 'incident'));
const CDN = 'https://shop.example.com';
const DEPLOY_1 = '2026-11-19T16:00:00.000Z';
const DEPLOY_2 = '2026-11-20T10:00:00.000Z';
const WINDOW_START = Date.parse('2026-11-20T08:00:00.000Z');
const WINDOW_END = Date.parse('2026-11-20T12:00:00.000Z');

const rand = mulberry32(20261120);
const pick = <T>(items: T[]): T => items[Math.floor(rand() * items.length)];
const iso = (ms: number) => new Date(ms).toISOString();

// ---------------------------------------------------------------- the repository
function git(repo: string, args: string[], date?: string): string {
  const env = { ...process.env, GIT_AUTHOR_NAME: 'Shop Dev', GIT_AUTHOR_EMAIL: 'dev@shop.example', GIT_COMMITTER_NAME: 'Shop Dev', GIT_COMMITTER_EMAIL: 'dev@shop.example' };
  if (date) Object.assign(env, { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date });
  return execFileSync('git', ['-C', repo, '-c', 'commit.gpgsign=false', '-c', 'tag.gpgsign=false', ...args], { env, encoding: 'utf8' }).trim();
}

function commit(repo: string, files: Record<string, string>, message: string, date: string, author?: { name: string; email: string }): string {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(repo, path)), { recursive: true });
    writeFileSync(join(repo, path), content);
  }
  git(repo, ['add', '-A']);
  const who = author ? ['-c', `user.name=${author.name}`, '-c', `user.email=${author.email}`] : [];
  const env = author ? ['--author', `${author.name} <${author.email}>`] : [];
  git(repo, [...who, 'commit', '-q', ...env, '-m', message], date);
  return git(repo, ['rev-parse', 'HEAD']);
}

function buildRepository(repo: string): { v1: string; v2: string; culprit: string } {
  git(repo, ['init', '-q', '-b', 'main']);
  commit(repo, { 'package.json': src.PACKAGE_JSON_V1, 'README.md': src.README_V1, 'src/config.js': src.CONFIG_JS }, 'Initial shop skeleton', '2026-11-02T09:00:00Z');
  commit(repo, { 'src/cart/pricing.js': src.PRICING_V1, 'src/web/checkout.js': src.CHECKOUT_V1, 'src/web/main.js': src.WEB_MAIN_JS }, 'Cart pricing and checkout summary', '2026-11-05T11:20:00Z');
  commit(repo, { 'src/api/server.js': src.SERVER_JS, 'src/db/pool.js': src.POOL_JS }, 'Quote API backed by the carts table', '2026-11-12T15:45:00Z');
  const v1 = git(repo, ['rev-parse', 'HEAD']);
  git(repo, ['tag', '-a', 'v2.3.0', '-m', 'Release 2.3.0'], DEPLOY_1);
  commit(repo, { 'README.md': src.README_V2 }, 'Document the pricing module', '2026-11-19T17:10:00Z');
  const culprit = commit(repo, { 'src/cart/pricing.js': src.PRICING_V2 }, 'Apply loyalty discount to cart totals', '2026-11-19T18:32:00Z', { name: 'Dana Reyes', email: 'dana@shop.example' });
  commit(repo, { 'src/web/checkout.js': src.CHECKOUT_V2 }, 'Reword the checkout total label', '2026-11-20T08:05:00Z');
  commit(repo, { 'package.json': src.PACKAGE_JSON_V2 }, 'Bump eslint to 9.17 and version to 2.4.0', '2026-11-20T09:40:00Z');
  const v2 = git(repo, ['rev-parse', 'HEAD']);
  git(repo, ['tag', '-a', 'v2.4.0', '-m', 'Release 2.4.0'], DEPLOY_2);
  return { v1, v2, culprit };
}

// ---------------------------------------------------------------- the web bundle
interface JsFrame {
  fn: string;
  line: number;
  column: number;
}

function buildBundle(repo: string, outDir: string): { file: string; frames: JsFrame[]; message: string } {
  // Built inside the repository, so the map's sources are repository paths (../../../src/…).
  const dir = join(repo, 'build', 'static', 'js');
  buildSync({
    entryPoints: { main: join(repo, 'src/web/main.js') },
    bundle: true,
    minify: true,
    sourcemap: 'external',
    sourcesContent: true,
    sourceRoot: '',
    format: 'iife',
    globalName: 'shop',
    platform: 'browser',
    define: { 'process.env.SHOP_CURRENCY': 'undefined' },
    entryNames: '[name].[hash]',
    outdir: dir,
    absWorkingDir: repo,
    logLevel: 'silent',
  });
  const file = readdirSync(dir).find((f) => f.endsWith('.js'))!;
  const code = readFileSync(join(dir, file), 'utf8');
  const published = join(outDir, 'sourcemaps', 'static', 'js');
  rmSync(join(outDir, 'sourcemaps'), { recursive: true, force: true });
  mkdirSync(published, { recursive: true });
  for (const name of [file, `${file}.map`]) writeFileSync(join(published, name), readFileSync(join(dir, name)));
  // Run the real bundle as a browser would, as a guest (no loyalty record), and keep its stack.
  const url = `${CDN}/static/js/${file}`;
  const sandbox: { shop?: { bindCheckoutButton: (store: unknown) => () => unknown } } = {};
  runInNewContext(code, sandbox, { filename: url });
  const click = sandbox.shop!.bindCheckoutButton({ getState: () => ({ cart: { items: [{ unitPrice: 1999, quantity: 2 }] }, customer: { id: 'guest' } }) });
  try {
    click();
  } catch (error) {
    const stack = String((error as Error).stack);
    // Only the bundle's own frames: below them is this generator calling into the sandbox.
    const frames = [...stack.matchAll(/at (?:(\S+) \()?(\S+?):(\d+):(\d+)\)?$/gm)]
      .filter((m) => m[2] === url)
      .map((m) => ({ fn: m[1] ?? '', line: Number(m[3]), column: Number(m[4]) }));
    return { file, frames, message: (error as Error).message };
  }
  throw new Error('the bundle did not crash');
}

// ---------------------------------------------------------------- crash exports
function webConsoleDump(bundle: { file: string; frames: JsFrame[]; message: string }): string {
  const url = `${CDN}/static/js/${bundle.file}`;
  const prop = /reading '(\w+)'/.exec(bundle.message)?.[1] ?? 'tier';
  const noise = [
    'Download the React DevTools for a better development experience: https://reactjs.org/link/react-devtools',
    '[Violation] \'click\' handler took 212ms',
    `GET ${CDN}/api/cart 200 (OK)`,
    'Analytics: page_view /checkout',
    'Service worker registered with scope: https://shop.example.com/',
  ];
  const lines: string[] = ['# Console export from the support dashboard (mixed browsers, copied by hand)', ''];
  let t = Date.parse(DEPLOY_2) + 90_000;
  let user = 0;
  while (t < WINDOW_END) {
    const browser = rand();
    const stamp = iso(t);
    if (rand() < 0.3) lines.push(`${stamp} ${pick(noise)}`);
    const guest = `guest-${1000 + (user++ % 140)}`;
    if (browser < 0.6) {
      lines.push(`${stamp} [chrome 131 / ${guest}] Uncaught TypeError: ${bundle.message}`);
      for (const f of bundle.frames) lines.push(`    at ${f.fn ? `${f.fn} (${url}:${f.line}:${f.column})` : `${url}:${f.line}:${f.column}`}`);
    } else if (browser < 0.85) {
      lines.push(`${stamp} [firefox 133 / ${guest}] TypeError: can't access property "${prop}", e.loyalty is undefined`);
      for (const f of bundle.frames) lines.push(`${f.fn}@${url}:${f.line}:${f.column}`);
    } else {
      lines.push(`${stamp} [safari 18 / ${guest}] TypeError: undefined is not an object (evaluating 'e.loyalty.${prop}')`);
      for (const f of bundle.frames) lines.push(`${f.fn}@${url}:${f.line}:${f.column}`);
    }
    lines.push('');
    t += 20_000 + Math.floor(rand() * 40_000);
  }
  return lines.join('\n') + '\n';
}

function backendLog(): string {
  const lines: string[] = [];
  let t = WINDOW_START;
  let request = 5000;
  while (t < WINDOW_END) {
    const stamp = iso(t);
    const release = t < Date.parse(DEPLOY_2) ? '2.3.0' : '2.4.0';
    const r = rand();
    if (t >= Date.parse(DEPLOY_2) + 60_000 && r < 0.22) {
      lines.push(`${stamp} ERROR [quote-api] release=${release} request=${request} Quote failed for cart ${Math.floor(rand() * 90000) + 10000}`);
      lines.push("TypeError: Cannot read properties of undefined (reading 'tier')");
      lines.push('    at applyLoyaltyDiscount (/app/src/cart/pricing.js:19:55)');
      lines.push('    at cartTotal (/app/src/cart/pricing.js:25:10)');
      lines.push('    at handleQuote (/app/src/api/server.js:16:19)');
      lines.push('    at async /app/node_modules/express/lib/router/layer.js:95:5');
    } else if (r < 0.3) {
      lines.push(`${stamp} ERROR [quote-api] release=${release} request=${request} Could not load cart`);
      lines.push('TimeoutError: ResourceRequest timed out');
      lines.push('    at Timeout._onTimeout (/app/node_modules/generic-pool/lib/ResourceRequest.js:62:17)');
      lines.push('    at listOnTimeout (node:internal/timers:581:17)');
      lines.push('    at async acquire (/app/src/db/pool.js:7:10)');
      lines.push('    at async loadCart (/app/src/api/server.js:6:22)');
    } else if (r < 0.45) {
      lines.push(`${stamp} WARN  [quote-api] release=${release} Slow query (${1000 + Math.floor(rand() * 3000)} ms): SELECT * FROM carts WHERE id = $1`);
    } else {
      lines.push(`${stamp} INFO  [http] release=${release} GET /api/quote/${request} 200 ${5 + Math.floor(rand() * 40)}ms`);
    }
    request += 1;
    t += 15_000 + Math.floor(rand() * 50_000);
  }
  return lines.join('\n') + '\n';
}

const MAPPING = `# compiler: R8
# compiler_version: 8.5.35
# min_api: 24
# pg_map_id: 9c41e2a
# common_typos_disable
# {"id":"com.android.tools.r8.mapping","version":"2.2"}
com.shop.checkout.CheckoutViewModel -> a.b.c:
# {"id":"sourceFile","fileName":"CheckoutViewModel.kt"}
    com.shop.checkout.PaymentRepository repository -> a
    1:4:void <init>(com.shop.checkout.PaymentRepository):14:17 -> <init>
    5:5:java.lang.String selectedCardToken():52:52 -> b
    5:5:void onPayClicked():44 -> a
    6:9:void onPayClicked():45:48 -> a
com.shop.checkout.CheckoutFragment -> a.b.d:
# {"id":"sourceFile","fileName":"CheckoutFragment.kt"}
    1:3:void onClick(android.view.View):88:90 -> onClick
`;

function androidEvents(uuid: string): unknown[] {
  const events: unknown[] = [];
  let t = WINDOW_START + 300_000;
  let n = 0;
  while (t < WINDOW_END) {
    n += 1;
    events.push({
      event_id: (0xa0000000 + n).toString(16).padStart(8, '0') + '4e1b4c2d8f7a6b5c4d3e2f1a',
      timestamp: iso(t),
      platform: 'java',
      level: 'fatal',
      release: 'com.shop.android@5.2.0+520',
      environment: 'production',
      user: { id: `android-${2000 + (n % 37)}` },
      tags: { device: pick(['Pixel 8', 'Galaxy S23', 'Pixel 6a']) },
      contexts: { os: { name: 'Android', version: pick(['14', '15']) }, device: { model: pick(['Pixel 8', 'SM-S911B']) }, app: { app_version: '5.2.0' } },
      exception: {
        values: [
          {
            type: 'NullPointerException',
            module: 'java.lang',
            value: "Attempt to invoke virtual method 'java.lang.String com.shop.checkout.Card.getToken()' on a null object reference",
            mechanism: { type: 'UncaughtExceptionHandler', handled: false },
            stacktrace: {
              frames: [
                { module: 'android.view.View', function: 'performClick', filename: 'View.java', lineno: 7659, in_app: false },
                { module: 'a.b.d', function: 'onClick', filename: 'SourceFile', lineno: 2, in_app: true },
                { module: 'a.b.c', function: 'a', filename: 'SourceFile', lineno: 5, in_app: true },
              ],
            },
          },
        ],
      },
      debug_meta: { images: [{ type: 'proguard', uuid }] },
      sdk: { name: 'sentry.java.android', version: '7.18.0' },
    });
    t += 240_000 + Math.floor(rand() * 480_000);
  }
  return events;
}

// ---------------------------------------------------------------- write it all
function main(): void {
  // A fixed path: the bundle's content hash must not depend on where the repository was built.
  const work = join(tmpdir(), 'faultline-example-build');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work);
  try {
    const repo = join(work, 'shop');
    mkdirSync(repo);
    const shas = buildRepository(repo);
    rmSync(join(OUT, 'repo.bundle'), { force: true });
    git(repo, ['bundle', 'create', '-q', join(OUT, 'repo.bundle'), '--all']);
    const bundle = buildBundle(repo, OUT);

    mkdirSync(join(OUT, 'crashes'), { recursive: true });
    mkdirSync(join(OUT, 'mappings'), { recursive: true });
    writeFileSync(join(OUT, 'mappings', 'mapping.txt'), MAPPING);
    const uuid = proguardUuid(Buffer.from(MAPPING));
    writeFileSync(join(OUT, 'crashes', 'web-console.txt'), webConsoleDump(bundle));
    writeFileSync(join(OUT, 'crashes', 'backend.log'), backendLog());
    writeFileSync(join(OUT, 'crashes', 'android-sentry.json'), JSON.stringify(androidEvents(uuid), null, 1) + '\n');
    // A half-written upload: the run must report it (file, line, reason) and carry on.
    writeFileSync(join(OUT, 'crashes', 'broken-upload.json'), '[{"event_id": "deadbeefdeadbeefdeadbeefdeadbeef", "exception": {"values": [{"type": "Error", "val');
    const deploys = [
      { release: '2.3.0', environment: 'production', commitSha: shas.v1, deployedAt: DEPLOY_1 },
      { release: '2.4.0', environment: 'production', commitSha: shas.v2, previousSha: shas.v1, deployedAt: DEPLOY_2 },
    ];
    writeFileSync(join(OUT, 'deploys.json'), JSON.stringify(deploys, null, 2) + '\n');
    writeFileSync(
      join(OUT, 'faultline.json'),
      JSON.stringify({ project: 'shop', crashes: ['crashes'], sourcemaps: 'sourcemaps', mappings: 'mappings', deploys: 'deploys.json', repo: 'repo.bundle' }, null, 2) + '\n',
    );
    process.stdout.write(`sample incident written to ${OUT} (culprit ${shas.culprit.slice(0, 12)})\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main();
