import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeTimeline, TimelinePoint } from './timeline';

const start = Date.parse('2025-03-01T10:00:00Z');
const series = (counts: number[]): TimelinePoint[] => counts.map((count, i) => ({ at: new Date(start + i * 60_000).toISOString(), count }));
const minute = (i: number) => new Date(start + i * 60_000).toISOString();

void describe('analyzeTimeline', () => {
  void it('finds the onset and a step', () => {
    const t = analyzeTimeline(series([...Array(60).fill(0), ...Array(60).fill(12)]));
    assert.equal(t.onset, minute(60));
    assert.equal(t.shape, 'step');
    assert.equal(t.baselinePerMin, 0);
  });

  void it('ignores a single noisy minute', () => {
    const counts = Array(60).fill(1);
    counts[20] = 9;
    const t = analyzeTimeline(series([...counts, ...Array(30).fill(15)]));
    assert.equal(t.onset, minute(60));
  });

  void it('recognises gradual growth, periodic bursts and a burst that ended', () => {
    assert.equal(analyzeTimeline(series([...Array(60).fill(0), ...Array.from({ length: 180 }, (_, i) => Math.floor(i / 12))])).shape, 'gradual');
    assert.equal(analyzeTimeline(series([...Array(60).fill(0), ...Array.from({ length: 120 }, (_, i) => (i % 15 < 3 ? 20 : 0))])).shape, 'periodic');
    assert.equal(analyzeTimeline(series([...Array(60).fill(0), ...Array(40).fill(30), ...Array(60).fill(0)])).shape, 'burst');
  });

  void it('handles empty, flat and sparse series', () => {
    assert.equal(analyzeTimeline([]).shape, 'flat');
    assert.equal(analyzeTimeline(series(Array(30).fill(2))).onset, null);
    const sparse = analyzeTimeline(series([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1]));
    assert.equal(sparse.shape, 'sparse');
    assert.equal(sparse.onset, minute(10));
  });

  void it('fills missing minutes with zeros', () => {
    const t = analyzeTimeline([{ at: minute(0), count: 0 }, { at: minute(59), count: 0 }, ...series(Array(90).fill(10)).slice(60)]);
    assert.equal(t.onset, minute(60));
  });
});
