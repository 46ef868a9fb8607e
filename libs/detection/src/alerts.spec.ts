import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  nextThrottleState,
  planAlerts,
  retryDelaysMs,
  throttleKey,
  toGenericWebhookPayload,
  toSlackPayload,
  type AlertCandidate,
  type AlertSendItem,
  type SlackPayload,
} from './alerts';
import { mulberry32 } from './synthetic';

const NOW = '2024-05-01T12:00:00.000Z';

function candidate(overrides: Partial<AlertCandidate> = {}): AlertCandidate {
  const clusterId = overrides.clusterId ?? 'c1';
  const trigger = overrides.trigger ?? 'spike';
  return {
    trigger,
    project: 'shop',
    clusterId,
    title: 'TypeError: Cannot read properties of undefined (reading "id")',
    at: '2024-05-01T11:58:00.000Z',
    impact: { events: 120, affectedUsers: 37, tier: 'high' },
    deploy: { id: 'dep-9', release: '4.2.0' },
    links: { cluster: `https://faultline.example/shop/clusters/${clusterId}` },
    signalId: `${trigger}:${clusterId}:1`,
    ...overrides,
  };
}

const options = { cooldownMinutes: 60, digestThreshold: 3, now: NOW };

describe('planAlerts', () => {
  it('drops replays of the same signal', () => {
    const a = candidate();
    const plan = planAlerts([a, { ...a }, { ...a, at: '2024-05-01T11:59:00.000Z' }], { lastAlertAt: {} }, options);
    assert.deepEqual(plan.send, [{ kind: 'single', alert: a }]);
    assert.deepEqual(
      plan.suppressed.map((s) => s.reason),
      ['duplicate', 'duplicate'],
    );
  });

  it('sends one alert per cluster and trigger per cooldown', () => {
    const first = candidate({ signalId: 's1', at: '2024-05-01T11:50:00.000Z' });
    const second = candidate({ signalId: 's2', at: '2024-05-01T11:55:00.000Z' });
    const regression = candidate({ signalId: 's3', trigger: 'regression' });
    const plan = planAlerts([second, regression, first], { lastAlertAt: {} }, options);
    assert.deepEqual(
      plan.send.map((i) => (i.kind === 'single' ? i.alert.signalId : i.kind)),
      ['s1', 's3'],
    );
    assert.deepEqual(plan.suppressed, [{ alert: second, reason: 'cooldown' }]);
  });

  it('honours the stored throttle state, and lets the cluster alert again after the cooldown', () => {
    const a = candidate({ signalId: 's9' });
    const recent = { lastAlertAt: { [throttleKey(a)]: '2024-05-01T11:30:00.000Z' } };
    assert.deepEqual(planAlerts([a], recent, options).suppressed, [{ alert: a, reason: 'cooldown' }]);
    const old = { lastAlertAt: { [throttleKey(a)]: '2024-05-01T10:59:00.000Z' } };
    assert.equal(planAlerts([a], old, options).send.length, 1);
  });

  it('bundles many new clusters of one project into a digest, keeping spikes and other projects single', () => {
    const fresh = ['n1', 'n2', 'n3', 'n4'].map((id, i) => candidate({ trigger: 'cluster.new', clusterId: id, at: `2024-05-01T11:5${i}:00.000Z` }));
    const spike = candidate({ clusterId: 'c7' });
    const other = candidate({ trigger: 'cluster.new', project: 'blog', clusterId: 'b1' });
    const plan = planAlerts([spike, ...fresh, other], { lastAlertAt: {} }, options);
    const digests = plan.send.filter((i) => i.kind === 'digest');
    assert.equal(digests.length, 1);
    assert.deepEqual(digests[0], { kind: 'digest', project: 'shop', alerts: fresh });
    assert.deepEqual(
      plan.send.filter((i) => i.kind === 'single').map((i) => (i.kind === 'single' ? i.alert.clusterId : '')),
      ['b1', 'c7'], // oldest first, then by signal id
    );
    // Under the threshold they stay single.
    assert.ok(planAlerts(fresh.slice(0, 2), { lastAlertAt: {} }, options).send.every((i) => i.kind === 'single'));
  });

  it('records what was sent in the next throttle state and forgets expired keys', () => {
    const a = candidate({ clusterId: 'x' });
    const stale = { lastAlertAt: { 'shop|old|spike': '2024-05-01T09:00:00.000Z', 'shop|warm|spike': '2024-05-01T11:30:00.000Z' } };
    const plan = planAlerts([a], stale, options);
    assert.deepEqual(nextThrottleState(stale, plan, options), {
      lastAlertAt: { 'shop|warm|spike': '2024-05-01T11:30:00.000Z', 'shop|x|spike': NOW },
    });
  });

  it('rejects bad options', () => {
    assert.throws(() => planAlerts([], { lastAlertAt: {} }, { ...options, digestThreshold: 0 }), RangeError);
    assert.throws(() => planAlerts([], { lastAlertAt: {} }, { ...options, cooldownMinutes: -1 }), RangeError);
  });
});

