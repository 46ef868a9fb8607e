import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RawReport } from '@faultline/schema';
import { EventProcessor } from './event-processor';
import { InProcessNormalizer, normalizeInParts, type NormalizedReport, type ReportNormalizer } from './report-normalizer';

const sentryReport = (i: number): RawReport => ({
  reportId: `r${i}`,
  project: 'shop',
  kind: 'sentry_event',
  receivedAt: '2026-11-20T10:00:00.000Z',
  sourceName: 'test',
  payload:
    i % 7 === 3
      ? '{"broken":' // every seventh report is not JSON: a dead letter in its place
      : JSON.stringify({
          event_id: i.toString(16).padStart(32, '0'),
          timestamp: '2026-11-20T10:00:00Z',
          platform: 'node',
          exception: { values: [{ type: 'TypeError', value: `report ${i}`, stacktrace: { frames: [{ function: 'loadCart', filename: 'src/cart.js', lineno: 3 }] } }] },
        }),
});

/** The real normalizer, noting when each part starts and ends. */
class RecordingNormalizer implements ReportNormalizer {
  readonly log: string[] = [];
  private readonly inner = new InProcessNormalizer(new EventProcessor());
  private calls = 0;

  async normalize(reports: RawReport[]): Promise<NormalizedReport[]> {
    const part = this.calls++;
    this.log.push(`start ${part}`);
    const results = await this.inner.normalize(reports);
    this.log.push(`end ${part}`);
    return results;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

describe('normalizeInParts', () => {
  const reports = Array.from({ length: 25 }, (_, i) => sentryReport(i));

  it('hands over every part in order, one result per report, with all parts queued before the first is handed over', async () => {
    const normalizer = new RecordingNormalizer();
    const handed: NormalizedReport[][] = [];
    await normalizeInParts(normalizer, reports, 10, async (results) => {
      normalizer.log.push(`hand over ${handed.length}`);
      handed.push(results);
    });

    assert.deepEqual(handed.map((part) => part.length), [10, 10, 5]);
    const all = handed.flat();
    all.forEach((result, i) => assert.equal(result.kind, i % 7 === 3 ? 'dead_letter' : 'processed', `report ${i}`));
    // Queued at once: part 1 and 2 start before part 0 is handed over.
    assert.ok(normalizer.log.indexOf('start 2') < normalizer.log.indexOf('hand over 0'), normalizer.log.join(', '));
    assert.ok(normalizer.log.indexOf('hand over 0') < normalizer.log.indexOf('hand over 1'));
  });

  it('rejects when handing over fails, and stops handing over', async () => {
    let handedOver = 0;
    await assert.rejects(
      normalizeInParts(new RecordingNormalizer(), reports, 10, async () => {
        handedOver += 1;
        throw new Error('broker unavailable');
      }),
      /broker unavailable/,
    );
    assert.equal(handedOver, 1);
  });
});
