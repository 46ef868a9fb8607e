/**
 * Realistic Sentry-shaped crash events for benchmarks: a few dozen bugs across platforms, each
 * reached through several call paths, with variable messages, many users, releases and
 * environments. Deterministic for a seed.
 */
import { mulberry32 } from '@faultline/testing';

interface Bug {
  platform: 'javascript' | 'node' | 'python' | 'java';
  type: string;
  message: (r: () => number) => string;
  paths: string[][]; // function names, oldest first
  file: string;
  module: string;
}

const FRAMEWORK: Record<Bug['platform'], Array<{ function: string; filename: string; module?: string }>> = {
  javascript: [{ function: 'dispatchEvent', filename: 'https://cdn.example.com/static/js/vendor.9f8e7d6c.js' }],
  node: [{ function: 'processTicksAndRejections', filename: 'node:internal/process/task_queues' }],
  python: [{ function: 'handle', filename: '/usr/lib/python3.12/site-packages/django/core/handlers/base.py', module: 'django.core.handlers.base' }],
  java: [{ function: 'run', filename: 'Thread.java', module: 'java.lang.Thread' }],
};

function makeBugs(count: number, rand: () => number): Bug[] {
  const platforms: Bug['platform'][] = ['javascript', 'node', 'python', 'java'];
  const types: Record<Bug['platform'], string[]> = {
    javascript: ['TypeError', 'RangeError', 'Error'],
    node: ['TypeError', 'Error', 'TimeoutError'],
    python: ['KeyError', 'ValueError', 'AttributeError'],
    java: ['NullPointerException', 'IllegalStateException', 'IndexOutOfBoundsException'],
  };
  const nouns = ['cart', 'order', 'invoice', 'user', 'session', 'product', 'payment', 'coupon', 'shipment', 'review', 'search', 'profile'];
  const verbs = ['load', 'save', 'render', 'apply', 'compute', 'validate', 'fetch', 'parse', 'merge', 'sync'];
  const bugs: Bug[] = [];
  for (let i = 0; i < count; i++) {
    const platform = platforms[i % platforms.length];
    const noun = nouns[i % nouns.length];
    const type = types[platform][Math.floor(rand() * 3)];
    const crash = `${verbs[Math.floor(rand() * verbs.length)]}${noun[0].toUpperCase()}${noun.slice(1)}${i}`;
    const paths = [0, 1, 2].map((p) => [`handle${noun}Request${p}`, `${verbs[(i + p) % verbs.length]}${noun}Step${i}`, crash]);
    bugs.push({
      platform,
      type,
      message: (r) => `Failed to ${verbs[i % verbs.length]} ${noun} ${Math.floor(r() * 100000)} for user${Math.floor(r() * 5000)}@example.com`,
      paths,
      file: platform === 'java' ? `${noun[0].toUpperCase()}${noun.slice(1)}Service.java` : platform === 'python' ? `app/${noun}.py` : `src/${noun}/${noun}${i}.js`,
      module: platform === 'java' ? `com.shop.${noun}.${noun[0].toUpperCase()}${noun.slice(1)}Service` : platform === 'python' ? `app.${noun}` : `${noun}${i}`,
    });
  }
  return bugs;
}

export interface GeneratedEventsOptions {
  count: number;
  seed?: number;
  bugs?: number;
  /** Event timestamps: ms since epoch, or a function of the index. */
  timestamp?: (index: number) => number;
}

/** Yields Sentry event objects (as SDKs send them), one per call. */
export function* generateSentryEvents(options: GeneratedEventsOptions): Generator<Record<string, unknown>> {
  const rand = mulberry32(options.seed ?? 42);
  const bugs = makeBugs(options.bugs ?? 48, rand);
  const start = Date.now() - 3_600_000;
  for (let index = 0; index < options.count; index++) {
    // A skewed mix: a few bugs dominate, as in real incidents.
    const bug = bugs[Math.min(bugs.length - 1, Math.floor(Math.pow(rand(), 2.2) * bugs.length))];
    const path = bug.paths[Math.floor(rand() * bug.paths.length)];
    const frames = [
      ...FRAMEWORK[bug.platform].map((f) => ({ ...f, in_app: false })),
      ...path.map((fn, depth) => ({
        function: fn,
        filename: bug.platform === 'javascript' ? `https://cdn.example.com/static/js/app.${(index % 7).toString(16)}a1b2c3.js` : bug.file,
        module: bug.module,
        lineno: 10 + depth * 7 + Math.floor(rand() * 3),
        colno: bug.platform === 'javascript' || bug.platform === 'node' ? 5 + Math.floor(rand() * 40) : undefined,
        in_app: true,
      })),
    ];
    const ts = options.timestamp ? options.timestamp(index) : start + Math.floor((index / options.count) * 3_600_000);
    yield {
      event_id: (index + 1).toString(16).padStart(8, '0') + Math.floor(rand() * 0xffffffff).toString(16).padStart(8, '0') + '4c2d8f7a6b5c4d3e',
      timestamp: new Date(ts).toISOString(),
      platform: bug.platform,
      level: 'error',
      release: `shop@2.${4 + Math.floor(rand() * 2)}.0`,
      environment: rand() < 0.9 ? 'production' : 'staging',
      server_name: `web-${Math.floor(rand() * 12)}`,
      transaction: `/api/${bug.module.split('.').at(-1)}`,
      user: { id: `u${Math.floor(rand() * 20000)}` },
      tags: { region: ['eu-west-1', 'us-east-1', 'ap-south-1'][Math.floor(rand() * 3)] },
      contexts: { os: { name: 'Linux', version: '6.8' }, runtime: { name: bug.platform === 'java' ? 'JVM' : 'node', version: '24.1.0' } },
      exception: { values: [{ type: bug.type, value: bug.message(rand), stacktrace: { frames } }] },
    };
  }
}
