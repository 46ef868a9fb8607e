// Root-cause scenarios with known answers, each in a real temporary git repository: a service's
// history with dated commits, release tags and deploy markers, a culprit commit (or none), crash
// events whose frames point at the real lines of the deployed code, and an error-rate timeline.
// The generator knows the answer; the analyzers only see the evidence.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { EvidenceInput, RcaCategory, TimelinePoint } from '@faultline/analysis';
import type { CrashEvent, Deploy, Frame } from '@faultline/schema';
import { mulberry32 } from '@faultline/testing';

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

export class Rng {
  private readonly random: () => number;
  constructor(seed: number) {
    this.random = mulberry32(seed);
  }
  next(): number {
    return this.random();
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * this.gauss()));
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = 1;
    do {
      k++;
      p *= this.next();
    } while (p > limit);
    return k - 1;
  }
  private gauss(): number {
    return Math.sqrt(-2 * Math.log(this.next() || 1e-9)) * Math.cos(2 * Math.PI * this.next());
  }
}

// ---------------------------------------------------------------------------------------------
// A scratch repository with dated commits

export class TempRepo {
  readonly dir: string;
  private readonly files = new Map<string, string>();
  private readonly labels = new Map<string, string>();

  constructor(name: string) {
    this.dir = mkdtempSync(join(tmpdir(), `faultline-rca-${name}-`));
    this.git(['init', '-q', '-b', 'main']);
  }

