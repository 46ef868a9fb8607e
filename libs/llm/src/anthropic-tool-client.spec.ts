import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeHandler, startFakeMessagesApi } from '@faultline/testing';
import { AnthropicToolClient, AnthropicToolClientOptions, ToolCallRequest, UsageReport } from './anthropic-tool-client';
import { LlmBudgetExceededError, LlmPermanentError, LlmRetriableError } from './errors';

const tool = {
  name: 'record_answer',
  description: 'Record the answer.',
  input_schema: { type: 'object' as const, properties: { answer: { type: 'string' } }, required: ['answer'] },
};
const request: ToolCallRequest = { system: 'You answer questions.', messages: [{ role: 'user', content: 'What is 2+2?' }], tool, maxTokens: 200 };
const answer = { kind: 'tool_use' as const, name: 'record_answer', input: { answer: '4' } };

async function withFake(handler: FakeHandler, options: Partial<AnthropicToolClientOptions>, body: (client: AnthropicToolClient, api: Awaited<ReturnType<typeof startFakeMessagesApi>>) => Promise<void>) {
  const api = await startFakeMessagesApi(handler);
  try {
    const client = new AnthropicToolClient({
      apiKey: 'sk-test',
      baseURL: api.baseURL,
      model: 'claude-test-model',
      timeoutMs: 2_000,
      maxRetries: 2,
      tokenBudgetPerHour: 1_000_000,
      baseRetryDelayMs: 5,
      ...options,
    });
    await body(client, api);
  } finally {
    await api.close();
  }
}

