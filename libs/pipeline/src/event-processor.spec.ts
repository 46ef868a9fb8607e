import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '@faultline/config';
import type { RawReport } from '@faultline/schema';
import { eventProcessorFor } from './event-processor';

const report = (project: string, message: string, fn = 'loadCart'): RawReport => ({
  reportId: 'r1',
  project,
  kind: 'sentry_event',
  receivedAt: '2026-11-20T10:00:00.000Z',
  sourceName: 'test',
  payload: JSON.stringify({
    event_id: `${project}${fn}`.padEnd(32, '0').slice(0, 32).replace(/[^0-9a-f]/g, 'a'),
    timestamp: '2026-11-20T10:00:00Z',
    platform: 'node',
    exception: { values: [{ type: 'Error', value: message, stacktrace: { frames: [{ function: fn, filename: 'src/cart.js', lineno: 3, in_app: true }] } }] },
  }),
});

describe('eventProcessorFor: per-project scrubbing and grouping', () => {
  const config = loadConfig(
    {
      FAULTLINE_PROJECTS: JSON.stringify([
        { id: 'internal', publicKey: 'k'.repeat(32), scrub: { emails: false }, fingerprintRules: [{ match: { messageContains: 'quota' }, fingerprint: ['quota-exceeded'] }] },
        { id: 'public', publicKey: 'p'.repeat(32), scrub: { extraPatterns: ['order-\\d+'] } },
      ]),
    },
    {},
  );
  const processor = eventProcessorFor(config.projects, null);

  it('scrubs by each project’s rules, before anything is stored', async () => {
    const [internal] = (await processor.processReport(report('internal', 'mail to ann@example.com failed for order-42'))).events;
    const [pub] = (await processor.processReport(report('public', 'mail to ann@example.com failed for order-42'))).events;
    assert.match(internal.message, /ann@example\.com/);
    assert.match(internal.message, /order-42/);
    assert.doesNotMatch(pub.message, /ann@example\.com/);
    assert.doesNotMatch(pub.message, /order-42/);
    assert.doesNotMatch(pub.raw, /ann@example\.com/);
  });

  it('applies a project’s custom grouping rules, and only to that project', async () => {
    const a = (await processor.processReport(report('internal', 'quota reached', 'loadCart'))).events[0];
    const b = (await processor.processReport(report('internal', 'quota reached', 'saveCart'))).events[0];
    const c = (await processor.processReport(report('public', 'quota reached', 'loadCart'))).events[0];
    const d = (await processor.processReport(report('public', 'quota reached', 'saveCart'))).events[0];
    assert.equal(a.fingerprint, b.fingerprint, 'one rule-defined group whatever the stack');
    assert.notEqual(c.fingerprint, d.fingerprint, 'default grouping elsewhere');
  });

  it('refuses an invalid scrub pattern at start-up', () => {
    assert.throws(() => loadConfig({ FAULTLINE_PROJECTS: JSON.stringify([{ id: 'x', publicKey: 'x'.repeat(32), scrub: { extraPatterns: ['(unclosed'] } }]) }, {}), /regular expression/);
  });
});