  private git(args: string[], at?: Date, author = 'Dana Ortiz'): string {
    const date = at ? at.toISOString() : '';
    return execFileSync(
      'git',
      ['-c', 'commit.gpgsign=false', '-c', 'tag.gpgsign=false', '-c', 'core.hooksPath=/dev/null', '-c', `user.name=${author}`, '-c', `user.email=${author.toLowerCase().replace(/\W+/g, '.')}@example.com`, ...args],
      { cwd: this.dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date, GIT_CONFIG_NOSYSTEM: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    ).trim();
  }

  write(path: string, content: string): void {
    this.files.set(path, content);
    mkdirSync(dirname(join(this.dir, path)), { recursive: true });
    writeFileSync(join(this.dir, path), content);
  }

  read(path: string): string {
    const content = this.files.get(path);
    if (content === undefined) throw new Error(`no file ${path}`);
    return content;
  }

  /** Replaces an exact snippet; a snippet that is absent is a bug in the scenario. */
  replace(path: string, from: string, to: string): void {
    const content = this.read(path);
    if (!content.includes(from)) throw new Error(`${path}: snippet not found: ${from}`);
    this.write(path, content.replace(from, to));
  }

  commit(label: string, message: string, at: Date, author?: string): string {
    this.git(['add', '-A']);
    this.git(['commit', '-q', '--allow-empty', '-m', message], at, author);
    const sha = this.git(['rev-parse', 'HEAD']);
    this.labels.set(label, sha);
    return sha;
  }

  tag(name: string, at: Date): void {
    this.git(['tag', '-a', name, '-m', `Release ${name}`], at);
  }

  sha(label: string): string {
    const sha = this.labels.get(label);
    if (!sha) throw new Error(`no commit labelled ${label}`);
    return sha;
  }

  head(): string {
    return this.git(['rev-parse', 'HEAD']);
  }

  /** 1-based line of the only line containing `needle`. */
  lineOf(path: string, needle: string): number {
    const lines = this.read(path).split('\n');
    const hits = lines.flatMap((l, i) => (l.includes(needle) ? [i + 1] : []));
    if (hits.length !== 1) throw new Error(`${path}: "${needle}" found ${hits.length} times`);
    return hits[0];
  }

  lineText(path: string, line: number): string {
    return this.read(path).split('\n')[line - 1] ?? '';
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Scenario description

type Platform = 'node' | 'python' | 'java' | 'go';

interface FrameSpec {
  fn: string;
  /** A repository path (in-app) or a runtime path of third-party code. */
  path: string;
  /** Needle locating the frame's line in the deployed file; third-party frames give `line`. */
  at?: string;
  line?: number;
  inApp?: boolean;
  module?: string;
}

type Shape =
  | { kind: 'step'; base: number; level: number }
  | { kind: 'ramp'; base: number; perMinute: number; cap?: number }
  | { kind: 'periodic'; base: number; level: number; every: number; width: number }
  | { kind: 'burst'; base: number; level: number; minutes: number };

type Step =
  | { kind: 'commit'; label: string; message: string; hours: number; author?: string; edit: (repo: TempRepo) => void }
  | { kind: 'deploy'; release: string; hours: number }
  | { kind: 'noise'; count: number; fromHours: number; toHours: number };

interface Plan {
  name: string;
  description: string;
  platform: Platform;
  files: Record<string, string>;
  steps: Step[];
  crash: {
    errorType: string;
    canonicalKind: string;
    message: (i: number) => string;
    messageTemplate: string;
    /** Oldest call first, crash site last. */
    frames: FrameSpec[];
    chain?: Array<{ type: string; value: string }>;
  };
  shape: Shape;
  /** Minutes of timeline after onset. */
  after?: number;
  expected: {
    culprit: string | null;
    category: RcaCategory;
    /** Which crash line's blame should be cited: origin or caller frame (index into frames). */
    blameFrame?: number;
    envKey?: string;
  };
}

export interface BuiltScenario {
  name: string;
  description: string;
  repoDir: string;
  input: EvidenceInput;
  expected: { culprit: string | null; category: RcaCategory; evidence: string[] };
  dispose(): void;
}

// ---------------------------------------------------------------------------------------------
// Building a scenario: repository, deploys, events, timeline

const PREFIX: Record<Platform, (path: string) => string> = {
  node: (p) => `webpack://shop-api/./${p}`,
  python: (p) => `/usr/src/app/${p}`,
  java: (p) => p.slice(p.lastIndexOf('/') + 1),
  go: (p) => `/home/runner/work/sessions/sessions/${p}`,
};
const AUTHORS = ['Dana Ortiz', 'Sam Keller', 'Priya Raman', 'Jonas Weber', 'Mei Chen', 'Luis Alvarez'];

function noiseCommits(repo: TempRepo, rng: Rng, platform: Platform, count: number, from: Date, to: Date): void {
  const ext = { node: 'ts', python: 'py', java: 'java', go: 'go' }[platform];
  const modules = ['admin', 'reporting', 'notifications', 'search', 'profile', 'audit'];
  for (let i = 0; i < count; i++) {
    const at = new Date(from.getTime() + ((to.getTime() - from.getTime()) * (i + 1)) / (count + 1));
    const kind = rng.int(0, 3);
    const module = rng.pick(modules);
    const n = rng.int(1, 999);
    if (kind === 0) {
      repo.write('README.md', `${safeRead(repo, 'README.md')}\n- ${module}: documented option ${n}\n`);
      repo.commit(`noise-${at.getTime()}`, `docs: describe ${module} option ${n}`, at, rng.pick(AUTHORS));
    } else if (kind === 1) {
      const path = platform === 'java' ? `src/test/java/com/acme/${module}/${cap(module)}Test${n}.java` : platform === 'python' ? `tests/test_${module}_${n}.py` : platform === 'go' ? `internal/${module}/${module}_${n}_test.go` : `test/${module}.${n}.spec.ts`;
      repo.write(path, `// covers ${module} case ${n}\n`);
      repo.commit(`noise-${at.getTime()}`, `test: cover ${module} edge case ${n}`, at, rng.pick(AUTHORS));
    } else if (kind === 2) {
      const path = platform === 'java' ? `src/main/java/com/acme/${module}/${cap(module)}Formatter.java` : platform === 'python' ? `app/${module}/formatting.py` : platform === 'go' ? `internal/${module}/format.go` : `src/${module}/format.${ext}`;
      repo.write(path, `${safeRead(repo, path)}// ${module} label ${n}: ${rng.pick(['title case', 'trim whitespace', 'localize dates', 'shorten ids'])}\n`);
      repo.commit(`noise-${at.getTime()}`, `${module}: ${rng.pick(['tidy labels', 'rename helper', 'localize output', 'simplify formatting'])}`, at, rng.pick(AUTHORS));
    } else {
      repo.write('.github/workflows/ci.yml', `name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    timeout-minutes: ${10 + n % 20}\n`);
      repo.commit(`noise-${at.getTime()}`, `ci: adjust job timeout`, at, rng.pick(AUTHORS));
    }
  }
}

function safeRead(repo: TempRepo, path: string): string {
  try {
    return repo.read(path);
  } catch {
    return '';
  }
}
const cap = (s: string) => s[0].toUpperCase() + s.slice(1);

function build(plan: Plan, index: number, rng: Rng): BuiltScenario {
  const onset = new Date(Date.UTC(2025, 2, 3 + index, 9 + (index % 9), (index * 7) % 60));
  const at = (hours: number) => new Date(onset.getTime() + hours * 3_600_000);
  const repo = new TempRepo(plan.name);
  try {
    for (const [path, content] of Object.entries(plan.files)) repo.write(path, content);
    repo.commit('initial', 'Initial import', at(-24 * 40));
    const deploys: Deploy[] = [];
    const ship = (release: string, when: Date) => {
      repo.tag(release, when);
      const sha = repo.head();
      deploys.push({ project: plan.name, release, environment: 'production', commitSha: sha, previousSha: deploys.at(-1)?.commitSha ?? null, deployedAt: when.toISOString(), changedFiles: [] });
    };
    ship('v1.0.0', at(-24 * 39));
    for (const step of plan.steps) {
      if (step.kind === 'commit') {
        step.edit(repo);
        repo.commit(step.label, step.message, at(step.hours), step.author ?? rng.pick(AUTHORS));
      } else if (step.kind === 'deploy') ship(step.release, at(step.hours));
      else noiseCommits(repo, rng, plan.platform, step.count, at(step.fromHours), at(step.toHours));
    }

    // Frames point at the deployed code, which is the tree of the last deploy.
    const frames = (variant: number): Frame[] =>
      plan.crash.frames.map((f) => {
        const inApp = f.inApp ?? true;
        const line = inApp && f.at ? repo.lineOf(f.path, f.at) : (f.line ?? null);
        return {
          function: f.fn,
          module: f.module ?? null,
          file: inApp ? PREFIX[plan.platform](f.path) : f.path,
          line: line === null ? null : line,
          column: plan.platform === 'node' && line !== null ? 9 + ((variant * 3) % 11) : null,
          inApp,
          contextLine: inApp && line !== null ? repo.lineText(f.path, line) : null,
        };
      });

    // Timeline: per-minute counts around onset.
    const lastDeploy = deploys.at(-1)!;
    const sinceDeploy = (onset.getTime() - Date.parse(lastDeploy.deployedAt)) / 60_000;
    const before = Math.min(240, Math.max(90, Math.min(sinceDeploy + 30, 240)));
    const after = plan.after ?? 120;
    const timeline: TimelinePoint[] = [];
    for (let m = -before; m <= after; m++) {
      timeline.push({ at: new Date(onset.getTime() + m * 60_000).toISOString(), count: rng.poisson(rate(plan.shape, m)) });
    }
    const releaseAt = (t: number) => [...deploys].reverse().find((d) => Date.parse(d.deployedAt) <= t)?.release ?? 'v1.0.0';

    // Representative events: from the busiest minutes after onset.
    const busiest = timeline
      .map((p, i) => ({ p, i }))
      .filter(({ p }) => Date.parse(p.at) >= onset.getTime() && p.count > 0)
      .sort((a, b) => b.p.count - a.p.count || a.i - b.i)
      .slice(0, 4)
      .sort((a, b) => a.i - b.i);
    const regions = ['eu-west-1', 'us-east-1', 'ap-southeast-2'];
    const events: CrashEvent[] = busiest.map(({ p }, i) => {
      const timestamp = new Date(Date.parse(p.at) + rng.int(0, 59_000)).toISOString();
      const message = plan.crash.message(i);
      const fr = frames(i);
      const exceptions = [
        ...(plan.crash.chain ?? []).map((c) => ({ type: c.type, value: c.value, frames: [] as Frame[] })),
        { type: plan.crash.errorType, value: message, frames: fr },
      ];
      return {
        id: `${plan.name}-${i + 1}`,
        project: plan.name,
        timestamp,
        receivedAt: timestamp,
        platform: plan.platform === 'node' ? 'node' : plan.platform,
        release: releaseAt(Date.parse(timestamp)),
        environment: 'production',
        severity: 'error',
        errorType: plan.crash.errorType,
        message,
        messageTemplate: plan.crash.messageTemplate,
        canonicalKind: plan.crash.canonicalKind,
        exceptions,
        userId: `u-${rng.int(1000, 9999)}`,
        tags: { region: regions[i % 3], server_name: `${plan.name}-${rng.int(1, 6)}` },
        region: regions[i % 3],
        transaction: null,
        serverName: null,
        contexts: { os: 'Linux', device: null, browser: null, runtime: plan.platform },
        debugImages: [],
        source: { kind: 'sentry', name: plan.name, line: null },
        fingerprint: `fp-${plan.name}`,
        fingerprintParts: [],
        raw: '{}',
      };
    });

    const nonZero = timeline.filter((p) => p.count > 0);
    const count = timeline.reduce((s, p) => s + p.count, 0);
    const releases = new Map<string, { release: string; firstSeen: string; lastSeen: string; count: number }>();
    for (const p of nonZero) {
      const r = releaseAt(Date.parse(p.at));
      const entry = releases.get(r) ?? { release: r, firstSeen: p.at, lastSeen: p.at, count: 0 };
      entry.lastSeen = p.at;
      entry.count += p.count;
      releases.set(r, entry);
    }
    const first = plan.crash.frames.filter((f) => f.inApp !== false).at(-1);
    const input: EvidenceInput = {
      cluster: {
        clusterId: `cl-${plan.name}`,
        project: plan.name,
        title: `${plan.crash.errorType}: ${plan.crash.messageTemplate}`.slice(0, 200),
        errorType: plan.crash.errorType,
        canonicalKind: plan.crash.canonicalKind,
        messageTemplate: plan.crash.messageTemplate,
        count,
        users: Math.max(1, Math.round(count * 0.55)),
        firstSeen: nonZero[0]?.at ?? onset.toISOString(),
        lastSeen: nonZero.at(-1)?.at ?? onset.toISOString(),
        timeline,
      },
      releases: [...releases.values()],
      deploys,
      breakdowns: {
        region: regions.map((r, i) => ({ value: r, count: Math.round(count * [0.5, 0.35, 0.15][i]) })),
        os: [{ value: 'Linux', count }],
        users: [{ value: 'free', count: Math.round(count * 0.7) }, { value: 'pro', count: Math.round(count * 0.3) }],
        ...(first ? { transaction: [{ value: first.fn, count }] } : {}),
      },
      events,
      builtAt: new Date(onset.getTime() + after * 60_000).toISOString(),
    };

    const suspectDeploy = [...deploys].reverse().find((d) => Date.parse(d.deployedAt) <= onset.getTime())!;
    const evidence = ['ev:timeline'];
    if (plan.expected.culprit) {
      evidence.push(`ev:commit:${repo.sha(plan.expected.culprit)}`, `ev:deploy:${suspectDeploy.release}@production`);
      if (plan.expected.blameFrame !== undefined) {
        const f = plan.crash.frames[plan.expected.blameFrame];
        evidence.push(`ev:blame:${f.path}#L${repo.lineOf(f.path, f.at!)}`);
      }
      if (plan.expected.envKey) evidence.push(`ev:env:${plan.expected.envKey}`);
    } else if (events[0]) {
      evidence.push(`ev:event:${events[0].id}`);
    }
    return {
      name: plan.name,
      description: plan.description,
      repoDir: repo.dir,
      input,
      expected: { culprit: plan.expected.culprit ? repo.sha(plan.expected.culprit) : null, category: plan.expected.category, evidence },
      dispose: () => repo.dispose(),
    };
  } catch (error) {
    repo.dispose();
    throw error;
  }
}

function rate(shape: Shape, minute: number): number {
  if (minute < 0) return shape.base;
  switch (shape.kind) {
    case 'step':
      return shape.level;
    case 'ramp':
      return Math.min(shape.cap ?? Infinity, shape.base + shape.perMinute * minute);
    case 'periodic':
      return minute % shape.every < shape.width ? shape.level : shape.base;
    case 'burst':
      return minute < shape.minutes ? shape.level : shape.base;
  }
}

// ---------------------------------------------------------------------------------------------
// Service skeletons

const NODE_PACKAGE = (deps: Record<string, string>) =>
  JSON.stringify({ name: 'shop-api', version: '1.0.0', private: true, scripts: { build: 'tsc -p .', start: 'node dist/server.js', test: 'vitest run' }, dependencies: deps, devDependencies: { typescript: '^5.4.5', vitest: '^1.6.0', eslint: '^8.57.0' } }, null, 2) + '\n';
const NODE_DEPS = { express: '^4.19.2', knex: '^3.1.0', pg: '^8.11.5', axios: '^1.6.8', 'date-fns': '^2.30.0', ioredis: '^5.4.1', config: '^3.3.11' };
const NODE_LOCK = (deps: Record<string, string>) =>
  JSON.stringify({ name: 'shop-api', lockfileVersion: 3, packages: Object.fromEntries(Object.entries(deps).map(([n, v]) => [`node_modules/${n}`, { version: v.replace(/^\^/, ''), resolved: `https://registry.npmjs.org/${n}/-/${n.split('/').pop()}-${v.replace(/^\^/, '')}.tgz` }])) }, null, 2) + '\n';

function nodeBase(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'package.json': NODE_PACKAGE(NODE_DEPS),
    'package-lock.json': NODE_LOCK(NODE_DEPS),
    'README.md': '# shop-api\n\nOrders, checkout and catalogue API.\n',
    'tsconfig.json': '{ "compilerOptions": { "strict": true, "outDir": "dist" } }\n',
    'deploy/production.env': 'NODE_ENV=production\nDB_POOL_MAX=20\nDEFAULT_CURRENCY=EUR\nPAYMENTS_TIMEOUT_MS=5000\nLOG_LEVEL=info\n',
    'config/production.json': JSON.stringify({ uploads: { chunkSizeBytes: 8388608, maxParts: 200 }, search: { maxResults: 100 }, cache: { productTtlSeconds: 600 } }, null, 2) + '\n',
    'src/server.ts': `import express from 'express';
import { ordersRouter } from './routes/orders';
import { checkoutRouter } from './routes/checkout';

const app = express();
app.use(express.json({ limit: '1mb' }));
app.use('/orders', ordersRouter);
app.use('/checkout', checkoutRouter);

app.listen(Number(process.env.PORT ?? 3000), () => {
  console.log('shop-api listening');
});
`,
    'src/db/index.ts': `import knex from 'knex';

// One pool per process; the pool size is set per environment.
export const db = knex({
  client: 'pg',
  connection: process.env.DATABASE_URL,
  pool: { min: 0, max: Number(process.env.DB_POOL_MAX ?? 10), acquireTimeoutMillis: 10_000 },
});

export async function query<T>(sql: string, bindings: unknown[] = []): Promise<T[]> {
  const result = await db.raw(sql, bindings);
  return result.rows as T[];
}

export async function withTransaction<T>(work: (trx: knex.Knex.Transaction) => Promise<T>): Promise<T> {
  return db.transaction(work);
}
`,
    'src/routes/orders.ts': `import { Router } from 'express';
import { query } from '../db';
import { orderTotals } from '../orders/totals';

export const ordersRouter = Router();

ordersRouter.get('/:id', async (req, res) => {
  const [order] = await query<Record<string, unknown>>('SELECT * FROM orders WHERE id = ?', [req.params.id]);
  if (!order) return res.status(404).end();
  res.json({ ...order, totals: orderTotals(order as never) });
});

ordersRouter.get('/', async (req, res) => {
  const rows = await query('SELECT id, status, created_at FROM orders WHERE customer_id = ? ORDER BY created_at DESC LIMIT 50', [req.query.customer]);
  res.json(rows);
});
`,
    'src/orders/totals.ts': `export interface Discount { code: string; amount: number }
export interface Order { id: string; lines: Array<{ sku: string; quantity: number; unitPrice: number }>; discount: Discount | null; shipping: number }

export function subtotal(order: Order): number {
  return order.lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0);
}

export function orderTotals(order: Order) {
  const lines = subtotal(order);
  const discount = order.discount?.amount ?? 0;
  const total = Math.max(0, lines - discount) + order.shipping;
  return { lines, discount, shipping: order.shipping, total };
}

export function formatOrderNumber(id: string): string {
  return \`ORD-\${id.padStart(8, '0')}\`;
}
`,
    ...extra,
  };
}

// ---------------------------------------------------------------------------------------------
// The scenarios

const PLANS: Plan[] = [
  // 1. Code regression visible to blame: optional chaining removed on the crashing line.
  {
    name: 'checkout-address-null',
    description: 'A refactor reads the billing country without a null check; customers without a billing address crash at checkout.',
    platform: 'node',
    files: nodeBase({
      'src/checkout/address.ts': `export interface Address { line1: string; city: string; postcode: string; country: string }
export interface Customer { id: string; firstName: string; lastName: string; shippingAddress?: Address; billingAddress?: Address }
export interface ShippingLabel { name: string; line1: string; city: string; country: string }

const COUNTRY_NAMES: Record<string, string> = { DE: 'Germany', FR: 'France', US: 'United States', GB: 'United Kingdom' };

export function normalizePostcode(code: string): string {
  return code.replace(/\\s+/g, '').toUpperCase();
}

export function shippingLabel(customer: Customer): ShippingLabel {
  const address = customer.shippingAddress ?? customer.billingAddress;
  const country = address?.country ?? 'US';
  return {
    name: \`\${customer.firstName} \${customer.lastName}\`,
    line1: address?.line1 ?? '',
    city: address?.city ?? '',
    country: COUNTRY_NAMES[country] ?? country,
  };
}
`,
      'src/routes/checkout.ts': `import { Router } from 'express';
import { shippingLabel } from '../checkout/address';
import { loadCustomer } from '../customers';

export const checkoutRouter = Router();

checkoutRouter.post('/:cartId/label', async (req, res) => {
  const customer = await loadCustomer(req.body.customerId);
  const label = shippingLabel(customer);
  res.json(label);
});
`,
    }),
    steps: [
      { kind: 'noise', count: 4, fromHours: -24 * 30, toHours: -24 * 10 },
      { kind: 'deploy', release: 'v1.1.0', hours: -24 * 9 },
      { kind: 'noise', count: 2, fromHours: -24 * 8, toHours: -24 * 2 },
      {
        kind: 'commit',
        label: 'decoy',
        message: 'checkout: strip dashes from postcodes',
        hours: -30,
        edit: (r) => r.replace('src/checkout/address.ts', "return code.replace(/\\s+/g, '').toUpperCase();", "return code.replace(/[\\s-]+/g, '').toUpperCase();"),
      },
      {
        kind: 'commit',
        label: 'culprit',
        message: 'checkout: use the billing country for the tax region',
        hours: -20,
        edit: (r) => r.replace('src/checkout/address.ts', "const country = address?.country ?? 'US';", 'const country = customer.billingAddress.country;'),
      },
      { kind: 'noise', count: 2, fromHours: -18, toHours: -2 },
      { kind: 'deploy', release: 'v1.2.0', hours: -0.4 },
    ],
    crash: {
      errorType: 'TypeError',
      canonicalKind: 'null_property_access',
      message: () => "Cannot read properties of undefined (reading 'country')",
      messageTemplate: 'Cannot read properties of undefined (reading <str>)',
      frames: [
        { fn: 'Layer.handle', path: '/app/node_modules/express/lib/router/layer.js', line: 95, inApp: false },
        { fn: 'checkoutRouter.post', path: 'src/routes/checkout.ts', at: 'const label = shippingLabel(customer);' },
        { fn: 'shippingLabel', path: 'src/checkout/address.ts', at: 'const country = customer.billingAddress.country;' },
      ],
    },
    shape: { kind: 'step', base: 0, level: 14 },
    expected: { culprit: 'culprit', category: 'code_regression', blameFrame: 2 },
  },

  // 2. The caller changed: the crashing line is old, the line calling it is new.
  {
    name: 'invoice-money-caller',
    description: 'A rename of an invoice field leaves the caller passing undefined to an old money formatter.',
    platform: 'node',
    files: nodeBase({
      'src/util/money.ts': `const SYMBOLS: Record<string, string> = { EUR: '€', USD: '$', GBP: '£' };

export function formatMoney(amountCents: number, currency: string): string {
  const symbol = SYMBOLS[currency] ?? currency + ' ';
  const value = (amountCents / 100).toFixed(2);
  return \`\${symbol}\${value}\`;
}

export function parseMoney(text: string): number {
  return Math.round(Number(text.replace(/[^0-9.]/g, '')) * 100);
}
`,
      'src/routes/invoices.ts': `import { Router } from 'express';
import { formatMoney } from '../util/money';
import { query } from '../db';

export const invoicesRouter = Router();

interface InvoiceRow { id: string; currency: string; total_cents: number; tax_cents: number }

invoicesRouter.get('/:id/summary', async (req, res) => {
  const [invoice] = await query<InvoiceRow>('SELECT * FROM invoices WHERE id = ?', [req.params.id]);
  if (!invoice) return res.status(404).end();
  const total = formatMoney(invoice.total_cents, invoice.currency);
  const tax = formatMoney(invoice.tax_cents, invoice.currency);
  res.json({ id: invoice.id, total, tax });
});
`,
    }),
    steps: [
      { kind: 'noise', count: 3, fromHours: -24 * 30, toHours: -24 * 6 },
      { kind: 'deploy', release: 'v2.3.0', hours: -24 * 5 },
      { kind: 'noise', count: 2, fromHours: -24 * 4, toHours: -24 * 1 },
      {
        kind: 'commit',
        label: 'culprit',
        message: 'invoices: read amounts from the v2 invoice view',
        hours: -6,
        edit: (r) => {
          r.replace('src/routes/invoices.ts', 'interface InvoiceRow { id: string; currency: string; total_cents: number; tax_cents: number }', 'interface InvoiceRow { id: string; currency: string; amount_total: number; amount_tax: number }');
          r.replace('src/routes/invoices.ts', "const [invoice] = await query<InvoiceRow>('SELECT * FROM invoices WHERE id = ?', [req.params.id]);", "const [invoice] = await query<InvoiceRow>('SELECT * FROM invoices_v2 WHERE id = ?', [req.params.id]);");
          r.replace('src/routes/invoices.ts', 'const total = formatMoney(invoice.total_cents, invoice.currency);', 'const total = formatMoney((invoice as any).total, invoice.currency);');
          r.replace('src/routes/invoices.ts', 'const tax = formatMoney(invoice.tax_cents, invoice.currency);', 'const tax = formatMoney(invoice.amount_tax, invoice.currency);');
        },
      },
      { kind: 'noise', count: 2, fromHours: -5, toHours: -1 },
      { kind: 'deploy', release: 'v2.4.0', hours: -0.3 },
    ],
    crash: {
      errorType: 'TypeError',
      canonicalKind: 'null_property_access',
      message: () => "Cannot read properties of undefined (reading 'toFixed')",
      messageTemplate: 'Cannot read properties of undefined (reading <str>)',
      frames: [
        { fn: 'invoicesRouter.get', path: 'src/routes/invoices.ts', at: 'const total = formatMoney((invoice as any).total, invoice.currency);' },
        { fn: 'formatMoney', path: 'src/util/money.ts', at: 'const value = (amountCents / 100).toFixed(2);' },
      ],
    },
    shape: { kind: 'step', base: 0, level: 9 },
    expected: { culprit: 'culprit', category: 'code_regression', blameFrame: 0 },
  },

  // 3. A constant far from the crashing line (blame of the crash line points at an old commit).
  {
    name: 'search-page-size-constant',
    description: 'A constant at the top of the file is set to 0 ("unlimited"); a division 40 lines below now yields Infinity.',
    platform: 'node',
    files: nodeBase({
      'src/search/paginate.ts': `// Paging of search results.
import { SearchHit } from './types';

const RESULTS_PER_PAGE = 25;
const MAX_PAGES = 400;

export interface Page { number: number; hits: SearchHit[] }

export function clampPage(requested: number, pages: number): number {
  if (!Number.isFinite(requested) || requested < 1) return 1;
  return Math.min(requested, pages);
}

export function highlight(hit: SearchHit, terms: string[]): SearchHit {
  let title = hit.title;
  for (const term of terms) title = title.replace(new RegExp(term, 'gi'), (m) => \`<em>\${m}</em>\`);
  return { ...hit, title };
}

export function dedupe(hits: SearchHit[]): SearchHit[] {
  const seen = new Set<string>();
  return hits.filter((hit) => (seen.has(hit.id) ? false : (seen.add(hit.id), true)));
}

export function scoreOrder(a: SearchHit, b: SearchHit): number {
  return b.score - a.score || a.title.localeCompare(b.title);
}

/**
 * Splits ranked hits into pages for the results view; the page index is
 * built eagerly because the UI renders the page picker first.
 */
export function paginate(hits: SearchHit[]): Page[] {
  const ranked = dedupe(hits).sort(scoreOrder);
  const pageCount = Math.min(MAX_PAGES, Math.ceil(ranked.length / RESULTS_PER_PAGE));
  const pages: Page[] = new Array(pageCount);
  for (let i = 0; i < pageCount; i++) {
    pages[i] = { number: i + 1, hits: ranked.slice(i * RESULTS_PER_PAGE, (i + 1) * RESULTS_PER_PAGE) };
  }
  return pages;
}
`,
      'src/search/types.ts': 'export interface SearchHit { id: string; title: string; score: number }\n',
      'src/routes/search.ts': `import { Router } from 'express';
import { paginate } from '../search/paginate';
import { searchIndex } from '../search/index';

export const searchRouter = Router();

searchRouter.get('/', async (req, res) => {
  const hits = await searchIndex(String(req.query.q ?? ''));
  const pages = paginate(hits);
  res.json({ pages: pages.length, first: pages[0] ?? null });
});
`,
    }),
    steps: [
      { kind: 'noise', count: 3, fromHours: -24 * 30, toHours: -24 * 3 },
      { kind: 'deploy', release: 'v5.1.0', hours: -24 * 2 },
      {
        kind: 'commit',
        label: 'decoy',
        message: 'search: highlight multi-word terms',
        hours: -20,
        edit: (r) => r.replace('src/search/paginate.ts', "title = title.replace(new RegExp(term, 'gi'), (m) => `<em>${m}</em>`);", "title = title.replace(new RegExp(term.trim(), 'gi'), (m) => `<em>${m}</em>`);"),
      },
      {
        kind: 'commit',
        label: 'culprit',
        message: 'search: no page size limit for exports',
        hours: -8,
        edit: (r) => r.replace('src/search/paginate.ts', 'const RESULTS_PER_PAGE = 25;', 'const RESULTS_PER_PAGE = 0; // 0 = unlimited, exports want everything'),
      },
      { kind: 'noise', count: 2, fromHours: -7, toHours: -1 },
      { kind: 'deploy', release: 'v5.2.0', hours: -0.5 },
    ],
    crash: {
      errorType: 'RangeError',
      canonicalKind: 'range_error',
      message: () => 'Invalid array length',
      messageTemplate: 'Invalid array length',
      frames: [
        { fn: 'searchRouter.get', path: 'src/routes/search.ts', at: 'const pages = paginate(hits);' },
        { fn: 'paginate', path: 'src/search/paginate.ts', at: 'const pages: Page[] = new Array(pageCount);' },
      ],
    },
    shape: { kind: 'step', base: 0, level: 11 },
    expected: { culprit: 'culprit', category: 'code_regression' },
  },

  // 4. Configuration change in an env file, read by the crashing code.
  {
    name: 'currency-env-config',
    description: 'DEFAULT_CURRENCY is changed to lower case in the production env file; the currency table lookup returns undefined.',
    platform: 'node',
    files: nodeBase({
      'src/pricing/currency.ts': `export interface Currency { code: string; symbol: string; decimals: number }

const CURRENCIES: Record<string, Currency> = {
  EUR: { code: 'EUR', symbol: '€', decimals: 2 },
  USD: { code: 'USD', symbol: '$', decimals: 2 },
  JPY: { code: 'JPY', symbol: '¥', decimals: 0 },
};

const DEFAULT_CURRENCY = process.env.DEFAULT_CURRENCY ?? 'USD';

export function currencyFor(code: string | null): Currency {
  return CURRENCIES[code ?? DEFAULT_CURRENCY] ?? CURRENCIES.USD;
}

export function priceTag(amount: number, code: string | null): string {
  const symbol = CURRENCIES[code ?? DEFAULT_CURRENCY].symbol;
  return \`\${symbol}\${amount.toFixed(currencyFor(code).decimals)}\`;
}
`,
      'src/routes/catalog.ts': `import { Router } from 'express';
import { priceTag } from '../pricing/currency';
import { findProduct } from '../catalog';

export const catalogRouter = Router();

catalogRouter.get('/:sku', async (req, res) => {
  const product = await findProduct(req.params.sku);
  res.json({ ...product, price: priceTag(product.price, product.currency) });
});
`,
    }),
    steps: [
      { kind: 'noise', count: 4, fromHours: -24 * 30, toHours: -24 * 4 },
      { kind: 'deploy', release: 'v3.0.0', hours: -24 * 3 },
      { kind: 'noise', count: 2, fromHours: -24 * 2, toHours: -10 },
      {
        kind: 'commit',
        label: 'culprit',
        message: 'deploy: align production env with the billing service',
        hours: -5,
        edit: (r) => r.replace('deploy/production.env', 'DEFAULT_CURRENCY=EUR', 'DEFAULT_CURRENCY=eur'),
      },
      {
        kind: 'commit',
        label: 'decoy',
        message: 'pricing: add JPY',
        hours: -4,
        edit: (r) => r.replace('src/pricing/currency.ts', "JPY: { code: 'JPY', symbol: '¥', decimals: 0 },", "JPY: { code: 'JPY', symbol: '¥', decimals: 0 },\n  CHF: { code: 'CHF', symbol: 'CHF ', decimals: 2 },"),
      },
      { kind: 'deploy', release: 'v3.1.0', hours: -0.2 },
    ],
    crash: {
      errorType: 'TypeError',
      canonicalKind: 'null_property_access',
      message: () => "Cannot read properties of undefined (reading 'symbol')",
      messageTemplate: 'Cannot read properties of undefined (reading <str>)',
      frames: [
        { fn: 'catalogRouter.get', path: 'src/routes/catalog.ts', at: 'res.json({ ...product, price: priceTag(product.price, product.currency) });' },
        { fn: 'priceTag', path: 'src/pricing/currency.ts', at: 'const symbol = CURRENCIES[code ?? DEFAULT_CURRENCY].symbol;' },
      ],
    },
    shape: { kind: 'step', base: 0, level: 22 },
    expected: { culprit: 'culprit', category: 'config_regression', envKey: 'DEFAULT_CURRENCY' },
  },

  // 5. Configuration change in a JSON config file, read through config.get().
  {
    name: 'upload-chunk-config',
    description: 'uploads.chunkSizeBytes becomes the string "8MB" in production.json; Buffer.alloc rejects it.',
    platform: 'node',
    files: nodeBase({
      'src/uploads/chunker.ts': `import config from 'config';

export interface Chunk { index: number; bytes: Buffer }

export function* chunks(source: Buffer): Generator<Chunk> {
  const chunkSize = config.get<number>('uploads.chunkSizeBytes');
  let index = 0;
  for (let offset = 0; offset < source.length; offset += chunkSize) {
    const bytes = Buffer.alloc(Math.min(chunkSize, source.length - offset));
    source.copy(bytes, 0, offset);
    yield { index: index++, bytes };
  }
}
`,
      'src/routes/uploads.ts': `import { Router } from 'express';
import { chunks } from '../uploads/chunker';
import { storePart } from '../uploads/store';

export const uploadsRouter = Router();

uploadsRouter.post('/', async (req, res) => {
  const body = req.body as Buffer;
  for (const chunk of chunks(body)) await storePart(req.header('x-upload-id')!, chunk);
  res.status(201).end();
});
`,
    }),
    steps: [
      { kind: 'noise', count: 3, fromHours: -24 * 30, toHours: -24 * 6 },
      { kind: 'deploy', release: 'v4.6.0', hours: -24 * 5 },
      {
        kind: 'commit',
        label: 'decoy',
        message: 'deps: bump eslint',
        hours: -24 * 2,
        edit: (r) => r.replace('package.json', '"eslint": "^8.57.0"', '"eslint": "^8.57.1"'),
      },
      {
        kind: 'commit',
        label: 'culprit',
        message: 'config: human-readable upload chunk size',
        hours: -7,
        edit: (r) => r.replace('config/production.json', '"chunkSizeBytes": 8388608', '"chunkSizeBytes": "8MB"'),
      },
      { kind: 'noise', count: 2, fromHours: -6, toHours: -1 },
      { kind: 'deploy', release: 'v4.7.0', hours: -0.3 },
    ],
    crash: {
      errorType: 'TypeError',
      canonicalKind: 'invalid_argument',
      message: () => 'The "size" argument must be of type number. Received type string (\'8MB\')',
      messageTemplate: 'The <str> argument must be of type number. Received type string (<str>)',
      frames: [
        { fn: 'uploadsRouter.post', path: 'src/routes/uploads.ts', at: 'for (const chunk of chunks(body))' },
        { fn: 'chunks', path: 'src/uploads/chunker.ts', at: 'const bytes = Buffer.alloc(Math.min(chunkSize, source.length - offset));' },
        { fn: 'Function.alloc', path: 'node:buffer', line: 389, inApp: false },
      ],
    },
    shape: { kind: 'step', base: 0, level: 6 },
    expected: { culprit: 'culprit', category: 'config_regression', envKey: 'uploads.chunkSizeBytes' },
  },

  // 6. Dependency bump: the crash is inside the library.
  {
    name: 'date-fns-major-bump',
    description: 'date-fns is bumped from 2.x to 3.x; format() now throws on the string dates the report code passes.',
    platform: 'node',
    files: nodeBase({
      'src/reports/schedule.ts': `import { format } from 'date-fns';

export interface ScheduledReport { id: string; name: string; nextRunAt: string }

export function describeRun(report: ScheduledReport): string {
  const when = format(report.nextRunAt as unknown as Date, 'yyyy-MM-dd HH:mm');
  return \`\${report.name} runs at \${when}\`;
}
`,
      'src/routes/reports.ts': `import { Router } from 'express';
import { describeRun } from '../reports/schedule';
import { listReports } from '../reports/store';

export const reportsRouter = Router();

reportsRouter.get('/scheduled', async (_req, res) => {
  const reports = await listReports();
  res.json(reports.map((r) => ({ id: r.id, text: describeRun(r) })));
});
`,
    }),
    steps: [
      { kind: 'noise', count: 3, fromHours: -24 * 30, toHours: -24 * 8 },
      { kind: 'deploy', release: 'v1.8.0', hours: -24 * 7 },
      { kind: 'noise', count: 2, fromHours: -24 * 6, toHours: -24 * 1 },
      {
        kind: 'commit',
        label: 'culprit',
        message: 'deps: upgrade date-fns to v3',
        hours: -9,
        edit: (r) => {
          const deps = { ...NODE_DEPS, 'date-fns': '^3.6.0' };
          r.write('package.json', NODE_PACKAGE(deps));
          r.write('package-lock.json', NODE_LOCK(deps));
        },
      },
      {
        kind: 'commit',
        label: 'decoy',
        message: 'reports: include the report id in the listing',
        hours: -6,
        edit: (r) => r.replace('src/routes/reports.ts', 'res.json(reports.map((r) => ({ id: r.id, text: describeRun(r) })));', 'res.json(reports.map((r) => ({ id: r.id, name: r.name, text: describeRun(r) })));'),
      },
      { kind: 'deploy', release: 'v1.9.0', hours: -0.25 },
    ],
    crash: {
      errorType: 'RangeError',
      canonicalKind: 'range_error',
      message: () => 'Invalid time value',
      messageTemplate: 'Invalid time value',
      frames: [
        { fn: 'reportsRouter.get', path: 'src/routes/reports.ts', at: 'res.json(reports.map(' },
        { fn: 'describeRun', path: 'src/reports/schedule.ts', at: "const when = format(report.nextRunAt as unknown as Date, 'yyyy-MM-dd HH:mm');" },
        { fn: 'format', path: '/app/node_modules/date-fns/format.js', line: 351, inApp: false },
      ],
    },
    shape: { kind: 'step', base: 0, level: 5 },
    expected: { culprit: 'culprit', category: 'dependency_regression' },
  },

  // 7. Regression in the second of two deploys; the first deploy touched the same file.
  {
    name: 'order-discount-second-deploy',
    description: 'Two deploys in two days; the second drops the null-safe discount access. The first also edited the file.',
    platform: 'node',
    files: nodeBase(),
    steps: [
      { kind: 'noise', count: 3, fromHours: -24 * 30, toHours: -24 * 5 },
      {
        kind: 'commit',
        label: 'first-deploy-change',
        message: 'orders: zero-pad order numbers to 10 digits',
        hours: -24 * 3,
        edit: (r) => r.replace('src/orders/totals.ts', "return `ORD-${id.padStart(8, '0')}`;", "return `ORD-${id.padStart(10, '0')}`;"),
      },
      { kind: 'deploy', release: 'v1.1.0', hours: -24 * 2 },
      { kind: 'noise', count: 2, fromHours: -24 * 2 + 1, toHours: -12 },
      {
        kind: 'commit',
        label: 'culprit',
        message: 'orders: discounts are always loaded now',
        hours: -5,
        edit: (r) => r.replace('src/orders/totals.ts', 'const discount = order.discount?.amount ?? 0;', 'const discount = order.discount.amount;'),
      },
      { kind: 'noise', count: 1, fromHours: -4, toHours: -1 },
      { kind: 'deploy', release: 'v1.2.0', hours: -0.35 },
    ],
    crash: {
      errorType: 'TypeError',
      canonicalKind: 'null_property_access',
      message: () => "Cannot read properties of null (reading 'amount')",
      messageTemplate: 'Cannot read properties of null (reading <str>)',
      frames: [
        { fn: 'ordersRouter.get', path: 'src/routes/orders.ts', at: 'res.json({ ...order, totals: orderTotals(order as never) });' },
        { fn: 'orderTotals', path: 'src/orders/totals.ts', at: 'const discount = order.discount.amount;' },
      ],
    },
    shape: { kind: 'step', base: 0, level: 17 },
    expected: { culprit: 'culprit', category: 'code_regression', blameFrame: 1 },
  },

  // 8. Connection-pool exhaustion triggered by a config change of the pool size.
  {
    name: 'knex-pool-size-config',
    description: 'DB_POOL_MAX lowered from 20 to 2 for a replica-count change; requests time out acquiring connections.',
    platform: 'node',
    files: nodeBase(),
    steps: [
      { kind: 'noise', count: 3, fromHours: -24 * 30, toHours: -24 * 4 },
      { kind: 'deploy', release: 'v6.0.0', hours: -24 * 3 },
      { kind: 'noise', count: 2, fromHours: -24 * 2, toHours: -8 },
      {
        kind: 'commit',
        label: 'culprit',
        message: 'deploy: fewer DB connections per pod (we now run 30 replicas)',
        hours: -3,
        edit: (r) => r.replace('deploy/production.env', 'DB_POOL_MAX=20', 'DB_POOL_MAX=2'),
      },
      { kind: 'noise', count: 1, fromHours: -2, toHours: -1 },
      { kind: 'deploy', release: 'v6.1.0', hours: -0.5 },
    ],
    crash: {
      errorType: 'KnexTimeoutError',
      canonicalKind: 'timeout',
      message: () => 'Knex: Timeout acquiring a connection. The pool is probably full. Are you missing a .transacting(trx) call?',
      messageTemplate: 'Knex: Timeout acquiring a connection. The pool is probably full. Are you missing a .transacting(trx) call?',
      frames: [
        { fn: 'ordersRouter.get', path: 'src/routes/orders.ts', at: "const [order] = await query<Record<string, unknown>>('SELECT * FROM orders WHERE id = ?', [req.params.id]);" },
        { fn: 'query', path: 'src/db/index.ts', at: 'const result = await db.raw(sql, bindings);' },
        { fn: 'Client_PG.acquireConnection', path: '/app/node_modules/knex/lib/client.js', line: 312, inApp: false },
      ],
    },
    shape: { kind: 'ramp', base: 0, perMinute: 0.5, cap: 40 },
    expected: { culprit: 'culprit', category: 'connection_pool_exhaustion', envKey: 'DB_POOL_MAX' },
  },

  // 9. Memory leak: an unbounded per-IP map added in middleware, far from any crash frame.
  {
    name: 'rate-limit-map-leak',
    description: 'A new rate limiter keeps every IP and timestamp forever; instances run out of heap hours later.',
    platform: 'node',
    files: nodeBase({
      'src/log.ts': `export function logRequest(entry: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify({ level: 'info', ...entry }) + '\\n');
}
`,
      'src/middleware/requestLog.ts': `import { logRequest } from '../log';

export function requestLog(req: { method: string; url: string }, _res: unknown, next: () => void) {
  logRequest({ method: req.method, url: req.url, at: Date.now() });
  next();
}
`,
    }),
    steps: [
      { kind: 'noise', count: 3, fromHours: -24 * 30, toHours: -24 * 5 },
      { kind: 'deploy', release: 'v7.2.0', hours: -24 * 4 },
      { kind: 'noise', count: 2, fromHours: -24 * 3, toHours: -12 },
      {
        kind: 'commit',
        label: 'culprit',
        message: 'api: per-IP rate limiting',
        hours: -9,
        edit: (r) =>
          r.write(
            'src/middleware/rateLimit.ts',
            `const WINDOW_MS = 60_000;
const LIMIT = 600;
const hits = new Map<string, number[]>();

export function rateLimit(req: { ip: string }, res: { status(code: number): { end(): void } }, next: () => void) {
  const now = Date.now();
  const seen = hits.get(req.ip) ?? [];
  seen.push(now);
  hits.set(req.ip, seen);
  const recent = seen.filter((t) => now - t < WINDOW_MS).length;
  if (recent > LIMIT) return res.status(429).end();
  next();
}
`,
          ),
      },
      {
        kind: 'commit',
        label: 'decoy',
        message: 'orders: list query returns the status label',
        hours: -8,
        edit: (r) => r.replace('src/routes/orders.ts', "SELECT id, status, created_at FROM orders", "SELECT id, status, status_label, created_at FROM orders"),
      },
      { kind: 'deploy', release: 'v7.3.0', hours: -3 },
    ],
    crash: {
      errorType: 'FatalError',
      canonicalKind: 'out_of_memory',
      message: () => 'Reached heap limit Allocation failed - JavaScript heap out of memory',
      messageTemplate: 'Reached heap limit Allocation failed - JavaScript heap out of memory',
      frames: [
        { fn: 'requestLog', path: 'src/middleware/requestLog.ts', at: 'logRequest({ method: req.method, url: req.url, at: Date.now() });' },
        { fn: 'logRequest', path: 'src/log.ts', at: "process.stdout.write(JSON.stringify({ level: 'info', ...entry }) + '\\n');" },
        { fn: 'JSON.stringify', path: '<anonymous>', inApp: false },
      ],
    },
    shape: { kind: 'ramp', base: 0, perMinute: 0.06, cap: 12 },
    after: 240,
    expected: { culprit: 'culprit', category: 'memory_leak' },
  },

  // 10. Slow query holding a lock: a new job locks the inventory table while calling a remote API.
  {
    name: 'inventory-lock-job',
    description: 'A reconciliation job takes FOR UPDATE locks on all inventory rows and calls the warehouse API inside the transaction; checkouts time out on lock waits every 15 minutes.',
    platform: 'node',
    files: nodeBase({
      'src/inventory/reserve.ts': `import { withTransaction } from '../db';

export async function reserve(sku: string, quantity: number): Promise<void> {
  await withTransaction(async (trx) => {
    const updated = await trx.raw('UPDATE inventory SET reserved = reserved + ? WHERE sku = ? AND stock - reserved >= ?', [quantity, sku, quantity]);
    if (updated.rowCount === 0) throw new Error(\`insufficient stock for \${sku}\`);
  });
}
`,
      'src/routes/cart.ts': `import { Router } from 'express';
import { reserve } from '../inventory/reserve';

export const cartRouter = Router();

cartRouter.post('/:cartId/items', async (req, res) => {
  await reserve(req.body.sku, req.body.quantity);
  res.status(204).end();
});
`,
    }),
    steps: [
      { kind: 'noise', count: 3, fromHours: -24 * 30, toHours: -24 * 3 },
      { kind: 'deploy', release: 'v2.0.0', hours: -24 * 2 },
      { kind: 'noise', count: 2, fromHours: -24, toHours: -6 },
      {
        kind: 'commit',
        label: 'culprit',
        message: 'jobs: reconcile inventory with the warehouse every 15 minutes',
        hours: -4,
        edit: (r) =>
          r.write(
            'src/jobs/reconcileInventory.ts',
            `import { withTransaction } from '../db';
import { warehouseStock } from '../clients/warehouse';

export async function reconcileInventory(): Promise<void> {
  await withTransaction(async (trx) => {
    const rows = await trx.raw('SELECT sku, stock FROM inventory FOR UPDATE');
    for (const row of rows.rows) {
      const actual = await warehouseStock(row.sku);
      if (actual !== row.stock) await trx.raw('UPDATE inventory SET stock = ? WHERE sku = ?', [actual, row.sku]);
    }
  });
}

setInterval(() => void reconcileInventory(), 15 * 60_000);
`,
          ),
      },
      { kind: 'noise', count: 1, fromHours: -3, toHours: -1.5 },
      { kind: 'deploy', release: 'v2.1.0', hours: -0.6 },
    ],
    crash: {
      errorType: 'Error',
      canonicalKind: 'database_error',
      message: () => 'ER_LOCK_WAIT_TIMEOUT: Lock wait timeout exceeded; try restarting transaction',
      messageTemplate: 'ER_LOCK_WAIT_TIMEOUT: Lock wait timeout exceeded; try restarting transaction',
      frames: [
        { fn: 'cartRouter.post', path: 'src/routes/cart.ts', at: 'await reserve(req.body.sku, req.body.quantity);' },
        { fn: 'reserve', path: 'src/inventory/reserve.ts', at: "const updated = await trx.raw('UPDATE inventory" },
        { fn: 'Query.Sequence._packetToError', path: '/app/node_modules/mysql2/lib/commands/query.js', line: 93, inApp: false },
      ],
    },
    shape: { kind: 'periodic', base: 0, level: 16, every: 15, width: 4 },
    expected: { culprit: 'culprit', category: 'lock_contention' },
  },

  // 11. Cache stampede: request coalescing removed from the product cache.
  {
    name: 'product-cache-stampede',
    description: 'A cache "simplification" removes per-key request coalescing; every expiry of hot keys floods the database.',
    platform: 'node',
    files: nodeBase({
      'src/cache/productCache.ts': `import Redis from 'ioredis';
import { findProduct, Product } from '../db/products';

const redis = new Redis(process.env.REDIS_URL!);
const TTL_SECONDS = 600;
const inFlight = new Map<string, Promise<Product>>();

export async function getProduct(sku: string): Promise<Product> {
  const cached = await redis.get(\`product:\${sku}\`);
  if (cached) return JSON.parse(cached) as Product;
  return getOrLoad(sku);
}

async function getOrLoad(sku: string): Promise<Product> {
  const pending = inFlight.get(sku);
  if (pending) return pending;
  const load = findProduct(sku).finally(() => inFlight.delete(sku));
  inFlight.set(sku, load);
  const product = await load;
  await redis.set(\`product:\${sku}\`, JSON.stringify(product), 'EX', TTL_SECONDS);
  return product;
}
`,
      'src/db/products.ts': `import { query } from './index';

export interface Product { sku: string; name: string; price: number; currency: string }

export async function findProduct(sku: string): Promise<Product> {
  const [row] = await query<Product>('SELECT p.*, s.price FROM products p JOIN prices s ON s.sku = p.sku WHERE p.sku = ?', [sku]);
  return row;
}
`,
      'src/routes/products.ts': `import { Router } from 'express';
import { getProduct } from '../cache/productCache';

export const productsRouter = Router();

productsRouter.get('/:sku', async (req, res) => {
  res.json(await getProduct(req.params.sku));
});
`,
    }),
    steps: [
      { kind: 'noise', count: 3, fromHours: -24 * 30, toHours: -24 * 6 },
      { kind: 'deploy', release: 'v8.4.0', hours: -24 * 5 },
      { kind: 'noise', count: 2, fromHours: -24 * 4, toHours: -10 },
      {
        kind: 'commit',
        label: 'culprit',
        message: 'cache: simplify product cache',
        hours: -6,
        edit: (r) => {
          r.replace('src/cache/productCache.ts', 'const inFlight = new Map<string, Promise<Product>>();\n', '');
          r.replace(
            'src/cache/productCache.ts',
            '  const pending = inFlight.get(sku);\n  if (pending) return pending;\n  const load = findProduct(sku).finally(() => inFlight.delete(sku));\n  inFlight.set(sku, load);\n  const product = await load;\n',
            '  const product = await findProduct(sku);\n',
          );
        },
      },
      { kind: 'noise', count: 1, fromHours: -5, toHours: -2 },
      { kind: 'deploy', release: 'v8.5.0', hours: -0.4 },
    ],
    crash: {
      errorType: 'Error',
      canonicalKind: 'timeout',
      message: () => 'Query read timeout',
      messageTemplate: 'Query read timeout',
      frames: [
        { fn: 'productsRouter.get', path: 'src/routes/products.ts', at: 'res.json(await getProduct(req.params.sku));' },
        { fn: 'getOrLoad', path: 'src/cache/productCache.ts', at: 'const product = await findProduct(sku);' },
        { fn: 'findProduct', path: 'src/db/products.ts', at: "const [row] = await query<Product>(" },
        { fn: 'Client._handleReadTimeout', path: '/app/node_modules/pg/lib/client.js', line: 198, inApp: false },
      ],
    },
    shape: { kind: 'periodic', base: 0, level: 30, every: 10, width: 2 },
    expected: { culprit: 'culprit', category: 'cache_stampede' },
  },

  // 12. Third-party API timeouts long after the last deploy: no culprit.
  {
    name: 'payments-provider-timeout',
    description: 'The payments provider degrades 30 hours after the last deploy; charges time out. The deploy range only touched unrelated code and a log line in the client.',
    platform: 'node',
    files: nodeBase({
      'src/clients/payments.ts': `import axios from 'axios';

const client = axios.create({
  baseURL: 'https://api.payments-provider.com/v1',
  timeout: Number(process.env.PAYMENTS_TIMEOUT_MS ?? 5000),
  headers: { 'content-type': 'application/json' },
});

export interface Charge { id: string; status: 'succeeded' | 'failed' }

export async function charge(cartId: string, amountCents: number, currency: string): Promise<Charge> {
  const { data } = await client.post<Charge>('/charges', { amount: amountCents, currency, reference: cartId });
  return data;
}

export async function refund(chargeId: string): Promise<void> {
  await client.post(\`/charges/\${chargeId}/refund\`);
}
`,
      'src/routes/pay.ts': `import { Router } from 'express';
import { charge } from '../clients/payments';

export const payRouter = Router();

payRouter.post('/:cartId', async (req, res) => {
  const result = await charge(req.params.cartId, req.body.amount, req.body.currency);
  res.json(result);
});
`,
    }),
    steps: [
      { kind: 'noise', count: 3, fromHours: -24 * 30, toHours: -24 * 6 },
      { kind: 'deploy', release: 'v9.0.0', hours: -24 * 5 },
      { kind: 'noise', count: 3, fromHours: -24 * 4, toHours: -40 },
      {
        kind: 'commit',
        label: 'decoy',
        message: 'payments: log refund ids',
        hours: -36,
        edit: (r) => r.replace('src/clients/payments.ts', '  await client.post(`/charges/${chargeId}/refund`);\n', '  await client.post(`/charges/${chargeId}/refund`);\n  console.info(`refunded ${chargeId}`);\n'),
      },
      { kind: 'deploy', release: 'v9.1.0', hours: -30 },
    ],
    crash: {
      errorType: 'AxiosError',
      canonicalKind: 'timeout',
      message: () => 'timeout of 5000ms exceeded',
      messageTemplate: 'timeout of <num>ms exceeded',
      frames: [
        { fn: 'payRouter.post', path: 'src/routes/pay.ts', at: 'const result = await charge(' },
        { fn: 'charge', path: 'src/clients/payments.ts', at: "const { data } = await client.post<Charge>('/charges'" },
        { fn: 'RedirectableRequest.handleRequestTimeout', path: '/app/node_modules/axios/lib/adapters/http.js', line: 661, inApp: false },
      ],
    },
    shape: { kind: 'step', base: 0, level: 25 },
    expected: { culprit: null, category: 'upstream_failure' },
  },

  // 13. DNS failure of a partner API, an outage that recovers: no culprit.
  {
    name: 'geo-lookup-dns-outage',
    description: 'The geo-lookup partner loses its DNS for 40 minutes, three days after the last deploy.',
    platform: 'node',
    files: nodeBase({
      'src/clients/geo.ts': `import axios from 'axios';

export async function countryOf(ip: string): Promise<string | null> {
  const { data } = await axios.get<{ country: string }>(\`https://api.geo-lookup.io/v2/ip/\${ip}\`, { timeout: 2000 });
  return data.country ?? null;
}
`,
      'src/middleware/geo.ts': `import { countryOf } from '../clients/geo';

export async function geo(req: { ip: string; country?: string | null }, _res: unknown, next: () => void) {
  req.country = await countryOf(req.ip);
  next();
}
`,
    }),
    steps: [
      { kind: 'noise', count: 4, fromHours: -24 * 30, toHours: -24 * 4 },
      { kind: 'deploy', release: 'v9.2.0', hours: -24 * 3 },
    ],
    crash: {
      errorType: 'Error',
      canonicalKind: 'network_error',
      message: () => 'getaddrinfo ENOTFOUND api.geo-lookup.io',
      messageTemplate: 'getaddrinfo ENOTFOUND <host>',
      frames: [
        { fn: 'geo', path: 'src/middleware/geo.ts', at: 'req.country = await countryOf(req.ip);' },
        { fn: 'countryOf', path: 'src/clients/geo.ts', at: 'const { data } = await axios.get' },
        { fn: 'GetAddrInfoReqWrap.onlookup', path: 'node:dns', line: 107, inApp: false },
      ],
    },
    shape: { kind: 'burst', base: 0, level: 35, minutes: 40 },
    after: 150,
    expected: { culprit: null, category: 'upstream_failure' },
  },

  // 14. A re-indent after the culprit, in the same deploy: plain blame would name the re-indent.
  {
    name: 'shipping-zone-reindent',
    description: 'The fallback zone for unknown countries is removed; a later whitespace-only re-indent of the file ships in the same deploy.',
    platform: 'node',
    files: nodeBase({
      'src/shipping/rates.ts': `interface Zone { base: number; perKg: number }

const ZONES: Record<string, Zone> = {
  DE: { base: 4.9, perKg: 0.8 },
  FR: { base: 6.5, perKg: 1.1 },
  US: { base: 12, perKg: 2.4 },
  DEFAULT: { base: 19, perKg: 3.5 },
};

export function shippingRate(country: string, weightKg: number): number {
  const zone = ZONES[country] ?? ZONES.DEFAULT;
  const rate = zone.base + zone.perKg * Math.ceil(weightKg);
  return Math.round(rate * 100) / 100;
}

export function freeShipping(subtotal: number): boolean {
  return subtotal >= 60;
}
`,
      'src/routes/shipping.ts': `import { Router } from 'express';
import { shippingRate } from '../shipping/rates';

export const shippingRouter = Router();

shippingRouter.get('/quote', (req, res) => {
  const price = shippingRate(String(req.query.country), Number(req.query.weight));
  res.json({ price });
});
`,
    }),
    steps: [
      { kind: 'noise', count: 3, fromHours: -24 * 30, toHours: -24 * 4 },
      { kind: 'deploy', release: 'v10.0.0', hours: -24 * 3 },
      { kind: 'noise', count: 1, fromHours: -24 * 2, toHours: -20 },
      {
        kind: 'commit',
        label: 'culprit',
        message: 'shipping: unknown countries are validated at checkout now',
        hours: -9,
        edit: (r) => r.replace('src/shipping/rates.ts', 'const zone = ZONES[country] ?? ZONES.DEFAULT;', 'const zone = ZONES[country];'),
      },
      {
        kind: 'commit',
        label: 'reindent',
        message: 'style: 4-space indentation in shipping (editorconfig)',
        hours: -7,
        edit: (r) => r.write('src/shipping/rates.ts', r.read('src/shipping/rates.ts').replace(/^( +)/gm, (m) => m + m)),
      },
      { kind: 'noise', count: 1, fromHours: -6, toHours: -2 },
      { kind: 'deploy', release: 'v10.1.0', hours: -0.3 },
    ],
    crash: {
      errorType: 'TypeError',
      canonicalKind: 'null_property_access',
      message: () => "Cannot read properties of undefined (reading 'base')",
      messageTemplate: 'Cannot read properties of undefined (reading <str>)',
      frames: [
        { fn: 'shippingRouter.get', path: 'src/routes/shipping.ts', at: 'const price = shippingRate(' },
        { fn: 'shippingRate', path: 'src/shipping/rates.ts', at: 'const rate = zone.base + zone.perKg * Math.ceil(weightKg);' },
      ],
    },
    shape: { kind: 'step', base: 0, level: 8 },
    expected: { culprit: 'culprit', category: 'code_regression' },
  },

  // 15–22: Python billing service.
  ...pythonPlans(),
  // 23–26: Java orders service.
  ...javaPlans(),
  // 27–29: Go sessions service.
  ...goPlans(),
];

function pythonBase(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'requirements.txt': 'fastapi==0.110.0\nuvicorn==0.29.0\nSQLAlchemy==2.0.29\npsycopg2-binary==2.9.9\nrequests==2.31.0\npydantic==1.10.13\nredis==5.0.3\n',
    'README.md': '# billing\n\nInvoices, ledgers and payouts.\n',
    'helm/values-production.yaml': 'replicaCount: 6\nenv:\n  WORKER_TIMEOUT_SECONDS: "30"\n  CATALOG_CACHE_TTL: "3600"\n  DB_POOL_SIZE: "5"\n  LOG_LEVEL: "info"\n',
    'app/__init__.py': '',
    'app/db.py': `import os

from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

engine = create_engine(
    os.environ["DATABASE_URL"],
    pool_size=int(os.environ.get("DB_POOL_SIZE", "5")),
    max_overflow=10,
    pool_timeout=30,
)
SessionLocal = sessionmaker(bind=engine)


def get_session():
    session = SessionLocal()
    try:
        yield session
    finally:
        session.close()
`,
    'app/api/__init__.py': '',
    'app/api/orders.py': `from fastapi import APIRouter, Depends

from app.db import get_session

router = APIRouter()


@router.get("/orders/{order_id}")
def get_order(order_id: str, session=Depends(get_session)):
    row = session.execute("SELECT * FROM orders WHERE id = :id", {"id": order_id}).first()
    return dict(row._mapping) if row else None
`,
    ...extra,
  };
}

function pythonPlans(): Plan[] {
  return [
    {
      name: 'invoice-currency-keyerror',
      description: 'Invoice creation switches from payload.get("currency", "USD") to payload["currency"]; partner payloads without currency fail.',
      platform: 'python',
      files: pythonBase({
        'app/billing/__init__.py': '',
        'app/billing/invoice.py': `from decimal import Decimal

from app.billing.tax import tax_for


def build_invoice(payload: dict) -> dict:
    lines = payload.get("lines", [])
    subtotal = sum(Decimal(str(line["amount"])) for line in lines)
    currency = payload.get("currency", "USD")
    tax = tax_for(payload.get("country"), subtotal)
    return {
        "customer": payload["customer_id"],
        "currency": currency,
        "subtotal": str(subtotal),
        "tax": str(tax),
        "total": str(subtotal + tax),
    }
`,
        'app/api/invoices.py': `from fastapi import APIRouter

from app.billing.invoice import build_invoice

router = APIRouter()


@router.post("/invoices")
def create_invoice(payload: dict):
    invoice = build_invoice(payload)
    return invoice
`,
      }),
      steps: [
        { kind: 'noise', count: 4, fromHours: -24 * 30, toHours: -24 * 6 },
        { kind: 'deploy', release: 'v1.1.0', hours: -24 * 5 },
        {
          kind: 'commit',
          label: 'decoy',
          message: 'billing: round subtotals with Decimal',
          hours: -26,
          edit: (r) => r.replace('app/billing/invoice.py', 'subtotal = sum(Decimal(str(line["amount"])) for line in lines)', 'subtotal = sum((Decimal(str(line["amount"])) for line in lines), Decimal("0"))'),
        },
        {
          kind: 'commit',
          label: 'culprit',
          message: 'billing: currency is mandatory for new invoices',
          hours: -7,
          edit: (r) => r.replace('app/billing/invoice.py', 'currency = payload.get("currency", "USD")', 'currency = payload["currency"]'),
        },
        { kind: 'noise', count: 1, fromHours: -5, toHours: -2 },
        { kind: 'deploy', release: 'v1.2.0', hours: -0.5 },
      ],
      crash: {
        errorType: 'KeyError',
        canonicalKind: 'missing_key',
        message: () => "'currency'",
        messageTemplate: '<str>',
        frames: [
          { fn: 'create_invoice', path: 'app/api/invoices.py', at: 'invoice = build_invoice(payload)' },
          { fn: 'build_invoice', path: 'app/billing/invoice.py', at: 'currency = payload["currency"]' },
        ],
      },
      shape: { kind: 'step', base: 0, level: 7 },
      expected: { culprit: 'culprit', category: 'code_regression', blameFrame: 1 },
    },
    {
      name: 'worker-timeout-helm-value',
      description: 'WORKER_TIMEOUT_SECONDS becomes "30s" in the Helm values; int() of it raises at job start.',
      platform: 'python',
      files: pythonBase({
        'app/worker.py': `import os
import time

from app.jobs import next_job, run_job


def job_deadline() -> float:
    timeout = int(os.environ["WORKER_TIMEOUT_SECONDS"])
    return time.monotonic() + timeout


def work_forever():
    while True:
        job = next_job()
        deadline = job_deadline()
        run_job(job, deadline=deadline)
`,
      }),
      steps: [
        { kind: 'noise', count: 3, fromHours: -24 * 30, toHours: -24 * 5 },
        { kind: 'deploy', release: 'v1.4.0', hours: -24 * 4 },
        { kind: 'noise', count: 2, fromHours: -24 * 3, toHours: -8 },
        {
          kind: 'commit',
          label: 'culprit',
          message: 'helm: express worker timeout with its unit',
          hours: -5,
          edit: (r) => r.replace('helm/values-production.yaml', 'WORKER_TIMEOUT_SECONDS: "30"', 'WORKER_TIMEOUT_SECONDS: "30s"'),
        },
        {
          kind: 'commit',
          label: 'decoy',
          message: 'worker: pass the deadline by keyword',
          hours: -4,
          edit: (r) => r.replace('app/worker.py', '        run_job(job, deadline=deadline)\n', '        run_job(job, deadline=deadline)  # keyword: run_job signature changed\n'),
        },
        { kind: 'deploy', release: 'v1.5.0', hours: -0.3 },
      ],
      crash: {
        errorType: 'ValueError',
        canonicalKind: 'invalid_value',
        message: () => "invalid literal for int() with base 10: '30s'",
        messageTemplate: 'invalid literal for int() with base <num>: <str>',
        frames: [
          { fn: 'work_forever', path: 'app/worker.py', at: 'deadline = job_deadline()' },
          { fn: 'job_deadline', path: 'app/worker.py', at: 'timeout = int(os.environ["WORKER_TIMEOUT_SECONDS"])' },
        ],
      },
      shape: { kind: 'step', base: 0, level: 12 },
      expected: { culprit: 'culprit', category: 'config_regression', envKey: 'WORKER_TIMEOUT_SECONDS' },
    },
    {
      name: 'pydantic-major-bump',
      description: 'pydantic goes from 1.10 to 2.x in requirements.txt; model construction now rejects fractional amounts for int fields.',
      platform: 'python',
      files: pythonBase({
        'app/billing/__init__.py': '',
        'app/billing/models.py': `from pydantic import BaseModel


class Payout(BaseModel):
    account_id: str
    amount_cents: int
    currency: str
`,
        'app/api/payouts.py': `from fastapi import APIRouter

from app.billing.models import Payout

router = APIRouter()


@router.post("/payouts")
def create_payout(payload: dict):
    payout = Payout(**payload)
    return payout.dict()
`,
      }),
      steps: [
        { kind: 'noise', count: 3, fromHours: -24 * 30, toHours: -24 * 4 },
        { kind: 'deploy', release: 'v2.0.0', hours: -24 * 3 },
        {
          kind: 'commit',
          label: 'decoy',
          message: 'payouts: document the currency field',
          hours: -30,
          edit: (r) => r.replace('app/billing/models.py', '    currency: str\n', '    currency: str  # ISO 4217\n'),
        },
        {
          kind: 'commit',
          label: 'culprit',
          message: 'deps: pydantic 2',
          hours: -10,
          edit: (r) => r.replace('requirements.txt', 'pydantic==1.10.13', 'pydantic==2.6.4\npydantic-core==2.16.3'),
        },
        { kind: 'noise', count: 1, fromHours: -6, toHours: -2 },
        { kind: 'deploy', release: 'v2.1.0', hours: -0.4 },
      ],
      crash: {
        errorType: 'ValidationError',
        canonicalKind: 'validation_error',
        message: () => '1 validation error for Payout\namount_cents\n  Input should be a valid integer, got a number with a fractional part [type=int_from_float, input_value=1999.5, input_type=float]',
        messageTemplate: '<num> validation error for Payout amount_cents Input should be a valid integer, got a number with a fractional part',
        frames: [
          { fn: 'create_payout', path: 'app/api/payouts.py', at: 'payout = Payout(**payload)' },
          { fn: '__init__', path: '/usr/local/lib/python3.12/site-packages/pydantic/main.py', line: 171, inApp: false },
        ],
      },
      shape: { kind: 'step', base: 0, level: 4 },
      expected: { culprit: 'culprit', category: 'dependency_regression' },
    },
    {
      name: 'sqlalchemy-connection-leak',
      description: 'A new export endpoint opens a connection and returns early without closing it; the QueuePool runs dry for everyone.',
      platform: 'python',
      files: pythonBase({
        'app/reports/__init__.py': '',
        'app/reports/summary.py': `def monthly_summary(rows):
    return {"count": len(rows), "total": sum(r["amount"] for r in rows)}
`,
      }),
      steps: [
        { kind: 'noise', count: 3, fromHours: -24 * 30, toHours: -24 * 3 },
        { kind: 'deploy', release: 'v3.3.0', hours: -24 * 2 },
        { kind: 'noise', count: 2, fromHours: -24 * 2 + 2, toHours: -9 },
        {
          kind: 'commit',
          label: 'culprit',
          message: 'reports: CSV export of ledger entries',
          hours: -6,
          edit: (r) =>
            r.write(
              'app/reports/export.py',
              `import csv
import io

from app.db import engine


def export_ledger(account_id: str) -> str:
    conn = engine.connect()
    rows = conn.execute("SELECT * FROM ledger WHERE account_id = %s", (account_id,)).fetchall()
    if not rows:
        return ""
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    conn.close()
    return out.getvalue()
`,
            ),
        },
        {
          kind: 'commit',
          label: 'decoy',
          message: 'orders: return 404 for unknown orders',
          hours: -5,
          edit: (r) => r.replace('app/api/orders.py', '    return dict(row._mapping) if row else None\n', '    if row is None:\n        raise HTTPException(status_code=404)\n    return dict(row._mapping)\n'),
        },
        { kind: 'deploy', release: 'v3.4.0', hours: -1 },
      ],
      crash: {
        errorType: 'TimeoutError',
        canonicalKind: 'timeout',
        message: () => 'QueuePool limit of size 5 overflow 10 reached, connection timed out, timeout 30.00 (Background on this error at: https://sqlalche.me/e/20/3o7r)',
        messageTemplate: 'QueuePool limit of size <num> overflow <num> reached, connection timed out, timeout <num>',
        frames: [
          { fn: 'get_order', path: 'app/api/orders.py', at: 'row = session.execute(' },
          { fn: '_checkout', path: '/usr/local/lib/python3.12/site-packages/sqlalchemy/pool/base.py', line: 1263, inApp: false },
          { fn: '_do_get', path: '/usr/local/lib/python3.12/site-packages/sqlalchemy/pool/impl.py', line: 157, inApp: false },
        ],
      },
      shape: { kind: 'ramp', base: 0, perMinute: 0.3, cap: 30 },
      expected: { culprit: 'culprit', category: 'connection_pool_exhaustion' },
    },
    {
      name: 'fx-rates-history-leak',
      description: 'An FX client keeps every fetched rate in a module-level list; workers hit MemoryError after hours.',
      platform: 'python',
      files: pythonBase({
        'app/billing/__init__.py': '',
        'app/billing/pdf.py': `from app.billing.templates import render


def invoice_pdf(invoice: dict) -> bytes:
    html = render("invoice.html", invoice=invoice)
    pages = [html[i : i + 4096] for i in range(0, len(html), 4096)]
    return b"".join(p.encode() for p in pages)
`,
        'app/clients/__init__.py': '',
        'app/clients/fx.py': `import requests

FX_URL = "https://fx.internal/rates"


def rate(base: str, quote: str) -> float:
    response = requests.get(FX_URL, params={"base": base, "quote": quote}, timeout=2)
    response.raise_for_status()
    return response.json()["rate"]
`,
      }),
      steps: [
        { kind: 'noise', count: 3, fromHours: -24 * 30, toHours: -24 * 6 },
        { kind: 'deploy', release: 'v4.0.0', hours: -24 * 5 },
        { kind: 'noise', count: 2, fromHours: -24 * 4, toHours: -20 },
        {
          kind: 'commit',
          label: 'culprit',
          message: 'fx: keep fetched rates for the audit report',
          hours: -16,
          edit: (r) => {
            r.replace('app/clients/fx.py', 'FX_URL = "https://fx.internal/rates"\n', 'FX_URL = "https://fx.internal/rates"\n_HISTORY = []\n');
            r.replace('app/clients/fx.py', '    return response.json()["rate"]\n', '    body = response.json()\n    _HISTORY.append((base, quote, body, response.headers))\n    return body["rate"]\n');
          },
        },
        { kind: 'noise', count: 1, fromHours: -15, toHours: -13 },
        { kind: 'deploy', release: 'v4.1.0', hours: -12 },
      ],
      crash: {
        errorType: 'MemoryError',
        canonicalKind: 'out_of_memory',
        message: () => '',
        messageTemplate: '',
        frames: [
          { fn: 'invoice_pdf', path: 'app/billing/pdf.py', at: 'pages = [html[i : i + 4096]' },
        ],
      },
      shape: { kind: 'ramp', base: 0, perMinute: 0.05, cap: 10 },
      after: 300,
      expected: { culprit: 'culprit', category: 'memory_leak' },
    },
    {
      name: 'ledger-interest-lock',
      description: 'A new interest job locks all accounts with SELECT … FOR UPDATE for minutes; ledger writes hit the lock timeout every 30 minutes.',
      platform: 'python',
      files: pythonBase({
        'app/billing/__init__.py': '',
        'app/billing/ledger.py': `from sqlalchemy import text


def post_entry(session, account_id: str, amount_cents: int) -> None:
    session.execute(
        text("UPDATE accounts SET balance_cents = balance_cents + :amount WHERE id = :id"),
        {"amount": amount_cents, "id": account_id},
    )
    session.commit()
`,
        'app/api/ledger.py': `from fastapi import APIRouter, Depends

from app.billing.ledger import post_entry
from app.db import get_session

router = APIRouter()


@router.post("/accounts/{account_id}/entries")
def create_entry(account_id: str, payload: dict, session=Depends(get_session)):
    post_entry(session, account_id, payload["amount_cents"])
    return {"ok": True}
`,
      }),
      steps: [
        { kind: 'noise', count: 3, fromHours: -24 * 30, toHours: -24 * 4 },
        { kind: 'deploy', release: 'v5.0.0', hours: -24 * 3 },
        { kind: 'noise', count: 2, fromHours: -24 * 2, toHours: -8 },
        {
          kind: 'commit',
          label: 'culprit',
          message: 'jobs: accrue daily interest',
          hours: -4,
          edit: (r) =>
            r.write(
              'app/jobs/interest.py',
              `from sqlalchemy import select

from app.db import SessionLocal
from app.models import Account
from app.clients.rates import interest_rate


def accrue_interest():
    with SessionLocal() as session, session.begin():
        accounts = session.execute(select(Account).with_for_update()).scalars().all()
        for account in accounts:
            account.balance_cents += round(account.balance_cents * interest_rate(account.product))
`,
            ),
        },
        { kind: 'deploy', release: 'v5.1.0', hours: -0.7 },
      ],
      crash: {
        errorType: 'OperationalError',
        canonicalKind: 'database_error',
        message: () => '(psycopg2.errors.LockNotAvailable) canceling statement due to lock timeout',
        messageTemplate: '(psycopg2.errors.LockNotAvailable) canceling statement due to lock timeout',
        frames: [
          { fn: 'create_entry', path: 'app/api/ledger.py', at: 'post_entry(session, account_id, payload["amount_cents"])' },
          { fn: 'post_entry', path: 'app/billing/ledger.py', at: 'session.execute(' },
          { fn: 'do_execute', path: '/usr/local/lib/python3.12/site-packages/sqlalchemy/engine/default.py', line: 924, inApp: false },
        ],
      },
      shape: { kind: 'periodic', base: 0, level: 10, every: 30, width: 6 },
      after: 150,
      expected: { culprit: 'culprit', category: 'lock_contention' },
    },
    {
      name: 'maps-api-read-timeout',
      description: 'The maps provider times out for two hours, two days after the last deploy; the deploy only changed docs and tests.',
      platform: 'python',
      files: pythonBase({
        'app/clients/__init__.py': '',
        'app/clients/maps.py': `import requests

MAPS_URL = "https://maps.geoprovider.com/v3/geocode"


def geocode(address: str) -> dict:
    response = requests.get(MAPS_URL, params={"q": address}, timeout=10)
    response.raise_for_status()
    return response.json()["results"][0]
`,
        'app/api/addresses.py': `from fastapi import APIRouter

from app.clients.maps import geocode

router = APIRouter()


@router.post("/addresses/validate")
def validate(payload: dict):
    location = geocode(payload["address"])
    return {"lat": location["lat"], "lng": location["lng"]}
`,
      }),
      steps: [
        { kind: 'noise', count: 3, fromHours: -24 * 30, toHours: -24 * 3 },
        { kind: 'deploy', release: 'v6.2.0', hours: -24 * 2.5 },
        { kind: 'noise', count: 3, fromHours: -24 * 2.4, toHours: -24 * 2.1 },
        { kind: 'deploy', release: 'v6.3.0', hours: -24 * 2 },
      ],
      crash: {
        errorType: 'ReadTimeout',
        canonicalKind: 'timeout',
        message: () => "HTTPSConnectionPool(host='maps.geoprovider.com', port=443): Read timed out. (read timeout=10)",
        messageTemplate: 'HTTPSConnectionPool(host=<str>, port=<num>): Read timed out. (read timeout=<num>)',
        frames: [
          { fn: 'validate', path: 'app/api/addresses.py', at: 'location = geocode(payload["address"])' },
          { fn: 'geocode', path: 'app/clients/maps.py', at: 'response = requests.get(MAPS_URL' },
          { fn: 'send', path: '/usr/local/lib/python3.12/site-packages/requests/adapters.py', line: 713, inApp: false },
        ],
        chain: [{ type: 'ReadTimeoutError', value: "HTTPSConnectionPool(host='maps.geoprovider.com', port=443): Read timed out. (read timeout=10)" }],
      },
      shape: { kind: 'step', base: 0, level: 13 },
      expected: { culprit: null, category: 'upstream_failure' },
    },
    {
      name: 'catalog-cache-ttl-jitter',
      description: 'The catalog cache drops its TTL jitter; all warmed keys expire together every hour and the database times out under the reload burst.',
      platform: 'python',
      files: pythonBase({
        'app/catalog/__init__.py': '',
        'app/catalog/cache.py': `import json
import os
import random

import redis

from app.catalog.store import load_product

r = redis.Redis.from_url(os.environ["REDIS_URL"])
CACHE_TTL = int(os.environ.get("CATALOG_CACHE_TTL", "3600"))


def ttl_with_jitter() -> int:
    return CACHE_TTL + random.randint(0, CACHE_TTL // 5)


def get_product(sku: str) -> dict:
    cached = r.get(f"product:{sku}")
    if cached:
        return json.loads(cached)
    product = load_product(sku)
    r.set(f"product:{sku}", json.dumps(product), ex=ttl_with_jitter())
    return product
`,
        'app/catalog/store.py': `from sqlalchemy import text

from app.db import SessionLocal


def load_product(sku: str) -> dict:
    with SessionLocal() as session:
        row = session.execute(text("SELECT * FROM products WHERE sku = :sku"), {"sku": sku}).one()
        return dict(row._mapping)
`,
        'app/api/catalog.py': `from fastapi import APIRouter

from app.catalog.cache import get_product

router = APIRouter()


@router.get("/products/{sku}")
def product(sku: str):
    return get_product(sku)
`,
      }),
      steps: [
        { kind: 'noise', count: 3, fromHours: -24 * 30, toHours: -24 * 5 },
        { kind: 'deploy', release: 'v7.0.0', hours: -24 * 4 },
        { kind: 'noise', count: 2, fromHours: -24 * 3, toHours: -7 },
        {
          kind: 'commit',
          label: 'culprit',
          message: 'catalog: deterministic cache TTL (easier to reason about)',
          hours: -3,
          edit: (r) => r.replace('app/catalog/cache.py', '    return CACHE_TTL + random.randint(0, CACHE_TTL // 5)\n', '    return CACHE_TTL\n'),
        },
        { kind: 'deploy', release: 'v7.1.0', hours: -1.5 },
      ],
      crash: {
        errorType: 'OperationalError',
        canonicalKind: 'database_error',
        message: () => '(psycopg2.errors.QueryCanceled) canceling statement due to statement timeout',
        messageTemplate: '(psycopg2.errors.QueryCanceled) canceling statement due to statement timeout',
        frames: [
          { fn: 'product', path: 'app/api/catalog.py', at: 'return get_product(sku)' },
          { fn: 'get_product', path: 'app/catalog/cache.py', at: 'product = load_product(sku)' },
          { fn: 'load_product', path: 'app/catalog/store.py', at: 'row = session.execute(' },
          { fn: 'do_execute', path: '/usr/local/lib/python3.12/site-packages/sqlalchemy/engine/default.py', line: 924, inApp: false },
        ],
      },
      shape: { kind: 'periodic', base: 0, level: 40, every: 60, width: 3 },
      after: 200,
      expected: { culprit: 'culprit', category: 'cache_stampede' },
    },
  ];
}

function javaBase(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'build.gradle': `plugins {
    id 'org.springframework.boot' version '3.2.4'
    id 'java'
}

dependencies {
    implementation 'org.springframework.boot:spring-boot-starter-web'
    implementation 'org.springframework.boot:spring-boot-starter-jdbc'
    implementation 'com.zaxxer:HikariCP:5.1.0'
    implementation 'org.postgresql:postgresql:42.7.3'
}
`,
    'README.md': '# orders\n\nOrder service.\n',
    'src/main/resources/application.yml': `spring:
  datasource:
    hikari:
      maximum-pool-size: 20
orders:
  maxBatchSize: 50
  discountsEnabled: true
`,
    'src/main/java/com/acme/orders/Order.java': `package com.acme.orders;

import java.math.BigDecimal;
import java.util.List;

public record Order(String id, Customer customer, List<OrderLine> lines, BigDecimal shipping) {
    public Customer getCustomer() { return customer; }
}
`,
    'src/main/java/com/acme/orders/OrderController.java': `package com.acme.orders;

import org.springframework.web.bind.annotation.*;

@RestController
@RequestMapping("/orders")
public class OrderController {
    private final OrderService orders;

    public OrderController(OrderService orders) { this.orders = orders; }

    @PostMapping("/{id}/price")
    public Priced price(@PathVariable String id) {
        return orders.price(id);
    }
}
`,
    ...extra,
  };
}

