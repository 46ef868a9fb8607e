import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { planAlerts, type AlertCandidate } from '@faultline/detection';
import type { Signal } from '@faultline/schema';
import { alertIdOf, alertRows, alertTriggerOf, clusterLink, payloadFor, throttleStateOf, toCandidate } from './alert-candidates';

function signal(over: Partial<Signal> & Pick<Signal, 'id' | 'kind'>): Signal {
  return { project: 'shop', fingerprint: 'fp1', clusterId: 'cl_1', at: '2025-03-10T12:00:00.000Z', release: null, deployId: null, details: {}, ...over };
}

describe('alertTriggerOf / alertIdOf', () => {
  it('alerts on new clusters, spikes and regressions, not on issues that joined a cluster', () => {
    assert.equal(alertTriggerOf(signal({ id: 'cluster.new:shop:cl_1', kind: 'cluster.new' })), 'cluster.new');
    assert.equal(alertTriggerOf(signal({ id: 's', kind: 'spike' })), 'spike');
    assert.equal(alertTriggerOf(signal({ id: 'r', kind: 'regression' })), 'regression');
    assert.equal(alertTriggerOf(signal({ id: 'i', kind: 'issue.new', details: { joinedCluster: true } })), null);
    assert.equal(alertTriggerOf(signal({ id: 'i', kind: 'issue.new', details: { joinedCluster: false } })), 'cluster.new');
  });

  it('makes an issue.new that opened a cluster the same alert as that cluster.new', () => {
    const opened = signal({ id: 'issue.new:shop:fp1', kind: 'issue.new', details: { joinedCluster: false } });
    assert.equal(alertIdOf(opened), 'cluster.new:shop:cl_1');
    assert.equal(alertIdOf(signal({ id: 'cluster.new:shop:cl_1', kind: 'cluster.new' })), 'cluster.new:shop:cl_1');
  });
});

describe('toCandidate', () => {
  it('takes title and impact from the stored cluster and links to the API', () => {
    const c = toCandidate(signal({ id: 'spike:shop:cl_1:2025-03-10T12:00Z', kind: 'spike' }), 'spike', {
      impact: { clusterId: 'cl_1', fingerprints: ['fp1'], title: 'TypeError in cart', category: 'null_reference', events: 40, affectedUsers: 7, firstSeen: '', lastSeen: '' },
      tier: 'HIGH',
      deploy: { id: 'd1', release: '1.1.0' },
      publicUrl: 'https://faultline.example',
    });
    assert.equal(c.title, 'TypeError in cart');
    assert.deepEqual(c.impact, { events: 40, affectedUsers: 7, tier: 'HIGH' });
    assert.equal(c.links.cluster, 'https://faultline.example/api/v1/projects/shop/clusters/cl_1');
    assert.deepEqual(c.deploy, { id: 'd1', release: '1.1.0' });
    assert.equal(clusterLink('http://h', 'a b', 'c/d'), 'http://h/api/v1/projects/a%20b/clusters/c%2Fd');
  });
});

describe('throttleStateOf and alertRows', () => {
  const candidate = (n: number, trigger: AlertCandidate['trigger'] = 'cluster.new'): AlertCandidate => ({
    trigger,
    project: 'shop',
    clusterId: `cl_${n}`,
    title: `t${n}`,
    at: `2025-03-10T12:0${n}:00.000Z`,
    impact: { events: 1, affectedUsers: 1, tier: 'LOW' },
    deploy: null,
    links: { cluster: `http://h/${n}` },
    signalId: `${trigger}:shop:cl_${n}`,
  });
  const targets = [
    { kind: 'generic' as const, url: 'http://a/hook' },
    { kind: 'slack' as const, url: 'http://b/hook' },
  ];

  it('keys the stored last alerts like planAlerts does', () => {
    const state = throttleStateOf([
      { project: 'shop', clusterId: 'cl_1', trigger: 'spike', at: '2025-03-10T11:00:00.000Z' },
      { project: 'shop', clusterId: 'cl_1', trigger: 'spike', at: '2025-03-10T11:30:00.000Z' },
    ]);
    assert.deepEqual(state.lastAlertAt, { 'shop|cl_1|spike': '2025-03-10T11:30:00.000Z' });
    const plan = planAlerts([candidate(1, 'spike')], state, { cooldownMinutes: 60, digestThreshold: 5, now: '2025-03-10T12:00:00.000Z' });
    assert.equal(plan.suppressed[0]?.reason, 'cooldown');
  });

  it('stores a digest as one row per member alert per target, and suppressed alerts per target', () => {
    const plan = planAlerts([1, 2, 3].map((n) => candidate(n)).concat([candidate(4, 'spike')]), { lastAlertAt: { 'shop|cl_4|spike': '2025-03-10T11:59:00.000Z' } }, {
      cooldownMinutes: 60,
      digestThreshold: 3,
      now: '2025-03-10T12:10:00.000Z',
    });
    assert.equal(plan.send.length, 1);
    assert.equal(plan.send[0].kind, 'digest');
    const deliveries = targets.map((target) => ({
      item: plan.send[0],
      target,
      payload: JSON.stringify(payloadFor(plan.send[0], target.kind).body),
      outcome: { status: target.kind === 'generic' ? ('sent' as const) : ('failed' as const), attempts: target.kind === 'generic' ? 1 : 4, error: target.kind === 'generic' ? '' : 'HTTP 500' },
    }));
    const rows = alertRows(deliveries, plan, targets, '2025-03-10T12:10:00.000Z');
    assert.equal(rows.length, 3 * 2 + 2);
    assert.deepEqual(
      rows.filter((r) => r.status !== 'suppressed').map((r) => `${r.id} ${r.target} ${r.status} ${r.attempts}`).sort(),
      [
        'cluster.new:shop:cl_1 http://a/hook sent 1',
        'cluster.new:shop:cl_1 http://b/hook failed 4',
        'cluster.new:shop:cl_2 http://a/hook sent 1',
        'cluster.new:shop:cl_2 http://b/hook failed 4',
        'cluster.new:shop:cl_3 http://a/hook sent 1',
        'cluster.new:shop:cl_3 http://b/hook failed 4',
      ],
    );
    const suppressed = rows.filter((r) => r.status === 'suppressed');
    assert.deepEqual(suppressed.map((r) => `${r.id} ${r.target} ${r.lastError}`), ['spike:shop:cl_4 http://a/hook cooldown', 'spike:shop:cl_4 http://b/hook cooldown']);
    const digest = JSON.parse(rows[0].payload) as { type: string; count: number };
    assert.equal(digest.type, 'digest');
    assert.equal(digest.count, 3);
  });

  it('writes Slack blocks for slack targets and the versioned JSON for generic ones, with one id', () => {
    const item = { kind: 'single' as const, alert: candidate(1, 'regression') };
    const generic = payloadFor(item, 'generic');
    const slack = payloadFor(item, 'slack');
    assert.equal(generic.id, slack.id);
    assert.equal((generic.body as { schema: string }).schema, 'faultline.alert');
    assert.ok(Array.isArray((slack.body as { blocks: unknown[] }).blocks));
  });
});
