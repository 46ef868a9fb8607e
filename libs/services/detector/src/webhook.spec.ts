import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deliverWebhook } from './webhook';

const fast = { attempts: 4, baseDelayMs: 10, maxDelayMs: 40, timeoutMs: 300, concurrency: 1 };

describe('deliverWebhook', () => {
  let server: Server;
  let base = '';
  const hits = new Map<string, Array<{ body: string; alertId: string | undefined }>>();
  const scripts = new Map<string, Array<(res: ServerResponse) => void>>();

  before(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        const path = req.url ?? '/';
        hits.set(path, [...(hits.get(path) ?? []), { body, alertId: req.headers['x-faultline-alert-id'] as string | undefined }]);
        const step = scripts.get(path)?.shift();
        if (step) step(res);
        else res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const fail = (status: number, headers: Record<string, string> = {}) => (res: ServerResponse) => res.writeHead(status, headers).end('nope');

  it('retries 5xx with backoff and reports the try that got through', async () => {
    scripts.set('/flaky', [fail(500), fail(503)]);
    const slept: number[] = [];
    const outcome = await deliverWebhook(`${base}/flaky`, { hello: 1 }, 'alert-1', fast, { sleep: async (ms) => void slept.push(ms), jitter: () => 1 });
    assert.deepEqual(outcome, { kind: 'sent', attempts: 3, status: 200 });
    assert.deepEqual(slept, [10, 20]);
    const got = hits.get('/flaky') ?? [];
    assert.equal(got.length, 3);
    assert.ok(got.every((h) => h.alertId === 'alert-1' && h.body === '{"hello":1}'));
  });

  it('gives up after the last try with the last error', async () => {
    scripts.set('/down', [fail(500), fail(500), fail(500), fail(500)]);
    const outcome = await deliverWebhook(`${base}/down`, {}, 'a', fast, { sleep: async () => undefined });
    assert.deepEqual(outcome, { kind: 'failed', attempts: 4, error: 'HTTP 500: nope', retriable: true });
  });

  it('does not retry a permanent 4xx', async () => {
    scripts.set('/gone', [fail(404)]);
    const outcome = await deliverWebhook(`${base}/gone`, {}, 'a', fast, { sleep: async () => undefined });
    assert.deepEqual(outcome, { kind: 'failed', attempts: 1, error: 'HTTP 404: nope', retriable: false });
  });

  it('honours Retry-After up to the backoff cap', async () => {
    scripts.set('/busy', [fail(429, { 'retry-after': '1' })]);
    const slept: number[] = [];
    const outcome = await deliverWebhook(`${base}/busy`, {}, 'a', fast, { sleep: async (ms) => void slept.push(ms), jitter: () => 0 });
    assert.equal(outcome.kind, 'sent');
    assert.deepEqual(slept, [40]);
  });

  it('times out a receiver that hangs, and a refused connection is a retriable failure', async () => {
    scripts.set('/hang', [() => undefined, () => undefined]);
    const hung = await deliverWebhook(`${base}/hang`, {}, 'a', { ...fast, attempts: 2, timeoutMs: 100 }, { sleep: async () => undefined });
    assert.deepEqual(hung, { kind: 'failed', attempts: 2, error: 'timed out after 100 ms', retriable: true });
    const refused = await deliverWebhook('http://127.0.0.1:1/x', {}, 'a', { ...fast, attempts: 1 });
    assert.equal(refused.kind, 'failed');
    assert.match(refused.kind === 'failed' ? refused.error : '', /fetch failed|ECONNREFUSED/);
  });
});
