/**
 * The analyzer service on the real broker: a new cluster gets an analysis without anyone asking,
 * written by Claude (the real SDK against a local fake Messages API), or by the heuristic
 * analyzer when the API is down; an API request analyzes again; a replayed signal does not.
 */
import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '@faultline/config';
import { ApiQueries } from '@faultline/clickhouse';
import { RCA_TOOL_NAME } from '@faultline/analysis';
import { ClusteringEngine, clusterAnalyzerFor, createRuntime, type Runtime } from '@faultline/pipeline';
import type { CrashEvent, Signal } from '@faultline/schema';
import { AnalyzerModule } from '@faultline/service-analyzer';
import { ClustererModule } from '@faultline/service-clusterer';
import { hostServices, type ServiceHost } from '@faultline/service-ops';
import { expectEventually, makeCrashEvent, startFakeMessagesApi, testEnvironment, type FakeMessagesApi } from '@faultline/testing';

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

function crash(id: string, fn: string, file: string): CrashEvent {
  return makeCrashEvent({ id, fingerprint: `fp-${fn}`, project: 'web', timestamp: minutesAgo(3), userId: `u-${id}` }, [
    { function: 'handle', file: 'src/server.js', line: 3 },
    { function: fn, file, line: 12 },
  ]);
}

/** An honest analysis that cites evidence every pack has. */
const claudeAnswer = {
  summary: 'A null customer record reaches the pricing code.',
  category: 'code_regression',
  confidence: 0.7,
  rootCause: 'The handler passes an undefined record to the crashing function.',
  hypotheses: [
    { statement: 'The crashing function reads a property of undefined.', confidence: 0.7, evidenceIds: ['ev:stats', 'ev:timeline'], confirmIf: 'A request without a record reproduces it.', ruleOutIf: 'Every failing request had a record.' },
  ],
  suspectCommits: [],
  fix: { description: 'Guard the missing record.' },
  test: 'Call the function with an undefined record.',
  blastRadius: 'Every request without a record.',
  monitorAfterFix: ['The cluster rate returns to zero.'],
  rollbackPlan: 'Roll back the last deploy.',
  prevention: ['Type the record as optional.'],
  evidenceIds: ['ev:stats', 'ev:timeline'],
};

describe('analyzer service', () => {
  const { env, cleanup } = testEnvironment('analyzer');
  let fake: FakeMessagesApi;
  let mode: 'ok' | 'down' = 'ok';
  let runtime: Runtime;
  let host: ServiceHost;
  let reads: ApiQueries;

  before(async () => {
    fake = await startFakeMessagesApi(() =>
      mode === 'ok'
        ? { kind: 'tool_use', name: RCA_TOOL_NAME, input: claudeAnswer }
        : { kind: 'error', status: 500, type: 'api_error', message: 'internal error' },
    );
    const config = loadConfig({ ...env, ANTHROPIC_API_KEY: 'sk-test-fake', ANTHROPIC_BASE_URL: fake.baseURL, LLM_MAX_RETRIES: '1', LLM_TIMEOUT_MS: '5000', OPS_PORT: '0' }, {});
    runtime = createRuntime(config, 'analyzer-test');
    const clickhouse = await runtime.clickhouse();
    reads = new ApiQueries(clickhouse.client);
    host = await hostServices(
      runtime,
      [ClustererModule.register(runtime, new ClusteringEngine(clickhouse.client)), AnalyzerModule.register(runtime, await clusterAnalyzerFor(runtime))],
      { host: '127.0.0.1', port: 0, needs: { clickhouse: true, kafka: true } },
    );
  });

  after(async () => {
    await host?.close();
    await runtime?.close();
    await fake?.close();
    cleanup();
  });

  async function analysesOf(clusterId: string) {
    return reads.analyses('web', clusterId, { limit: 10, withEvidence: true });
  }

  it('analyzes a new cluster without being asked, with Claude through a forced tool', async () => {
    const producer = await runtime.producer();
    await producer.send('normalizedEvents', [crash('a1', 'priceOf', 'src/cart.js'), crash('a2', 'priceOf', 'src/cart.js')]);
    const [analysis] = await expectEventually(async () => {
      const rows = await analysesOf('cl_fp-priceOf');
      assert.equal(rows.length, 1);
      return rows;
    }, { timeoutMs: 60_000 });
    assert.equal(analysis.analyzer, 'claude');
    assert.equal(JSON.parse(analysis.document).summary, claudeAnswer.summary);
    assert.ok(JSON.parse(analysis.evidence ?? '{}').items.length > 0, 'the evidence pack is stored with the analysis');
    const request = fake.requests.at(-1)!.body;
    assert.deepEqual(request.tool_choice, { type: 'tool', name: RCA_TOOL_NAME, disable_parallel_tool_use: true });
    assert.match(JSON.stringify(request.system), /untrusted/i);
    assert.match(JSON.stringify(request.messages), /<evidence id=/);
  });

  it('falls back to the heuristic analyzer when the API is down, and says so', async () => {
    mode = 'down';
    const producer = await runtime.producer();
    await producer.send('normalizedEvents', [crash('b1', 'taxOf', 'src/tax.js')]);
    const [analysis] = await expectEventually(async () => {
      const rows = await analysesOf('cl_fp-taxOf');
      assert.equal(rows.length, 1);
      return rows;
    }, { timeoutMs: 60_000 });
    assert.equal(analysis.analyzer, 'heuristic');
    assert.notEqual(analysis.failureReason, '');
    mode = 'ok';
  });

  it('analyzes again on request, and not again for a replayed signal', async () => {
    const producer = await runtime.producer();
    const replayed: Signal = {
      id: 'cluster.new:web:cl_fp-priceOf',
      kind: 'cluster.new',
      project: 'web',
      fingerprint: 'fp-priceOf',
      clusterId: 'cl_fp-priceOf',
      at: minutesAgo(3),
      release: '1.0.0',
      deployId: null,
      details: {},
    };
    await producer.send('signals', [replayed]);
    await producer.send('analysisRequests', [{ project: 'web', clusterId: 'cl_fp-priceOf', reason: 'api', signalId: null, requestedAt: new Date().toISOString() }]);
    await expectEventually(async () => assert.equal((await analysesOf('cl_fp-priceOf')).length, 2), { timeoutMs: 60_000 });
    // The replayed signal was consumed too (its group moved past it) without a third analysis.
    await expectEventually(async () => {
      const text = await runtime.metrics.text();
      assert.match(text, /faultline_analyses_total\{analyzer="none",outcome="unchanged"\} [1-9]/);
    });
    assert.equal((await analysesOf('cl_fp-priceOf')).length, 2);
  });
});