function javaPlans(): Plan[] {
  const service = `package com.acme.orders;

import java.math.BigDecimal;
import java.util.Optional;
import org.springframework.stereotype.Service;

@Service
public class OrderService {
    private final OrderRepository repository;
    private final DiscountPolicy discountPolicy;

    public OrderService(OrderRepository repository, DiscountPolicy discountPolicy) {
        this.repository = repository;
        this.discountPolicy = discountPolicy;
    }

    public Priced price(String id) {
        Order order = repository.find(id);
        BigDecimal subtotal = order.lines().stream().map(OrderLine::total).reduce(BigDecimal.ZERO, BigDecimal::add);
        BigDecimal discount = applyDiscount(order, subtotal);
        return new Priced(order.id(), subtotal, discount, subtotal.subtract(discount).add(order.shipping()));
    }

    BigDecimal applyDiscount(Order order, BigDecimal subtotal) {
        String tier = Optional.ofNullable(order.getCustomer()).map(Customer::getTier).orElse("standard");
        BigDecimal rate = discountPolicy.rateFor(tier);
        return subtotal.multiply(rate);
    }
}
`;
  return [
    {
      name: 'order-discount-npe',
      description: 'applyDiscount drops the Optional around the customer; guest orders throw NullPointerException.',
      platform: 'java',
      files: javaBase({ 'src/main/java/com/acme/orders/OrderService.java': service }),
      steps: [
        { kind: 'noise', count: 3, fromHours: -24 * 30, toHours: -24 * 5 },
        { kind: 'deploy', release: 'v2.7.0', hours: -24 * 4 },
        { kind: 'noise', count: 2, fromHours: -24 * 3, toHours: -12 },
        {
          kind: 'commit',
          label: 'culprit',
          message: 'orders: tier comes from the customer record',
          hours: -6,
          edit: (r) => r.replace('src/main/java/com/acme/orders/OrderService.java', 'String tier = Optional.ofNullable(order.getCustomer()).map(Customer::getTier).orElse("standard");', 'String tier = order.getCustomer().getTier();'),
        },
        { kind: 'deploy', release: 'v2.8.0', hours: -0.5 },
        // An unrelated deploy after onset: it must not be taken for the cause.
        { kind: 'noise', count: 1, fromHours: 0.1, toHours: 0.3 },
        { kind: 'deploy', release: 'v2.8.1', hours: 0.5 },
      ],
      crash: {
        errorType: 'java.lang.NullPointerException',
        canonicalKind: 'null_property_access',
        message: () => 'Cannot invoke "com.acme.orders.Customer.getTier()" because the return value of "com.acme.orders.Order.getCustomer()" is null',
        messageTemplate: 'Cannot invoke <str> because the return value of <str> is null',
        frames: [
          { fn: 'invoke', path: 'org/springframework/web/method/support/InvocableHandlerMethod.java', module: 'org.springframework.web.method.support.InvocableHandlerMethod', line: 254, inApp: false },
          { fn: 'price', path: 'src/main/java/com/acme/orders/OrderController.java', module: 'com.acme.orders.OrderController', at: 'return orders.price(id);' },
          { fn: 'price', path: 'src/main/java/com/acme/orders/OrderService.java', module: 'com.acme.orders.OrderService', at: 'BigDecimal discount = applyDiscount(order, subtotal);' },
          { fn: 'applyDiscount', path: 'src/main/java/com/acme/orders/OrderService.java', module: 'com.acme.orders.OrderService', at: 'String tier = order.getCustomer().getTier();' },
        ],
      },
      shape: { kind: 'step', base: 0, level: 8 },
      expected: { culprit: 'culprit', category: 'code_regression', blameFrame: 3 },
    },
    {
      name: 'event-bus-listener-leak',
      description: 'Each request registers a listener on a static list that is never cleared; the heap fills over hours.',
      platform: 'java',
      files: javaBase({
        'src/main/java/com/acme/orders/OrderService.java': service,
        'src/main/java/com/acme/orders/PdfRenderer.java': `package com.acme.orders;

public class PdfRenderer {
    public byte[] render(Priced priced) {
        StringBuilder html = new StringBuilder();
        html.append("<h1>").append(priced.id()).append("</h1>");
        return html.toString().getBytes();
    }
}
`,
        'src/main/java/com/acme/orders/EventBus.java': `package com.acme.orders;

import java.util.function.Consumer;

public class EventBus {
    public void publish(Object event) {
    }
}
`,
      }),
      steps: [
        { kind: 'noise', count: 3, fromHours: -24 * 30, toHours: -24 * 4 },
        { kind: 'deploy', release: 'v3.0.0', hours: -24 * 3 },
        { kind: 'noise', count: 2, fromHours: -24 * 2, toHours: -15 },
        {
          kind: 'commit',
          label: 'culprit',
          message: 'orders: notify listeners of price changes',
          hours: -10,
          edit: (r) =>
            r.write(
              'src/main/java/com/acme/orders/EventBus.java',
              `package com.acme.orders;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

public class EventBus {
    private static final List<Consumer<Object>> LISTENERS = new ArrayList<>();

    public static void register(Consumer<Object> listener) {
        LISTENERS.add(listener);
    }

    public void publish(Object event) {
        for (Consumer<Object> listener : LISTENERS) listener.accept(event);
    }
}
`,
            ),
        },
        { kind: 'deploy', release: 'v3.1.0', hours: -6 },
      ],
      crash: {
        errorType: 'java.lang.OutOfMemoryError',
        canonicalKind: 'out_of_memory',
        message: () => 'Java heap space',
        messageTemplate: 'Java heap space',
        frames: [
          { fn: 'render', path: 'src/main/java/com/acme/orders/PdfRenderer.java', module: 'com.acme.orders.PdfRenderer', at: 'return html.toString().getBytes();' },
          { fn: 'copyOf', path: 'java/util/Arrays.java', module: 'java.util.Arrays', line: 3537, inApp: false },
        ],
      },
      shape: { kind: 'ramp', base: 0, perMinute: 0.05, cap: 9 },
      after: 300,
      expected: { culprit: 'culprit', category: 'memory_leak' },
    },
    {
      name: 'batch-size-yaml-second-deploy',
      description: 'Second of two deploys sets orders.maxBatchSize to 0 in application.yml; the batcher divides by it. The first deploy edited the batcher.',
      platform: 'java',
      files: javaBase({
        'src/main/java/com/acme/orders/OrderBatcher.java': `package com.acme.orders;

import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

@Component
public class OrderBatcher {
    @Value("\${orders.maxBatchSize}")
    private int maxBatchSize;

    public List<List<Order>> split(List<Order> orders) {
        int total = orders.size();
        int batches = (total + maxBatchSize - 1) / maxBatchSize;
        List<List<Order>> out = new ArrayList<>(batches);
        for (int i = 0; i < total; i += maxBatchSize) out.add(orders.subList(i, Math.min(total, i + maxBatchSize)));
        return out;
    }

    public String describe(List<Order> orders) {
        return "batch of " + orders.size();
    }
}
`,
        'src/main/java/com/acme/orders/ExportJob.java': `package com.acme.orders;

public class ExportJob {
    private final OrderBatcher batcher;
    private final OrderRepository repository;

    public ExportJob(OrderBatcher batcher, OrderRepository repository) {
        this.batcher = batcher;
        this.repository = repository;
    }

    public void run() {
        var batches = batcher.split(repository.pending());
        batches.forEach(repository::export);
    }
}
`,
      }),
      steps: [
        { kind: 'noise', count: 3, fromHours: -24 * 30, toHours: -24 * 4 },
        {
          kind: 'commit',
          label: 'first-deploy-change',
          message: 'orders: clearer batch description',
          hours: -24 * 3,
          edit: (r) => r.replace('src/main/java/com/acme/orders/OrderBatcher.java', 'return "batch of " + orders.size();', 'return "batch of " + orders.size() + " orders";'),
        },
        { kind: 'deploy', release: 'v4.1.0', hours: -24 * 2 },
        { kind: 'noise', count: 2, fromHours: -24 * 2 + 1, toHours: -10 },
        {
          kind: 'commit',
          label: 'culprit',
          message: 'config: let the export job pick the batch size',
          hours: -5,
          edit: (r) => r.replace('src/main/resources/application.yml', '  maxBatchSize: 50', '  maxBatchSize: 0 # 0 = decided by the job'),
        },
        { kind: 'deploy', release: 'v4.2.0', hours: -0.4 },
      ],
      crash: {
        errorType: 'java.lang.ArithmeticException',
        canonicalKind: 'division_by_zero',
        message: () => '/ by zero',
        messageTemplate: '/ by zero',
        frames: [
          { fn: 'run', path: 'src/main/java/com/acme/orders/ExportJob.java', module: 'com.acme.orders.ExportJob', at: 'var batches = batcher.split(repository.pending());' },
          { fn: 'split', path: 'src/main/java/com/acme/orders/OrderBatcher.java', module: 'com.acme.orders.OrderBatcher', at: 'int batches = (total + maxBatchSize - 1) / maxBatchSize;' },
        ],
      },
      shape: { kind: 'step', base: 0, level: 3 },
      expected: { culprit: 'culprit', category: 'config_regression', envKey: 'orders.maxBatchSize' },
    },
    {
      name: 'hikari-traffic-surge',
      description: 'A marketing campaign doubles traffic two days after the last deploy; Hikari runs out of connections. No change is to blame.',
      platform: 'java',
      files: javaBase({
        'src/main/java/com/acme/orders/OrderService.java': service,
        'src/main/java/com/acme/orders/OrderRepository.java': `package com.acme.orders;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

@Repository
public class OrderRepository {
    private final JdbcTemplate jdbc;

    public OrderRepository(JdbcTemplate jdbc) { this.jdbc = jdbc; }

    public Order find(String id) {
        return jdbc.queryForObject("SELECT * FROM orders WHERE id = ?", OrderMapper.INSTANCE, id);
    }
}
`,
      }),
      steps: [
        { kind: 'noise', count: 4, fromHours: -24 * 30, toHours: -24 * 3 },
        { kind: 'deploy', release: 'v5.0.0', hours: -24 * 2.2 },
        { kind: 'noise', count: 2, fromHours: -24 * 2.1, toHours: -24 * 2.05 },
        { kind: 'deploy', release: 'v5.0.1', hours: -24 * 2 },
      ],
      crash: {
        errorType: 'java.sql.SQLTransientConnectionException',
        canonicalKind: 'timeout',
        message: () => 'HikariPool-1 - Connection is not available, request timed out after 30000ms.',
        messageTemplate: 'HikariPool-<num> - Connection is not available, request timed out after <num>ms.',
        frames: [
          { fn: 'price', path: 'src/main/java/com/acme/orders/OrderService.java', module: 'com.acme.orders.OrderService', at: 'Order order = repository.find(id);' },
          { fn: 'find', path: 'src/main/java/com/acme/orders/OrderRepository.java', module: 'com.acme.orders.OrderRepository', at: 'return jdbc.queryForObject(' },
          { fn: 'getConnection', path: 'HikariPool.java', module: 'com.zaxxer.hikari.pool.HikariPool', line: 181, inApp: false },
        ],
      },
      shape: { kind: 'ramp', base: 0, perMinute: 0.25, cap: 25 },
      expected: { culprit: null, category: 'connection_pool_exhaustion' },
    },
  ];
}