describe('toGenericWebhookPayload', () => {
  it('is a versioned, typed JSON document', () => {
    const a = candidate();
    const body = toGenericWebhookPayload({ kind: 'single', alert: a });
    assert.deepEqual(JSON.parse(JSON.stringify(body)), {
      schema: 'faultline.alert',
      version: 1,
      type: 'alert',
      id: a.signalId,
      alert: {
        signalId: a.signalId,
        trigger: 'spike',
        project: 'shop',
        clusterId: 'c1',
        title: a.title,
        at: a.at,
        impact: { events: 120, affectedUsers: 37, tier: 'high' },
        deploy: { id: 'dep-9', release: '4.2.0' },
        links: { cluster: a.links.cluster },
      },
    });
  });

  it('gives a digest a stable id whatever the order of its alerts', () => {
    const alerts = ['n1', 'n2', 'n3'].map((id) => candidate({ trigger: 'cluster.new', clusterId: id, deploy: null }));
    const one = toGenericWebhookPayload({ kind: 'digest', project: 'shop', alerts });
    const two = toGenericWebhookPayload({ kind: 'digest', project: 'shop', alerts: [...alerts].reverse() });
    assert.equal(one.type, 'digest');
    assert.equal(one.id, two.id);
    assert.match(one.id, /^digest:shop:[0-9a-f]{8}$/);
    if (one.type === 'digest') {
      assert.equal(one.count, 3);
      assert.equal(one.alerts[0].deploy, null);
    }
  });
});

describe('toSlackPayload', () => {
  function allText(p: SlackPayload): string {
    return JSON.stringify(p.blocks);
  }

  it('renders blocks with a text fallback, escaping mrkdwn', () => {
    const a = candidate({ title: 'Error <script> & | friends', links: { cluster: 'https://x.example/c?a=1|2' } });
    const p = toSlackPayload({ kind: 'single', alert: a });
    assert.match(p.text, /^Crash spike in shop: Error <script> & \| friends \(120 events · 37 users · high\)$/);
    assert.deepEqual(
      p.blocks.map((b) => b.type),
      ['header', 'section', 'context'],
    );
    const section = p.blocks[1];
    assert.ok(section.type === 'section');
    assert.equal(section.text.text, '*<https://x.example/c?a=1%7C2|Error &lt;script&gt; &amp; ¦ friends>*');
    assert.equal(section.fields?.length, 4);
    assert.match(allText(p), /4\.2\.0 \(dep-9\)/);
    assert.ok(!/<script>/.test(allText(p).replace(/"type":"plain_text","text":"[^"]*"/g, '')));
  });

  it('keeps within Slack limits', () => {
    const a = candidate({ title: 'x'.repeat(5000) });
    const p = toSlackPayload({ kind: 'single', alert: a });
    const header = p.blocks[0];
    assert.ok(header.type === 'header' && header.text.text.length <= 150);
    const section = p.blocks[1];
    assert.ok(section.type === 'section' && section.text.text.length <= 3000);
    assert.ok(p.text.length <= 3000);
  });

  it('lists a digest, capped, with a count of the rest', () => {
    const alerts = Array.from({ length: 40 }, (_, i) => candidate({ trigger: 'cluster.new', clusterId: `n${i}` }));
    const item: AlertSendItem = { kind: 'digest', project: 'shop', alerts };
    const p = toSlackPayload(item);
    assert.equal(p.text, '40 new crash clusters in shop');
    const section = p.blocks[1];
    assert.ok(section.type === 'section');
    assert.equal(section.text.text.split('\n').length, 16);
    assert.match(section.text.text, /…and 25 more$/);
    assert.ok(section.text.text.length <= 3000);
  });
});

describe('retryDelaysMs', () => {
  it('doubles from the base up to the cap, jittered within the upper half of each step', () => {
    assert.deepEqual(retryDelaysMs(6, 1000, 10_000, () => 1), [1000, 2000, 4000, 8000, 10_000, 10_000]);
    assert.deepEqual(retryDelaysMs(6, 1000, 10_000, () => 0), [500, 1000, 2000, 4000, 5000, 5000]);
    const rand = mulberry32(7);
    const delays = retryDelaysMs(20, 250, 30_000, rand);
    delays.forEach((d, i) => {
      const cap = Math.min(30_000, 250 * 2 ** i);
      assert.ok(d >= cap / 2 && d <= cap, `attempt ${i}: ${d}`);
    });
    assert.deepEqual(retryDelaysMs(20, 250, 30_000, mulberry32(7)), delays); // deterministic given the jitter
  });

  it('clamps a misbehaving jitter source and validates its input', () => {
    assert.deepEqual(retryDelaysMs(2, 100, 1000, () => 7), [100, 200]);
    assert.deepEqual(retryDelaysMs(0, 100, 1000), []);
    assert.throws(() => retryDelaysMs(-1, 100, 1000), RangeError);
    assert.throws(() => retryDelaysMs(3, 0, 1000), RangeError);
    assert.throws(() => retryDelaysMs(3, 100, 50), RangeError);
    // Huge attempt counts stay bounded.
    assert.ok(retryDelaysMs(2000, 100, 60_000, () => 0.5).every((d) => d <= 60_000));
  });
});
