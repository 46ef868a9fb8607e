import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { startFakeMessagesApi } from './fake-messages-api';

const tool = { name: 'record', description: 'Record a value.', input_schema: { type: 'object' as const, properties: { value: { type: 'string' } }, required: ['value'] } };

void describe('startFakeMessagesApi', () => {
  void it('answers the real SDK with a tool_use message, cache usage and a request id', async () => {
    const api = await startFakeMessagesApi(() => ({ kind: 'tool_use', name: 'record', input: { value: 'ok' } }));
    try {
      const client = new Anthropic({ apiKey: 'test-key', baseURL: api.baseURL, maxRetries: 0 });
      const params = {
        model: 'claude-test',
        max_tokens: 100,
        system: [{ type: 'text' as const, text: 'stable system prompt', cache_control: { type: 'ephemeral' as const } }],
        messages: [{ role: 'user' as const, content: 'hello' }],
        tools: [tool],
        tool_choice: { type: 'tool' as const, name: 'record' },
      };
      const { data, request_id } = await client.messages.create(params).withResponse();
      assert.equal(data.type, 'message');
      assert.equal(data.stop_reason, 'tool_use');
      const block = data.content[0];
      assert.equal(block.type, 'tool_use');
      assert.deepEqual(block.type === 'tool_use' ? block.input : null, { value: 'ok' });
      assert.match(request_id ?? '', /^req_fake_/);
      assert.ok(data.usage.cache_creation_input_tokens! > 0);
      assert.equal(data.usage.cache_read_input_tokens, 0);
      const again = await client.messages.create(params);
      assert.ok(again.usage.cache_read_input_tokens! > 0, 'the second request reads the cached prefix');
      assert.equal(api.requests.length, 2);
      assert.equal(api.requests[0].body.model, 'claude-test');
      assert.ok(api.requests[0].headers['authorization'] || api.requests[0].headers['x-api-key']);
    } finally {
      await api.close();
    }
  });

  void it('speaks the error wire format the SDK maps to its error classes', async () => {
    const replies = [
      { kind: 'error' as const, status: 429, type: 'rate_limit_error', message: 'slow down', headers: { 'retry-after': '7' } },
      { kind: 'error' as const, status: 529, type: 'overloaded_error', message: 'Overloaded' },
      { kind: 'error' as const, status: 500, type: 'api_error', message: 'Internal server error' },
      { kind: 'error' as const, status: 429, type: 'rate_limit_error', message: 'spend limit reached', errorCode: 'enforced_spend_limit_reached' },
    ];
    const api = await startFakeMessagesApi((req) => replies[req.index]);
    try {
      const client = new Anthropic({ apiKey: 'test-key', baseURL: api.baseURL, maxRetries: 0 });
      const call = () => client.messages.create({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] });
      await assert.rejects(call(), (e: unknown) => e instanceof Anthropic.RateLimitError && e.headers.get('retry-after') === '7' && e.type === 'rate_limit_error');
      await assert.rejects(call(), (e: unknown) => e instanceof Anthropic.InternalServerError && e.status === 529 && e.type === 'overloaded_error');
      await assert.rejects(call(), (e: unknown) => e instanceof Anthropic.InternalServerError && e.status === 500);
      await assert.rejects(call(), (e: unknown) => e instanceof Anthropic.APIError && e.status === 429 && e.errorCode === 'enforced_spend_limit_reached');
    } finally {
      await api.close();
    }
  });

  void it('rejects requests the real API would reject, without calling the handler', async () => {
    let calls = 0;
    const api = await startFakeMessagesApi(() => {
      calls++;
      return { kind: 'text', text: 'hi' };
    });
    try {
      const bad = await fetch(`${api.baseURL}/v1/messages`, { method: 'POST', headers: { 'x-api-key': 'k', 'content-type': 'application/json' }, body: '{"model":"m"}' });
      assert.equal(bad.status, 400);
      assert.deepEqual(((await bad.json()) as { error: { type: string } }).error.type, 'invalid_request_error');
      const anonymous = await fetch(`${api.baseURL}/v1/messages`, { method: 'POST', body: '{}' });
      assert.equal(anonymous.status, 401);
      const elsewhere = await fetch(`${api.baseURL}/v1/other`, { method: 'POST', headers: { 'x-api-key': 'k' }, body: '{}' });
      assert.equal(elsewhere.status, 404);
      assert.equal(calls, 0);
      assert.equal(api.requests.length, 0);
    } finally {
      await api.close();
    }
  });

  void it('lets a client time out on a hanging reply, and still closes', async () => {
    const api = await startFakeMessagesApi(() => ({ kind: 'hang' }));
    const client = new Anthropic({ apiKey: 'test-key', baseURL: api.baseURL, maxRetries: 0, timeout: 200 });
    await assert.rejects(
      client.messages.create({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }),
      (e: unknown) => e instanceof Anthropic.APIConnectionTimeoutError,
    );
    await api.close();
  });
});