void describe('AnthropicToolClient', () => {
  void it('forces the tool, caches the system prompt, and reports usage and cost', async () => {
    const reports: UsageReport[] = [];
    const pricing = { inputPerMTok: 3, outputPerMTok: 15, cacheReadPerMTok: 0.3, cacheWritePerMTok: 3.75 };
    await withFake(() => answer, { pricing, onUsage: (u) => reports.push(u) }, async (client, api) => {
      const result = await client.callTool(request);
      assert.deepEqual(result.input, { answer: '4' });
      assert.match(result.toolUseId ?? '', /^toolu_/);
      assert.match(result.requestId ?? '', /^req_fake_/);
      assert.equal(result.stopReason, 'tool_use');
      assert.equal(result.attempts, 1);

      const body = api.requests[0].body;
      assert.equal(body.model, 'claude-test-model');
      assert.equal(body.max_tokens, 200);
      assert.deepEqual(body.system, [{ type: 'text', text: 'You answer questions.', cache_control: { type: 'ephemeral' } }]);
      assert.deepEqual(body.tools, [tool]);
      assert.deepEqual(body.tool_choice, { type: 'tool', name: 'record_answer', disable_parallel_tool_use: true });
      assert.deepEqual(body.messages, request.messages);

      assert.equal(reports.length, 1);
      const u = reports[0];
      assert.ok(u.cacheCreationInputTokens > 0, 'the first call writes the cache');
      assert.equal(u.totalTokens, u.inputTokens + u.outputTokens + u.cacheReadInputTokens + u.cacheCreationInputTokens);
      const expected = (u.inputTokens * 3 + u.outputTokens * 15 + u.cacheReadInputTokens * 0.3 + u.cacheCreationInputTokens * 3.75) / 1e6;
      assert.ok(Math.abs((u.costUsd ?? -1) - expected) < 1e-12);
      assert.equal(client.tokensUsedThisHour(), u.totalTokens);

      await client.callTool(request);
      assert.ok(reports[1].cacheReadInputTokens > 0, 'the second call reads the cached prefix');
    });
  });

  void it('retries a 429 after the retry-after the server asked for', async () => {
    await withFake(
      (req) => (req.index === 0 ? { kind: 'error', status: 429, type: 'rate_limit_error', message: 'Number of requests has exceeded your rate limit', headers: { 'retry-after': '1' } } : answer),
      {},
      async (client, api) => {
        const started = Date.now();
        const result = await client.callTool(request);
        assert.deepEqual(result.input, { answer: '4' });
        assert.equal(result.attempts, 2);
        assert.equal(api.requests.length, 2);
        assert.ok(Date.now() - started >= 950, 'waited for retry-after: 1');
      },
    );
  });

  void it('does not retry a spend-limit 429, whatever way the body says it', async () => {
    const bodies = [
      { kind: 'error' as const, status: 429, type: 'rate_limit_error', message: 'limit reached', errorCode: 'enforced_spend_limit_reached', headers: { 'retry-after': '1' } },
      { kind: 'error' as const, status: 429, type: 'rate_limit_error', message: 'You have reached your specified API usage limits. You will regain access on 2026-01-01.' },
      { kind: 'error' as const, status: 429, type: 'billing_error', message: 'Your credit balance is too low to access the Anthropic API.' },
    ];
    for (const reply of bodies) {
      await withFake(
        () => reply,
        {},
        async (client, api) => {
          await assert.rejects(client.callTool(request), (e: unknown) => e instanceof LlmPermanentError && e.reason === 'spend_limit' && e.details.status === 429);
          assert.equal(api.requests.length, 1, `not retried: ${reply.message}`);
          assert.equal(client.tokensUsedThisHour(), 0, 'the reservation is given back');
        },
      );
    }
  });

  void it('retries 529 and 5xx with backoff, then gives up with a retriable error', async () => {
    await withFake(
      (req) => (req.index % 2 === 0 ? { kind: 'error', status: 529, type: 'overloaded_error', message: 'Overloaded' } : { kind: 'error', status: 503, type: 'api_error', message: 'unavailable' }),
      { maxRetries: 2 },
      async (client, api) => {
        await assert.rejects(client.callTool(request), (e: unknown) => e instanceof LlmRetriableError && e.reason === 'overloaded' && e.details.attempts === 3);
        assert.equal(api.requests.length, 3);
      },
    );
    await withFake(
      (req) => (req.index < 2 ? { kind: 'error', status: 500, type: 'api_error', message: 'boom' } : answer),
      { maxRetries: 2 },
      async (client) => {
        assert.equal((await client.callTool(request)).attempts, 3);
      },
    );
  });

  void it('hands a long retry-after back to the caller instead of sleeping on it', async () => {
    await withFake(
      () => ({ kind: 'error', status: 429, type: 'rate_limit_error', message: 'slow down', headers: { 'retry-after': '120' } }),
      { maxRetryDelayMs: 10_000 },
      async (client, api) => {
        await assert.rejects(client.callTool(request), (e: unknown) => e instanceof LlmRetriableError && e.reason === 'rate_limited' && e.details.retryAfterMs === 120_000);
        assert.equal(api.requests.length, 1);
      },
    );
  });

  void it('times out a hung request and retries it', async () => {
    await withFake(
      (req) => (req.index === 0 ? { kind: 'hang' } : answer),
      { timeoutMs: 150, maxRetries: 1 },
      async (client, api) => {
        assert.equal((await client.callTool(request)).attempts, 2);
        assert.equal(api.requests.length, 2);
      },
    );
    await withFake(
      () => ({ kind: 'hang' }),
      { timeoutMs: 100, maxRetries: 0 },
      async (client) => {
        await assert.rejects(client.callTool(request), (e: unknown) => e instanceof LlmRetriableError && e.reason === 'timeout');
      },
    );
  });

  void it('does not retry authentication or invalid-request errors', async () => {
    await withFake(
      () => ({ kind: 'error', status: 401, type: 'authentication_error', message: 'invalid x-api-key' }),
      {},
      async (client, api) => {
        await assert.rejects(client.callTool(request), (e: unknown) => e instanceof LlmPermanentError && e.reason === 'authentication');
        assert.equal(api.requests.length, 1);
      },
    );
    await withFake(
      () => ({ kind: 'error', status: 400, type: 'invalid_request_error', message: 'tools.0.input_schema: bad' }),
      {},
      async (client) => {
        await assert.rejects(client.callTool(request), (e: unknown) => e instanceof LlmPermanentError && e.reason === 'invalid_request');
      },
    );
  });

  void it('refuses calls over the per-call or hourly token budget before sending them', async () => {
    let now = 1_000_000;
    await withFake(
      () => ({ ...answer, usage: { input_tokens: 700, output_tokens: 100, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 } }),
      { tokenBudgetPerHour: 1_000, tokenBudgetPerCall: 800, now: () => now },
      async (client, api) => {
        const huge = { ...request, messages: [{ role: 'user' as const, content: 'x'.repeat(10_000) }] };
        await assert.rejects(client.callTool(huge), (e: unknown) => e instanceof LlmBudgetExceededError && e.scope === 'per_call');
        assert.equal(api.requests.length, 0);

        await client.callTool(request);
        assert.equal(client.tokensUsedThisHour(), 800);
        await assert.rejects(client.callTool(request), (e: unknown) => e instanceof LlmBudgetExceededError && e.scope === 'per_hour' && e.retryAfterMs === 3_600_000);
        assert.equal(api.requests.length, 1);

        now += 3_600_001;
        await client.callTool(request);
        assert.equal(api.requests.length, 2);
      },
    );
  });

  void it('returns no input when the model did not call the tool', async () => {
    await withFake(
      () => ({ kind: 'text', text: 'I would rather chat.' }),
      {},
      async (client) => {
        const result = await client.callTool(request);
        assert.equal(result.input, undefined);
        assert.equal(result.toolUseId, null);
        assert.equal(result.stopReason, 'end_turn');
      },
    );
  });
});
