/**
 * The detector against the real broker and ClickHouse (embedded chDB, or CLICKHOUSE_URL), on synthetic
 * streams with known answers. Events go in through the clustering engine as the clusterer stores them,
 * with timestamps relative to now (inside the events TTL). Ticks are driven with an explicit `now`
 * (DetectorService.runOnce), and alert passes with AlertService.handle, so the answers are deterministic;
 * the last part hosts the detector and clusterer modules and measures a new cluster's alert latency.
 */
import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AlertsRepository, DetectionRepository, IssuesRepository, SignalsRepository, deployMarkerId, type ClickHouse } from '@faultline/clickhouse';
import { loadConfig, type FaultlineConfig } from '@faultline/config';
import type { GenericWebhookPayload } from '@faultline/detection';
import { ClusteringEngine, createRuntime, type Runtime } from '@faultline/pipeline';
import type { CrashEvent, Signal } from '@faultline/schema';
import { ClustererModule } from '@faultline/service-clusterer';
import { AlertService, DetectorModule, DetectorService, detectorOptions, type DetectorOptions, type TickResult } from '@faultline/service-detector';
import { hostServices, type ServiceHost } from '@faultline/service-ops';
import { expectEventually, makeCrashEvent, mulberry32, poisson, testEnvironment } from '@faultline/testing';

const MINUTE = 60_000;
/** The tick time: the middle of the current minute, so the current bucket holds 30 s of events. */
const NOW = Math.floor(Date.now() / MINUTE) * MINUTE + 30_000;
const iso = (ms: number) => new Date(ms).toISOString();
/** Retries in milliseconds, not seconds: same code path, short test. */
const FAST_DELIVERY: DetectorOptions['delivery'] = { attempts: 4, baseDelayMs: 20, maxDelayMs: 80, timeoutMs: 2_000, concurrency: 4 };

// ------------------------------------------------------------------ synthetic streams



/** One crash shape per (project, variant): distinct error types, frames and files, so distinct clusters. */
function crash(project: string, variant: string, id: string, atMs: number, release = '1.0.0', user: string | null = null): CrashEvent {
  return makeCrashEvent(
    {
      id,
      project,
      fingerprint: `fp-${project}-${variant}`,
      timestamp: iso(atMs),
      release,
      userId: user,
      errorType: `${variant.toUpperCase()}Error`,
      message: `${variant} failed in ${project}`,
      messageTemplate: `${variant} failed in ${project}`,
      canonicalKind: `${variant}_failure`,
    },
    [
      { function: `boot_${variant}`, file: `src/${project}/${variant}/index.js`, line: 3 },
      { function: `run_${variant}`, file: `src/${project}/${variant}/run.js`, line: 17 },
      { function: `fail_${variant}`, file: `src/${project}/${variant}/fail.js`, line: 42 },
    ],
  );
}

/**
 * Poisson counts per minute for minute offsets [from, to] relative to NOW's minute (0 = the current one,
 * whose events stay before NOW), spread inside each minute.
 */
function stream(project: string, variant: string, from: number, to: number, rate: (minuteMs: number) => number, seed: number, release = '1.0.0'): CrashEvent[] {
  const rand = mulberry32(seed);
  const base = Math.floor(NOW / MINUTE) * MINUTE;
  const out: CrashEvent[] = [];
  for (let m = from; m <= to; m++) {
    const start = base + m * MINUTE;
    const n = poisson(rand, rate(start));
    const span = m === 0 ? NOW - start - 1000 : MINUTE - 1000;
    for (let k = 0; k < n; k++) {
      out.push(crash(project, variant, `${project}-${variant}-${m}-${k}`, start + Math.floor(((k + 0.5) / n) * span), release, `u${Math.floor(rand() * 50)}`));
    }
  }
  return out;
}

// ------------------------------------------------------------------ webhook receiver

