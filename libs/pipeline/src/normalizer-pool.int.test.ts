import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RawReport } from '@faultline/schema';
import { EventProcessor } from './event-processor';
import { WorkerPoolNormalizer } from './normalizer-pool';
import { InProcessNormalizer } from './report-normalizer';

const receivedAt = '2026-03-01T10:00:00.000Z';
const sentry = (n: number): RawReport => ({
  reportId: `r${n}`,
  project: 'shop',
  kind: 'sentry_event',
  receivedAt,
  sourceName: 'spec',
  payload: JSON.stringify({
    event_id: n.toString(16).padStart(32, '0'),
    timestamp: receivedAt,
    platform: 'node',
    exception: { values: [{ type: 'TypeError', value: `Cannot read properties of undefined (reading 'id') for user ${n}@example.com`, stacktrace: { frames: [{ function: `handler${n % 3}`, filename: 'src/app.js', lineno: n, in_app: true }] } }] },
  }),
});

describe('WorkerPoolNormalizer on worker threads', () => {
  it('gives the same results as the main thread, in order, across threads', async () => {
    const reports = [...Array.from({ length: 30 }, (_, i) => sentry(i + 1)), { ...sentry(99), payload: '{not json' }];
    const pool = new WorkerPoolNormalizer({ projects: [], symbolication: null }, 3);
    try {
      const threaded = await pool.normalize(reports);
      const inline = await new InProcessNormalizer(new EventProcessor()).normalize(reports);
      assert.deepEqual(threaded, inline);
      assert.equal(threaded.length, 31);
      assert.equal(threaded[30].kind, 'dead_letter');
      const first = threaded[0];
      assert.ok(first.kind === 'processed');
      const event = JSON.parse(first.records[0].value) as { id: string; message: string };
      assert.equal(event.id, (1).toString(16).padStart(32, '0'));
      assert.doesNotMatch(event.message, /@example\.com/, 'scrubbed on the worker');
    } finally {
      await pool.close();
    }
    await assert.rejects(pool.normalize([sentry(1)]), /closed/);
  });
});
