import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '@faultline/config';
import { Logger, Metrics } from '@faultline/observability';
import type { Runtime } from '@faultline/pipeline';
import { expectEventually } from '@faultline/testing';
import { DetectorLoop } from './detector.loop';
import type { DetectorService, TickResult } from './detector.service';
import { detectorOptions } from './options';

function fakeRuntime(): { runtime: Runtime; logs: string[] } {
  const logs: string[] = [];
  const runtime = { metrics: new Metrics({ defaultMetrics: false }), logger: new Logger('loop', 'debug', (line) => logs.push(line)) } as unknown as Runtime;
  return { runtime, logs };
}

const empty = (at: string): TickResult => ({ at, inferredDeploys: [], signals: [], republished: [], reopened: [], clustersScanned: 0 });

describe('DetectorLoop', () => {
  it('ticks at start and then every interval, never two at once, and survives a failed tick', async () => {
    const { runtime, logs } = fakeRuntime();
    let running = 0;
    let maxRunning = 0;
    let calls = 0;
    const detector = {
      async runOnce(now: Date) {
        calls += 1;
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((resolve) => setTimeout(resolve, 15));
        running -= 1;
        if (calls === 2) throw new Error('clickhouse went away');
        return empty(now.toISOString());
      },
    } as unknown as DetectorService;
    const loop = new DetectorLoop(runtime, detector, detectorOptions(loadConfig({}, {}), { intervalMs: 5 }));
    loop.onApplicationBootstrap();
    await expectEventually(() => assert.ok(calls >= 4));
    await loop.onModuleDestroy();
    const after = calls;
    // An absence can only be checked by waiting: several intervals pass without a tick.
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(calls, after, 'no tick after destroy');
    assert.equal(maxRunning, 1);
    assert.ok(logs.some((l) => l.includes('detector tick failed')));
    const text = await runtime.metrics.text();
    assert.match(text, /faultline_events_total\{stage="detector.tick",outcome="rejected",reason="tick_failed"\} 1/);
  });

  it('does not tick at all with intervalMs 0', async () => {
    const { runtime } = fakeRuntime();
    let calls = 0;
    const detector = { runOnce: async () => (calls++, empty('')) } as unknown as DetectorService;
    const loop = new DetectorLoop(runtime, detector, detectorOptions(loadConfig({}, {}), { intervalMs: 0 }));
    loop.onApplicationBootstrap();
    // An absence can only be checked by waiting.
    await new Promise((resolve) => setTimeout(resolve, 20));
    await loop.onModuleDestroy();
    assert.equal(calls, 0);
  });
});