interface Hit {
  path: string;
  at: number;
  body: unknown;
  alertId: string | undefined;
}

/** A local webhook receiver: /fail-twice answers 500 twice then 200, /down always 500, anything else 200. */
async function startReceiver(): Promise<{ base: string; hits: Hit[]; server: Server }> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const path = req.url ?? '/';
      hits.push({ path, at: Date.now(), body: JSON.parse(body) as unknown, alertId: req.headers['x-faultline-alert-id'] as string | undefined });
      const seen = hits.filter((h) => h.path === path).length;
      const status = path === '/down' || (path === '/fail-twice' && seen <= 2) ? 500 : 200;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'receiver error');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, server };
}

const alertsAt = (hits: Hit[], path: string, project: string) =>
  hits
    .filter((h) => h.path === path)
    .map((h) => h.body as GenericWebhookPayload)
    .filter((b) => (b.type === 'alert' ? b.alert.project === project : b.project === project));

// ------------------------------------------------------------------ the tests

describe('detector service', () => {
  const { env, cleanup } = testEnvironment('detector');
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let config: FaultlineConfig;
  let runtime: Runtime;
  let clickhouse: ClickHouse;
  let engine: ClusteringEngine;
  let options: DetectorOptions;
  let detector: DetectorService;
  let alerts: AlertService;
  /** Every signal the ticks published to the signals topic: the hosted consumer replays them at the end. */
  const published: Signal[] = [];

  async function ingest(events: CrashEvent[]): Promise<Signal[]> {
    const signals: Signal[] = [];
    for (let i = 0; i < events.length; i += 2000) {
      const result = await engine.ingest(events.slice(i, i + 2000));
      await engine.markPublished(result.pendingSignals);
      signals.push(...result.pendingSignals);
    }
    return signals;
  }

  async function tick(at = NOW): Promise<TickResult> {
    const result = await detector.runOnce(new Date(at));
    published.push(...result.signals, ...result.republished);
    return result;
  }

  const ofProject = (signals: Signal[], project: string, kind?: Signal['kind']) => signals.filter((s) => s.project === project && (!kind || s.kind === kind));

  before(async () => {
    receiver = await startReceiver();
    config = loadConfig(
      {
        ...env,
        ALERT_WEBHOOKS: JSON.stringify([{ kind: 'generic', url: `${receiver.base}/main` }]),
        ALERT_COOLDOWN_MINUTES: '60',
        ALERT_DIGEST_THRESHOLD: '5',
        DETECTOR_INTERVAL_MS: '0',
        DETECTOR_DEPLOY_WINDOW_MINUTES: '30',
        FAULTLINE_PUBLIC_URL: 'https://faultline.example',
        METRICS_ENABLED: 'false',
        OPS_PORT: '0',
      },
      {},
    );
    runtime = createRuntime(config, 'detector-e2e');
    clickhouse = await runtime.clickhouse();
    engine = new ClusteringEngine(clickhouse.client);
    options = detectorOptions(config, { delivery: FAST_DELIVERY });
    detector = new DetectorService(clickhouse.client, runtime, options);
    alerts = new AlertService(clickhouse.client, runtime, options);
  });

  after(async () => {
    await runtime?.close();
    receiver?.server.closeAllConnections();
    await new Promise<void>((resolve) => (receiver ? receiver.server.close(() => resolve()) : resolve()));
    cleanup();
  });

  it('a steady baseline then a spike right after a deploy: one spike signal and one alert, attributed to the deploy', async () => {
    const baseline = stream('spiky', 'checkout', -180, -3, () => 2, 1);
    const spike = stream('spiky', 'checkout', -2, 0, () => 30, 2, '1.1.0');
    const opened = await ingest([...baseline, ...spike]);
    assert.equal(ofProject(opened, 'spiky', 'cluster.new').length, 1);
    const clusterId = ofProject(opened, 'spiky', 'cluster.new')[0].clusterId!;
    // The deploy of 1.1.0, 2.5 minutes before the tick, arriving as the deploys topic carries it.
    const deployedAt = iso(NOW - 150_000);
    await detector.recordDeploys([{ project: 'spiky', environment: 'production', release: '1.1.0', commitSha: 'abc1234', previousSha: null, deployedAt, changedFiles: [] }]);
    const deployId = deployMarkerId('spiky', 'production', '1.1.0', deployedAt);

    const result = await tick();
    const spikes = ofProject(result.signals, 'spiky', 'spike');
    assert.equal(spikes.length, 1, JSON.stringify(result.signals));
    const [signal] = spikes;
    assert.equal(signal.clusterId, clusterId);
    assert.match(signal.id, new RegExp(`^spike:spiky:${clusterId}:\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\dZ$`));
    assert.equal(signal.deployId, deployId);
    assert.equal(signal.release, '1.1.0');
    assert.ok(Date.parse(signal.at) >= NOW - 3 * MINUTE && Date.parse(signal.at) <= NOW);
    // Release 1.0.0 was never reported: inferred at its first event. 1.1.0 was reported: not inferred.
    const inferred = result.inferredDeploys.filter((d) => d.project === 'spiky');
    assert.deepEqual(inferred.map((d) => d.release), ['1.0.0']);
    assert.equal(inferred[0].deployedAt, baseline.map((e) => e.timestamp).sort()[0]);
    assert.ok(inferred[0].id.startsWith('inferred:'));
    // Stored through the outbox: recorded and marked published.
    const stored = await new SignalsRepository(clickhouse.client).unpublished('spiky', [signal.id]);
    assert.deepEqual(stored, []);
    assert.equal((await new SignalsRepository(clickhouse.client).list({ project: 'spiky', kinds: ['spike'] })).length, 1);

    const pass = await alerts.handle(result.signals, new Date(NOW));
    const got = alertsAt(receiver.hits, '/main', 'spiky');
    assert.equal(got.length, 1);
    assert.equal(got[0].type, 'alert');
    if (got[0].type !== 'alert') return;
    assert.equal(got[0].id, signal.id);
    assert.equal(got[0].alert.trigger, 'spike');
    assert.deepEqual(got[0].alert.deploy, { id: deployId, release: '1.1.0' });
    assert.equal(got[0].alert.links.cluster, `https://faultline.example/api/v1/projects/spiky/clusters/${clusterId}`);
    assert.equal(got[0].alert.impact.events, baseline.length + spike.length);
    assert.ok(got[0].alert.impact.affectedUsers > 0);
    assert.ok(got[0].alert.title.length > 0);
    assert.equal(pass.deliveries.length, 1);
    const rows = await new AlertsRepository(clickhouse.client).deliveries('spiky');
    assert.deepEqual(rows.map((r) => [r.id, r.trigger, r.status, r.attempts]), [[signal.id, 'spike', 'sent', 1]]);

    // The spike goes on: the next tick is the same episode, and a replayed signal is a duplicate.
    const again = await tick(NOW + 20_000);
    assert.deepEqual(ofProject(again.signals, 'spiky'), []);
    const replay = await alerts.handle([signal], new Date(NOW + 20_000));
    assert.deepEqual(replay.duplicates, [signal.id]);
    // Another detector instance (fresh process state) that finds the same spike publishes the same id,
    // and the alert pass that sees it drops it against the alerts table.
    const other = new AlertService(clickhouse.client, runtime, options);
    const fromOther = await other.handle([signal], new Date(NOW + 25_000));
    assert.deepEqual(fromOther.duplicates, [signal.id]);
    assert.equal(alertsAt(receiver.hits, '/main', 'spiky').length, 1);
  });

  it('a gentle daily seasonal pattern over three days: no spike, no alert', async () => {
    const day = 1440 * MINUTE;
    const rate = (ms: number) => 1.2 + 0.8 * Math.sin((2 * Math.PI * ms) / day);
    await ingest(stream('seasonal', 'report', -3 * 1440, 0, rate, 3));
    for (const at of [NOW, NOW - 7 * MINUTE, NOW - 61 * MINUTE, NOW - 6 * 60 * MINUTE]) {
      const result = await tick(at);
      assert.deepEqual(ofProject(result.signals, 'seasonal'), [], `tick at ${iso(at)}`);
    }
    assert.deepEqual(await new SignalsRepository(clickhouse.client).list({ project: 'seasonal', kinds: ['spike', 'regression'] }), []);
  });

  it('a short 3-minute burst on a quiet baseline: a spike alert, with no deploy to blame', async () => {
    const opened = await ingest([...stream('burst', 'search', -120, -3, () => 1, 4), ...stream('burst', 'search', -2, 0, () => 25, 5)]);
    const result = await tick();
    const spikes = ofProject(result.signals, 'burst', 'spike');
    assert.equal(spikes.length, 1);
    assert.equal(spikes[0].clusterId, ofProject(opened, 'burst', 'cluster.new')[0].clusterId);
    assert.equal(spikes[0].deployId, null);
    await alerts.handle(result.signals, new Date(NOW));
    const got = alertsAt(receiver.hits, '/main', 'burst');
    assert.equal(got.length, 1);
    assert.equal(got[0].type === 'alert' && got[0].alert.trigger, 'spike');
    assert.equal(got[0].type === 'alert' && got[0].alert.deploy, null);
  });

  it('a regression after a fix release reopens the issue; a straggler from an older release does not', async () => {
    await ingest([...stream('regress', 'payment', -90, -30, () => 1, 6, '1.9.0'), ...stream('regress', 'login', -90, -30, () => 1, 7, '1.9.0')]);
    const issues = new IssuesRepository(clickhouse.client);
    const resolvedAt = iso(NOW - 20 * MINUTE);
    for (const fingerprint of ['fp-regress-payment', 'fp-regress-login']) {
      await issues.setStatus({ project: 'regress', fingerprint, status: 'resolved_in_release', resolvedInRelease: '2.0.0', changedAt: resolvedAt, changedBy: 'api' });
    }
    // payment crashes again in the fix release; login only from a client still on 1.9.0.
    await ingest([crash('regress', 'payment', 'regress-payment-again', NOW - 5 * MINUTE, '2.0.0'), crash('regress', 'login', 'regress-login-straggler', NOW - 5 * MINUTE, '1.9.0')]);

    const result = await tick();
    const regressions = ofProject(result.signals, 'regress', 'regression');
    assert.deepEqual(regressions.map((s) => s.id), ['regression:regress:fp-regress-payment:2.0.0']);
    assert.equal(regressions[0].release, '2.0.0');
    assert.equal(regressions[0].at, iso(NOW - 5 * MINUTE));
    assert.ok(regressions[0].clusterId);
    assert.deepEqual(result.reopened.filter((r) => r.project === 'regress'), [{ project: 'regress', fingerprint: 'fp-regress-payment', release: '2.0.0' }]);
    const statuses = await issues.statuses('regress', ['fp-regress-payment', 'fp-regress-login']);
    assert.equal(statuses.get('fp-regress-payment')?.status, 'unresolved');
    assert.equal(statuses.get('fp-regress-payment')?.changedBy, 'detector');
    assert.equal(statuses.get('fp-regress-login')?.status, 'resolved_in_release');

    await alerts.handle(result.signals, new Date(NOW));
    const got = alertsAt(receiver.hits, '/main', 'regress');
    assert.equal(got.length, 1);
    assert.equal(got[0].type === 'alert' && got[0].alert.trigger, 'regression');
    // Reopened once: the next tick finds nothing more.
    assert.deepEqual(ofProject((await tick(NOW + 10_000)).signals, 'regress'), []);
  });

  it('a quiet stream: no signal at any tick, no alert', async () => {
    await ingest(stream('quiet', 'cron', -180, 0, () => 0.5, 8));
    for (const at of [NOW, NOW - 3 * MINUTE, NOW - 20 * MINUTE, NOW - 95 * MINUTE]) {
      assert.deepEqual(ofProject((await tick(at)).signals, 'quiet'), [], `tick at ${iso(at)}`);
    }
    assert.deepEqual(alertsAt(receiver.hits, '/main', 'quiet'), []);
  });

  it('many clusters opening at once go out as one digest', async () => {
    const variants = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'];
    const opened = await ingest(variants.map((v, i) => crash('storm', v, `storm-${v}`, NOW - 60_000 + i * 1000, '3.0.0')));
    assert.equal(ofProject(opened, 'storm', 'cluster.new').length, 6);
    const pass = await alerts.handle(opened, new Date(NOW));
    assert.equal(pass.deliveries.length, 1);
    const got = alertsAt(receiver.hits, '/main', 'storm');
    assert.equal(got.length, 1);
    assert.equal(got[0].type, 'digest');
    assert.equal(got[0].type === 'digest' && got[0].count, 6);
    const rows = await new AlertsRepository(clickhouse.client).deliveries('storm');
    assert.equal(rows.length, 6);
    assert.ok(rows.every((r) => r.status === 'sent' && r.trigger === 'cluster.new'));
  });

  it('webhook delivery: a receiver failing twice gets it on the third try (stored sent, attempts 3); one always failing is stored failed', async () => {
    const flaky = new AlertService(clickhouse.client, runtime, {
      ...options,
      webhooks: [
        { kind: 'generic', url: `${receiver.base}/fail-twice` },
        { kind: 'slack', url: `${receiver.base}/slack` },
      ],
    });
    const first = await ingest([crash('hooks', 'upload', 'hooks-upload-1', NOW - 30_000)]);
    const started = Date.now();
    await flaky.handle(first, new Date(NOW));
    const tries = receiver.hits.filter((h) => h.path === '/fail-twice');
    assert.equal(tries.length, 3);
    assert.ok(tries.every((h) => h.alertId === tries[0].alertId), 'the same alert id on every try');
    assert.ok(Date.now() - started >= FAST_DELIVERY.baseDelayMs / 2 + FAST_DELIVERY.baseDelayMs, 'backed off between tries');
    const slack = receiver.hits.filter((h) => h.path === '/slack').map((h) => h.body as { text: string; blocks: unknown[] });
    assert.equal(slack.length, 1);
    assert.match(slack[0].text, /^New crash cluster in hooks: /);
    const rows = await new AlertsRepository(clickhouse.client).deliveries('hooks');
    assert.deepEqual(
      rows.map((r) => [r.target.replace(receiver.base, ''), r.status, r.attempts, r.lastError]).sort(),
      [
        ['/fail-twice', 'sent', 3, ''],
        ['/slack', 'sent', 1, ''],
      ],
    );

    const down = new AlertService(clickhouse.client, runtime, { ...options, webhooks: [{ kind: 'generic', url: `${receiver.base}/down` }] });
    const second = await ingest([crash('hooks', 'resize', 'hooks-resize-1', NOW - 20_000)]);
    await down.handle(second, new Date(NOW));
    assert.equal(receiver.hits.filter((h) => h.path === '/down').length, FAST_DELIVERY.attempts);
    const failed = (await new AlertsRepository(clickhouse.client).deliveries('hooks')).filter((r) => r.target.endsWith('/down'));
    assert.equal(failed.length, 1);
    assert.equal(failed[0].status, 'failed');
    assert.equal(failed[0].attempts, FAST_DELIVERY.attempts);
    assert.equal(failed[0].lastError, 'HTTP 500: receiver error');
    const metrics = await runtime.metrics.text();
    assert.match(metrics, /faultline_alerts_total\{trigger="cluster.new",target="generic",outcome="failed"\} 1/);
  });

  describe('hosted: detector and clusterer modules on the real broker', () => {
    let host: ServiceHost;

    before(async () => {
      host = await hostServices(
        runtime,
        [DetectorModule.register(runtime, clickhouse.client, { delivery: FAST_DELIVERY }), ClustererModule.register(runtime, new ClusteringEngine(clickhouse.client))],
        { host: '127.0.0.1', port: 0, needs: { clickhouse: true, kafka: true } },
      );
    });
    after(async () => {
      await host?.close();
    });

    it('stores deploy markers from the deploys topic under the API id, once', async () => {
      const producer = await runtime.producer();
      const deploy = { project: 'live', environment: 'production', release: '5.0.0', commitSha: 'def5678', previousSha: null, deployedAt: iso(NOW - 10 * MINUTE), changedFiles: ['src/a.ts'] };
      await producer.send('deploys', [deploy, deploy]);
      const repo = new DetectionRepository(clickhouse.client);
      const stored = await expectEventually(async () => {
        const rows = await repo.deploys('live');
        assert.equal(rows.length, 1);
        return rows[0];
      });
      assert.equal(stored.id, deployMarkerId('live', 'production', '5.0.0', deploy.deployedAt));
      assert.equal(stored.inferred, false);
      assert.deepEqual(stored.changedFiles, ['src/a.ts']);
    });

    it("an alert reaches a local webhook receiver within seconds of a new cluster's first event", async () => {
      const producer = await runtime.producer();
      const latencies: number[] = [];
      for (const variant of ['warmup', 'measured']) {
        const sentAt = Date.now();
        await producer.send('normalizedEvents', [crash('live', variant, `live-${variant}-1`, Date.now(), '5.0.0')]);
        const alertId = `cluster.new:live:cl_${`fp-live-${variant}`.slice(0, 24)}`;
        const hit = await expectEventually(
          () => {
            const found = receiver.hits.find((h) => h.path === '/main' && h.alertId === alertId);
            assert.ok(found, `no alert yet for ${alertId}`);
            return found;
          },
          { timeoutMs: 30_000 },
        );
        latencies.push(hit.at - sentAt);
      }
      process.stderr.write(`detector alert latency (event produced → webhook received): first new cluster ${latencies[0]} ms, second ${latencies[1]} ms\n`);
      assert.ok(latencies[1] < 5_000, `alert took ${latencies[1]} ms`);
      const payload = receiver.hits.filter((h) => h.path === '/main' && (h.body as { alert?: { project: string } }).alert?.project === 'live').map((h) => h.body as GenericWebhookPayload);
      assert.equal(payload.length, 2, 'one alert per new cluster, though each event emits issue.new and cluster.new');
      assert.ok(payload.every((p) => p.type === 'alert' && p.alert.trigger === 'cluster.new'));
    });

    it('replays of signals alerted earlier (the ticks above) are not alerted again', async () => {
      await expectEventually(async () => {
        const text = await runtime.metrics.text();
        const processed = Number(/faultline_events_total\{stage="faultline-detector-signals",outcome="processed",reason="none"\} (\d+)/.exec(text)?.[1] ?? 0);
        // every tick signal, plus the live test's issue.new and cluster.new pairs
        assert.ok(processed >= published.length + 4, `processed ${processed} of ${published.length + 4}`);
      });
      for (const project of ['spiky', 'burst', 'regress']) assert.equal(alertsAt(receiver.hits, '/main', project).length, 1, project);
      const res = await fetch(`${host.url}/metrics`);
      assert.match(await res.text(), /faultline_alerts_total\{trigger="cluster.new",target="generic",outcome="sent"\}/);
      assert.equal((await fetch(`${host.url}/health/ready`)).status, 200);
    });
  });
});