function goBase(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'go.mod': `module github.com/acme/sessions

go 1.22

require (
\tgithub.com/redis/go-redis/v9 v9.4.0
\tgithub.com/go-chi/chi/v5 v5.0.12
)
`,
    'go.sum': 'github.com/redis/go-redis/v9 v9.4.0 h1:abc=\ngithub.com/go-chi/chi/v5 v5.0.12 h1:def=\n',
    'README.md': '# sessions\n\nSession service.\n',
    'cmd/server/main.go': `package main

import (
\t"log"
\t"net/http"

\t"github.com/acme/sessions/internal/httpapi"
)

func main() {
\tlog.Fatal(http.ListenAndServe(":8080", httpapi.Routes()))
}
`,
    ...extra,
  };
}

function goPlans(): Plan[] {
  return [
    {
      name: 'session-user-nil-deref',
      description: 'A session lookup drops the nil check on the session user; anonymous sessions panic.',
      platform: 'go',
      files: goBase({
        'internal/sessions/store.go': `package sessions

import (
\t"context"
\t"errors"
)

type User struct {
\tID    string
\tEmail string
}

type Session struct {
\tID   string
\tUser *User
}

var ErrNotFound = errors.New("session not found")

type Store struct {
\tbackend Backend
}

func (s *Store) UserID(ctx context.Context, id string) (string, error) {
\tsess, err := s.backend.Load(ctx, id)
\tif err != nil {
\t\treturn "", err
\t}
\tif sess.User == nil {
\t\treturn "", nil
\t}
\treturn sess.User.ID, nil
}
`,
        'internal/httpapi/handlers.go': `package httpapi

import (
\t"encoding/json"
\t"net/http"
)

func (a *API) whoAmI(w http.ResponseWriter, r *http.Request) {
\tuserID, err := a.sessions.UserID(r.Context(), r.Header.Get("X-Session"))
\tif err != nil {
\t\thttp.Error(w, err.Error(), http.StatusUnauthorized)
\t\treturn
\t}
\tjson.NewEncoder(w).Encode(map[string]string{"user": userID})
}
`,
      }),
      steps: [
        { kind: 'noise', count: 3, fromHours: -24 * 30, toHours: -24 * 5 },
        { kind: 'deploy', release: 'v0.9.0', hours: -24 * 4 },
        { kind: 'noise', count: 2, fromHours: -24 * 3, toHours: -10 },
        {
          kind: 'commit',
          label: 'culprit',
          message: 'sessions: anonymous sessions are gone, simplify',
          hours: -4,
          edit: (r) => r.replace('internal/sessions/store.go', '\tif sess.User == nil {\n\t\treturn "", nil\n\t}\n', ''),
        },
        { kind: 'deploy', release: 'v0.10.0', hours: -0.3 },
      ],
      crash: {
        errorType: 'panic',
        canonicalKind: 'null_property_access',
        message: () => 'runtime error: invalid memory address or nil pointer dereference',
        messageTemplate: 'runtime error: invalid memory address or nil pointer dereference',
        frames: [
          { fn: 'net/http.HandlerFunc.ServeHTTP', path: '/usr/local/go/src/net/http/server.go', line: 2166, inApp: false },
          { fn: 'httpapi.(*API).whoAmI', path: 'internal/httpapi/handlers.go', at: 'userID, err := a.sessions.UserID(' },
          { fn: 'sessions.(*Store).UserID', path: 'internal/sessions/store.go', at: 'return sess.User.ID, nil' },
        ],
      },
      shape: { kind: 'step', base: 0, level: 10 },
      expected: { culprit: 'culprit', category: 'code_regression', blameFrame: 2 },
    },
    {
      name: 'go-redis-bump',
      description: 'go-redis is bumped to a version whose pipeline returns nil for missing keys; the session backend panics inside the library.',
      platform: 'go',
      files: goBase({
        'internal/sessions/redis.go': `package sessions

import (
\t"context"

\t"github.com/redis/go-redis/v9"
)

type RedisBackend struct {
\tclient *redis.Client
}

func (b *RedisBackend) Touch(ctx context.Context, ids []string) error {
\t_, err := b.client.Pipelined(ctx, func(p redis.Pipeliner) error {
\t\tfor _, id := range ids {
\t\t\tp.Expire(ctx, "session:"+id, ttl)
\t\t}
\t\treturn nil
\t})
\treturn err
}
`,
      }),
      steps: [
        { kind: 'noise', count: 3, fromHours: -24 * 30, toHours: -24 * 5 },
        { kind: 'deploy', release: 'v1.3.0', hours: -24 * 4 },
        {
          kind: 'commit',
          label: 'decoy',
          message: 'sessions: comment the pipeline batching',
          hours: -30,
          edit: (r) => r.replace('internal/sessions/redis.go', 'func (b *RedisBackend) Touch(', '// Touch extends the TTL of many sessions in one round trip.\nfunc (b *RedisBackend) Touch('),
        },
        {
          kind: 'commit',
          label: 'culprit',
          message: 'deps: bump go-redis to v9.5.1',
          hours: -8,
          edit: (r) => {
            r.replace('go.mod', 'github.com/redis/go-redis/v9 v9.4.0', 'github.com/redis/go-redis/v9 v9.5.1');
            r.replace('go.sum', 'github.com/redis/go-redis/v9 v9.4.0 h1:abc=', 'github.com/redis/go-redis/v9 v9.5.1 h1:xyz=');
          },
        },
        { kind: 'noise', count: 1, fromHours: -6, toHours: -2 },
        { kind: 'deploy', release: 'v1.4.0', hours: -0.5 },
      ],
      crash: {
        errorType: 'panic',
        canonicalKind: 'type_error',
        message: () => 'interface conversion: interface {} is nil, not *redis.BoolCmd',
        messageTemplate: 'interface conversion: interface {} is nil, not <type>',
        frames: [
          { fn: 'sessions.(*RedisBackend).Touch', path: 'internal/sessions/redis.go', at: '_, err := b.client.Pipelined(ctx' },
          { fn: 'redis.(*Client).Pipelined', path: '/root/go/pkg/mod/github.com/redis/go-redis/v9@v9.5.1/redis.go', line: 733, inApp: false },
          { fn: 'redis.(*Pipeline).Exec', path: '/root/go/pkg/mod/github.com/redis/go-redis/v9@v9.5.1/pipeline.go', line: 118, inApp: false },
        ],
      },
      shape: { kind: 'step', base: 0, level: 6 },
      expected: { culprit: 'culprit', category: 'dependency_regression' },
    },
    {
      name: 'partner-bank-deadline',
      description: 'The partner bank API stops answering within the deadline, a day and a half after the last deploy.',
      platform: 'go',
      files: goBase({
        'internal/bank/client.go': `package bank

import (
\t"context"
\t"encoding/json"
\t"net/http"
\t"time"
)

var httpClient = &http.Client{Timeout: 8 * time.Second}

func Accounts(ctx context.Context, customer string) ([]Account, error) {
\treq, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://api.partner-bank.com/v2/accounts?customer="+customer, nil)
\tresp, err := httpClient.Do(req)
\tif err != nil {
\t\treturn nil, err
\t}
\tdefer resp.Body.Close()
\tvar out []Account
\treturn out, json.NewDecoder(resp.Body).Decode(&out)
}
`,
        'internal/httpapi/accounts.go': `package httpapi

import (
\t"encoding/json"
\t"net/http"

\t"github.com/acme/sessions/internal/bank"
)

func (a *API) accounts(w http.ResponseWriter, r *http.Request) {
\taccounts, err := bank.Accounts(r.Context(), r.URL.Query().Get("customer"))
\tif err != nil {
\t\ta.fail(w, err)
\t\treturn
\t}
\tjson.NewEncoder(w).Encode(accounts)
}
`,
      }),
      steps: [
        { kind: 'noise', count: 3, fromHours: -24 * 30, toHours: -24 * 3 },
        { kind: 'deploy', release: 'v2.0.0', hours: -24 * 2.5 },
        {
          kind: 'commit',
          label: 'decoy',
          message: 'bank: close response bodies explicitly',
          hours: -24 * 2,
          edit: (r) => r.replace('internal/bank/client.go', '\tvar out []Account\n', '\tvar out []Account // decoded below\n'),
        },
        { kind: 'noise', count: 1, fromHours: -24 * 1.9, toHours: -24 * 1.8 },
        { kind: 'deploy', release: 'v2.1.0', hours: -36 },
      ],
      crash: {
        errorType: '*url.Error',
        canonicalKind: 'timeout',
        message: () => 'Get "https://api.partner-bank.com/v2/accounts?customer=c-2231": context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
        messageTemplate: 'Get <url>: context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
        frames: [
          { fn: 'httpapi.(*API).accounts', path: 'internal/httpapi/accounts.go', at: 'accounts, err := bank.Accounts(' },
          { fn: 'bank.Accounts', path: 'internal/bank/client.go', at: 'resp, err := httpClient.Do(req)' },
          { fn: 'net/http.(*Client).do', path: '/usr/local/go/src/net/http/client.go', line: 724, inApp: false },
        ],
      },
      shape: { kind: 'step', base: 0, level: 9 },
      expected: { culprit: null, category: 'upstream_failure' },
    },
  ];
}

/** Builds every scenario (or those named) into temporary repositories. Call `dispose()` on each. */
export function buildScenarios(options: { seed?: number; only?: string[] } = {}): BuiltScenario[] {
  const rng = new Rng(options.seed ?? 20250301);
  const built: BuiltScenario[] = [];
  try {
    PLANS.forEach((plan, index) => {
      if (options.only && !options.only.includes(plan.name)) return;
      built.push(build(plan, index, rng));
    });
  } catch (error) {
    for (const b of built) b.dispose();
    throw error;
  }
  return built;
}

export const SCENARIO_NAMES = PLANS.map((p) => p.name);
