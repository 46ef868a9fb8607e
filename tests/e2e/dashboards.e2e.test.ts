/**
 * Keeps the Grafana dashboards and the Prometheus configuration honest:
 *  - every ClickHouse query in deploy/grafana/dashboards (panels, annotations, variables) runs, with
 *    the plugin's macros and the template variables substituted, against the migrated schema on
 *    embedded chDB (or CLICKHOUSE_URL) holding a few real rows, and returns rows;
 *  - every PromQL expression (dashboards and alert rules) names only metrics that libs/observability
 *    registers;
 *  - the provisioning and Prometheus YAML parse and point at each other.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '@faultline/config';
import { connectClickHouse, runMigrations, toClickHouseTime, type ClickHouse } from '@faultline/clickhouse';
import { Metrics } from '@faultline/observability';
import { ClusteringEngine } from '@faultline/pipeline';
import type { CrashEvent } from '@faultline/schema';
import { testEnvironment } from '@faultline/testing';

const CLICKHOUSE_UID = 'faultline-clickhouse';
const PROMETHEUS_UID = 'faultline-prometheus';

/** The repository root: the nearest ancestor holding deploy/grafana (the tests run from a compiled tree). */
function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (existsSync(join(dir, 'deploy', 'grafana', 'dashboards'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no deploy/grafana above ${__dirname}`);
    dir = parent;
  }
}
const ROOT = repoRoot();
const DASHBOARD_DIR = join(ROOT, 'deploy', 'grafana', 'dashboards');

// ------------------------------------------------------------------ dashboard model

interface DataSourceRef {
  type?: string;
  uid?: string;
}
interface Target {
  refId?: string;
  datasource?: DataSourceRef;
  rawSql?: string;
  expr?: string;
  format?: number;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  datasource?: DataSourceRef;
  targets?: Target[];
  panels?: Panel[];
  gridPos?: { h: number; w: number; x: number; y: number };
}
interface Variable {
  name: string;
  type: string;
  datasource?: DataSourceRef;
  query?: string | { rawSql?: string; query?: string };
  multi?: boolean;
  includeAll?: boolean;
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating?: { list: Variable[] };
  annotations?: { list: Array<{ name: string; builtIn?: number; datasource?: DataSourceRef; target?: Target }> };
}

interface Query {
  dashboard: string;
  where: string;
  language: 'sql' | 'promql';
  text: string;
}

function loadDashboards(): Array<{ file: string; dashboard: Dashboard }> {
  return readdirSync(DASHBOARD_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, dashboard: JSON.parse(readFileSync(join(DASHBOARD_DIR, file), 'utf8')) as Dashboard }));
}

function allPanels(panels: Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
}

/** Every query of a dashboard with the datasource it runs on (a target's own datasource wins over its panel's). */
function queriesOf(file: string, d: Dashboard): Query[] {
  const out: Query[] = [];
  const add = (where: string, ds: DataSourceRef | undefined, target: Target) => {
    if (ds?.uid === CLICKHOUSE_UID) out.push({ dashboard: file, where, language: 'sql', text: target.rawSql ?? '' });
    else if (ds?.uid === PROMETHEUS_UID) out.push({ dashboard: file, where, language: 'promql', text: target.expr ?? '' });
    else throw new Error(`${file} ${where}: unknown datasource ${JSON.stringify(ds)}`);
  };
  for (const panel of allPanels(d.panels)) {
    for (const target of panel.targets ?? []) add(`panel "${panel.title}" ${target.refId}`, target.datasource ?? panel.datasource, target);
  }
  for (const annotation of d.annotations?.list ?? []) {
    if (annotation.builtIn) continue;
    add(`annotation "${annotation.name}"`, annotation.datasource, annotation.target ?? {});
  }
  for (const variable of d.templating?.list ?? []) {
    if (variable.type !== 'query') continue;
    const text = typeof variable.query === 'string' ? variable.query : (variable.query?.rawSql ?? variable.query?.query ?? '');
    add(`variable ${variable.name}`, variable.datasource, { rawSql: text, expr: text });
  }
  return out;
}

// ------------------------------------------------------------------ macro and variable substitution

/** The argument list of a macro call starting at `open` (the index of its `(`), split on top-level commas. */
function macroArgs(sql: string, open: number): { args: string[]; end: number } {
  let depth = 0;
  let start = open + 1;
  const args: string[] = [];
  for (let i = open; i < sql.length; i++) {
    const ch = sql[i];
    if (ch === '(') depth += 1;
    else if (ch === ')') {
      depth -= 1;
      if (depth === 0) {
        args.push(sql.slice(start, i).trim());
        return { args, end: i + 1 };
      }
    } else if (ch === ',' && depth === 1) {
      args.push(sql.slice(start, i).trim());
      start = i + 1;
    }
  }
  throw new Error(`unbalanced macro call in: ${sql.slice(open, open + 80)}`);
}

function replaceMacro(sql: string, name: string, render: (args: string[]) => string): string {
  const marker = `${name}(`;
  let out = sql;
  for (let at = out.indexOf(marker); at >= 0; at = out.indexOf(marker)) {
    const { args, end } = macroArgs(out, at + name.length);
    out = out.slice(0, at) + render(args) + out.slice(end);
  }
  return out;
}

interface Scenario {
  name: string;
  from: number; // unix seconds
  to: number;
  intervalSeconds: number;
  /** Variable values; `null` for a multi-value variable set to All. */
  variables: Record<string, string[] | null>;
}

const sqlString = (v: string) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * What Grafana and the ClickHouse plugin (v4) would send: `$__conditionalAll` first (it looks at the
 * raw variable), then template variables, then the time macros. Anything left starting with `$`
 * is a macro or variable this test does not know, which fails the test rather than pass unchecked.
 */
function substitute(sql: string, s: Scenario): string {
  let out = replaceMacro(sql, '$__conditionalAll', ([condition, variable]) => {
    const name = variable.replace(/^\$\{?|\}$/g, '');
    if (!(name in s.variables)) throw new Error(`$__conditionalAll on unknown variable ${variable}`);
    return s.variables[name] === null ? '1=1' : condition;
  });
  out = out.replace(/\$\{(\w+)(?::(\w+))?\}|\$(?!__)(\w+)/g, (whole, braced: string | undefined, format: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare!;
    if (!(name in s.variables)) throw new Error(`unknown variable ${whole}`);
    const values = s.variables[name] ?? ['production', 'staging', ''];
    switch (format) {
      case 'sqlstring':
        return values.map(sqlString).join(',');
      case undefined:
        return values.length === 1 ? values[0] : `{${values.join(',')}}`;
      default:
        throw new Error(`unsupported variable format ${whole}`);
    }
  });
  out = replaceMacro(out, '$__timeFilter_ms', ([col]) => `${col} >= fromUnixTimestamp64Milli(${s.from * 1000}) AND ${col} <= fromUnixTimestamp64Milli(${s.to * 1000})`);
  out = replaceMacro(out, '$__timeFilter', ([col]) => `${col} >= toDateTime(${s.from}) AND ${col} <= toDateTime(${s.to})`);
  out = replaceMacro(out, '$__timeInterval_ms', ([col]) => `toStartOfInterval(toDateTime64(${col}, 3), INTERVAL ${s.intervalSeconds * 1000} millisecond)`);
  out = replaceMacro(out, '$__timeInterval', ([col]) => `toStartOfInterval(toDateTime(${col}), INTERVAL ${s.intervalSeconds} second)`);
  out = out
    .replaceAll('$__fromTime_ms', `fromUnixTimestamp64Milli(${s.from * 1000})`)
    .replaceAll('$__toTime_ms', `fromUnixTimestamp64Milli(${s.to * 1000})`)
    .replaceAll('$__fromTime', `toDateTime(${s.from})`)
    .replaceAll('$__toTime', `toDateTime(${s.to})`)
    .replaceAll('$__interval_ms', String(s.intervalSeconds * 1000))
    .replaceAll('$__interval_s', String(s.intervalSeconds));
  const leftover = /\$\w+|\$\{[^}]*\}/.exec(out);
  if (leftover) throw new Error(`unsupported macro or variable ${leftover[0]}`);
  return out;
}

// ------------------------------------------------------------------ seed data

const NOW = Date.now();
const ago = (minutes: number) => new Date(NOW - minutes * 60_000).toISOString();

function seedEvent(n: number, over: Partial<CrashEvent> & { fingerprint: string; frames: string[] }): CrashEvent {
  const { frames, ...rest } = over;
  const errorType = over.errorType ?? 'TypeError';
  const message = over.message ?? "Cannot read properties of undefined (reading 'total')";
  return {
    id: `dash-${n}`,
    project: 'shop',
    timestamp: ago(60 - n),
    receivedAt: ago(60 - n),
    platform: 'javascript',
    release: n % 2 === 0 ? '2.0.0' : '2.1.0',
    environment: n % 3 === 0 ? 'staging' : 'production',
    severity: 'error',
    errorType,
    message,
    messageTemplate: message,
    canonicalKind: 'null_property_access',
    exceptions: [{ type: errorType, value: message, module: null, mechanism: null, frames: frames.map((fn, i) => ({ function: fn, module: null, file: `src/${fn}.js`, line: 10 + i, column: 1, inApp: true })) }],
    userId: `user-${n % 4}`,
    tags: {},
    region: null,
    transaction: null,
    serverName: null,
    contexts: { os: null, device: null, browser: null, runtime: null },
    debugImages: [],
    source: { kind: 'native', name: 'dashboards-e2e', line: null },
    fingerprintParts: [],
    raw: '',
    ...rest,
  };
}

async function seed(ch: ClickHouse): Promise<void> {
  const events: CrashEvent[] = [];
  for (let n = 0; n < 12; n++) events.push(seedEvent(n, { fingerprint: 'f'.repeat(32), frames: ['main', 'checkout', 'applyDiscount'] }));
  for (let n = 12; n < 18; n++) {
    events.push(
      seedEvent(n, { fingerprint: '0'.repeat(32), frames: ['main', 'db', 'acquire'], errorType: 'TimeoutError', message: 'pool timeout after 5000 ms', canonicalKind: 'timeout', userId: null }),
    );
  }
  const engine = new ClusteringEngine(ch.client);
  const result = await engine.ingest(events);
  await engine.markPublished(result.pendingSignals);
  await ch.client.insert({
    table: 'deploys',
    format: 'JSONEachRow',
    values: [
      { id: 'd1', project: 'shop', environment: 'production', release: '2.1.0', commit_sha: 'abcdef1234', previous_sha: '', deployed_at: toClickHouseTime(ago(90)), changed_files: ['src/checkout.js'] },
      { id: 'd2', project: 'shop', environment: 'staging', release: '2.1.0', commit_sha: '', previous_sha: '', deployed_at: toClickHouseTime(ago(30)), changed_files: [] },
    ],
  });
  await ch.client.insert({
    table: 'issue_status',
    format: 'JSONEachRow',
    values: [{ project: 'shop', fingerprint: '0'.repeat(32), status: 'resolved', resolved_in_release: '', changed_at: toClickHouseTime(ago(1)), changed_by: 'test', version: 1 }],
  });
}

// ------------------------------------------------------------------ metric names

function registeredMetricNames(): Set<string> {
  const names = new Set<string>();
  for (const metric of new Metrics().registry.getMetricsAsArray()) {
    names.add(metric.name);
    const type = String(metric.type);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(metric.name + suffix);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(metric.name + suffix);
  }
  return names;
}

/** Metric names in a PromQL expression: every identifier starting `faultline_` (labels and functions never do). */
function metricNamesIn(expr: string): string[] {
  return [...expr.matchAll(/\b(faultline_[a-zA-Z0-9_:]*)/g)].map((m) => m[1]);
}

function assertBalanced(expr: string, where: string): void {
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  const stack: string[] = [];
  let quoted = false;
  for (const ch of expr) {
    if (ch === '"') quoted = !quoted;
    if (quoted) continue;
    if ('([{'.includes(ch)) stack.push(ch);
    else if (ch in pairs) assert.equal(stack.pop(), pairs[ch], `${where}: unbalanced ${ch} in ${expr}`);
  }
  assert.equal(stack.length, 0, `${where}: unclosed bracket in ${expr}`);
  assert.ok(!quoted, `${where}: unclosed quote in ${expr}`);
}

// ------------------------------------------------------------------ tests

describe('dashboards: every query runs against the real schema', () => {
  const dashboards = loadDashboards();
  const queries = dashboards.flatMap(({ file, dashboard }) => queriesOf(file, dashboard));
  const { env, cleanup } = testEnvironment('dash');
  const config = loadConfig(env, {});
  let ch: ClickHouse;

  before(async () => {
    ch = await connectClickHouse(config.clickhouse);
    await runMigrations(ch.client, config.clickhouse);
    await seed(ch);
  });

  after(async () => {
    await ch?.close();
    cleanup();
  });

  it('finds the expected dashboards, each well-formed', () => {
    assert.deepEqual(
      dashboards.map((d) => d.dashboard.uid).sort(),
      ['faultline-crash-rate', 'faultline-new-clusters', 'faultline-pipeline-health', 'faultline-releases', 'faultline-top-clusters'],
    );
    for (const { file, dashboard } of dashboards) {
      assert.ok(dashboard.title.startsWith('Faultline'), file);
      assert.ok(dashboard.schemaVersion >= 39, file);
      const panels = allPanels(dashboard.panels);
      assert.equal(new Set(panels.map((p) => p.id)).size, panels.length, `${file}: panel ids are unique`);
      for (const panel of panels) {
        if (panel.type === 'row') continue;
        assert.ok(panel.description && panel.description.length > 10, `${file} "${panel.title}" says what it shows`);
        assert.ok(panel.gridPos && panel.gridPos.x + panel.gridPos.w <= 24, `${file} "${panel.title}" fits the grid`);
        assert.ok((panel.targets ?? []).length > 0, `${file} "${panel.title}" has a query`);
        assert.equal(new Set(panel.targets!.map((t) => t.refId)).size, panel.targets!.length, `${file} "${panel.title}" refIds are unique`);
      }
    }
    assert.ok(queries.filter((q) => q.language === 'sql').length >= 15);
    assert.ok(queries.filter((q) => q.language === 'promql').length >= 10);
  });

  it('uses the plugin macros and template variables', () => {
    const sql = queries.filter((q) => q.language === 'sql').map((q) => q.text).join('\n');
    for (const macro of ['$__timeFilter(', '$__fromTime', '$__toTime', '$__timeInterval(', '$__interval_s', '$__conditionalAll(', '${project:sqlstring}']) {
      assert.ok(sql.includes(macro), `some query uses ${macro}`);
    }
    // Template values reach SQL only quoted and escaped by the sqlstring format.
    for (const q of queries.filter((x) => x.language === 'sql')) {
      assert.doesNotMatch(q.text.replace(/\$__conditionalAll\([^]*?, \$\w+\)/g, ''), /'\$\{?\w+\}?'|= \$(?!__)\w+\b/, `${q.dashboard} ${q.where}: interpolate variables with :sqlstring`);
    }
  });

  const scenarios: Scenario[] = [
    {
      name: 'one environment',
      from: Math.floor((NOW - 6 * 3_600_000) / 1000),
      to: Math.floor((NOW + 60_000) / 1000),
      intervalSeconds: 60,
      variables: { project: ['shop'], environment: ['production'] },
    },
    {
      name: 'all environments, 5-minute buckets',
      from: Math.floor((NOW - 24 * 3_600_000) / 1000),
      to: Math.floor((NOW + 60_000) / 1000),
      intervalSeconds: 300,
      variables: { project: ['shop'], environment: null },
    },
  ];

  for (const scenario of scenarios) {
    it(`runs every ClickHouse query (${scenario.name}) and gets rows`, async () => {
      const failures: string[] = [];
      for (const q of queries.filter((x) => x.language === 'sql')) {
        assert.ok(q.text.trim().length > 0, `${q.dashboard} ${q.where} is empty`);
        try {
          const sql = substitute(q.text, scenario);
          const result = await ch.client.query({ query: sql, format: 'JSONEachRow' });
          const rows = await result.json<Record<string, unknown>>();
          if (rows.length === 0) failures.push(`${q.dashboard} ${q.where}: no rows over the seeded data`);
        } catch (error) {
          failures.push(`${q.dashboard} ${q.where}: ${(error as Error).message.split('\n')[0]}`);
        }
      }
      assert.deepEqual(failures, []);
    });
  }

  it('computes sensible values on the seeded data', async () => {
    const scenario = scenarios[1];
    const run = async (file: string, title: string) => {
      const q = queries.find((x) => x.dashboard === file && x.where.startsWith(`panel "${title}"`));
      assert.ok(q, `${file} "${title}"`);
      return (await ch.client.query({ query: substitute(q.text, scenario), format: 'JSONEachRow' })).json<Record<string, unknown>>();
    };
    const releases = await run('releases.json', 'Releases: crashes, users and crash-free users (approximate)');
    for (const r of releases) {
      const pct = Number(r.crash_free_users_pct);
      assert.ok(pct >= 0 && pct <= 100, `crash-free ${pct}`);
    }
    assert.deepEqual([...new Set(releases.map((r) => r.release))].sort(), ['2.0.0', '2.1.0']);

    const top = await run('top-clusters.json', 'Top clusters by impact');
    assert.equal(top.reduce((sum, r) => sum + Number(r.events), 0), 18, 'every event is in one cluster');
    assert.ok(top.every((r) => Number(r.impact) > 0 && Number(r.impact) <= 100));
    assert.ok(top.some((r) => r.status === 'resolved'));

    const rate = await run('crash-rate.json', 'All crashes per minute, by environment');
    const total = rate.reduce((sum, r) => sum + Number(r.crashes_per_minute) * (scenario.intervalSeconds / 60), 0);
    assert.equal(Math.round(total), 18);

    const fresh = await run('new-clusters.json', 'New clusters in range');
    assert.ok(fresh.length >= 1 && fresh.every((r) => typeof r.title === 'string' && r.title !== ''));
  });

  it('names only registered metrics in PromQL panels', () => {
    const names = registeredMetricNames();
    const promql = queries.filter((q) => q.language === 'promql');
    for (const q of promql) {
      const used = metricNamesIn(q.text);
      assert.ok(used.length > 0, `${q.dashboard} ${q.where} queries a Faultline metric`);
      for (const name of used) assert.ok(names.has(name), `${q.dashboard} ${q.where}: ${name} is not in libs/observability Metrics`);
      assertBalanced(q.text, `${q.dashboard} ${q.where}`);
    }
    const covered = new Set(promql.flatMap((q) => metricNamesIn(q.text)));
    for (const needed of ['faultline_consumer_lag', 'faultline_events_total', 'faultline_llm_tokens_total', 'faultline_ingest_requests_total']) {
      assert.ok(covered.has(needed), `pipeline health shows ${needed}`);
    }
  });

  it('provisions the datasources the dashboards reference', () => {
    const dir = join(ROOT, 'deploy', 'grafana', 'provisioning');
    const datasources = readdirSync(join(dir, 'datasources')).flatMap(
      (f) => (parseYaml(readFileSync(join(dir, 'datasources', f), 'utf8')) as { datasources: Array<{ uid: string; type: string; jsonData?: Record<string, unknown> }> }).datasources,
    );
    const byUid = new Map(datasources.map((d) => [d.uid, d]));
    assert.equal(byUid.get(CLICKHOUSE_UID)?.type, 'grafana-clickhouse-datasource');
    assert.equal(byUid.get(CLICKHOUSE_UID)?.jsonData?.defaultDatabase, 'faultline');
    assert.equal(byUid.get(PROMETHEUS_UID)?.type, 'prometheus');
    const providers = (parseYaml(readFileSync(join(dir, 'dashboards', 'faultline.yml'), 'utf8')) as { providers: Array<{ options: { path: string } }> }).providers;
    assert.equal(providers[0].options.path, '/var/lib/grafana/dashboards');
    for (const { file, dashboard } of dashboards) {
      for (const panel of allPanels(dashboard.panels)) {
        for (const target of panel.targets ?? []) {
          const uid = (target.datasource ?? panel.datasource)?.uid;
          assert.ok(uid && byUid.has(uid), `${file} "${panel.title}" uses a provisioned datasource (${uid})`);
        }
      }
    }
  });
});

describe('prometheus: scrape config and alert rules', () => {
  const dir = join(ROOT, 'deploy', 'prometheus');
  const config = parseYaml(readFileSync(join(dir, 'prometheus.yml'), 'utf8')) as {
    global: { scrape_interval: string };
    rule_files: string[];
    scrape_configs: Array<{ job_name: string; metrics_path?: string; static_configs: Array<{ targets: string[] }> }>;
  };
  const rules = parseYaml(readFileSync(join(dir, 'alerts.yml'), 'utf8')) as {
    groups: Array<{ name: string; rules: Array<{ alert: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }> }>;
  };

  it('scrapes the gateway, the API and every worker ops port', () => {
    const targets = config.scrape_configs.flatMap((job) => job.static_configs.flatMap((s) => s.targets));
    for (const target of ['ingest-gateway:8000', 'api:8080', 'normalizer:9464', 'clusterer:9464', 'detector:9464', 'analyzer:9464']) {
      assert.ok(targets.includes(target), target);
    }
    assert.match(config.global.scrape_interval, /^\d+[smh]$/);
    assert.deepEqual(config.rule_files, ['/etc/prometheus/alerts.yml'], 'docker-compose mounts deploy/prometheus at /etc/prometheus');
    assert.equal(new Set(config.scrape_configs.map((j) => j.job_name)).size, config.scrape_configs.length);
  });

  it('has well-formed rules over registered metrics, including lag, DLQ, ingest refusals and alert delivery', () => {
    const names = registeredMetricNames();
    const all = rules.groups.flatMap((g) => g.rules);
    assert.equal(new Set(all.map((r) => r.alert)).size, all.length, 'alert names are unique');
    for (const rule of all) {
      assert.match(rule.alert, /^Faultline[A-Za-z]+$/);
      assert.match(rule.for ?? '', /^\d+[smh]$/, `${rule.alert} has a for: duration`);
      assert.ok(['critical', 'warning', 'info'].includes(rule.labels?.severity ?? ''), `${rule.alert} severity`);
      assert.ok(rule.annotations?.summary, `${rule.alert} summary`);
      assertBalanced(rule.expr, rule.alert);
      for (const name of metricNamesIn(rule.expr)) assert.ok(names.has(name), `${rule.alert}: ${name} is not in libs/observability Metrics`);
    }
    const byName = new Map(all.map((r) => [r.alert, r]));
    assert.match(byName.get('FaultlineConsumerLagGrowing')!.expr, /deriv\(faultline_consumer_lag\[10m\]\)\)? > 0/);
    assert.equal(byName.get('FaultlineConsumerLagGrowing')!.for, '15m');
    assert.match(byName.get('FaultlineDeadLetters')!.expr, /rate\(faultline_events_total\{outcome="dead_lettered"\}\[5m\]\)\) > 0/);
    assert.match(byName.get('FaultlineIngestRefusals')!.expr, /faultline_ingest_requests_total\{outcome!="accepted"\}/);
    assert.match(byName.get('FaultlineAlertDeliveryFailing')!.expr, /faultline_alerts_total\{outcome="failed"\}/);
  });
});
