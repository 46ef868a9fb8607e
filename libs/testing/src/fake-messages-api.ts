import { createHash } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';

/** A request as the fake received it: the parsed JSON body and lower-cased headers. */
export interface FakeRequest {
  body: Record<string, unknown>;
  headers: Record<string, string>;
  /** 0 for the first request the fake answered, then 1, 2, … */
  index: number;
}

export interface FakeUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

/** What the handler wants the fake to answer. */
export type FakeReply =
  /** A message whose content is one `tool_use` block (what a forced tool choice produces). */
  | { kind: 'tool_use'; name: string; input: unknown; text?: string; stopReason?: string; usage?: Partial<FakeUsage>; model?: string }
  /** A message with one text block and no tool call. */
  | { kind: 'text'; text: string; stopReason?: string; usage?: Partial<FakeUsage> }
  /** An API error: `{type:'error', error:{type, message, details?}}` with this status (429, 500, 529…). */
  | { kind: 'error'; status: number; type: string; message: string; errorCode?: string; headers?: Record<string, string> }
  /** Any status, headers and body text, verbatim. */
  | { kind: 'raw'; status: number; body: string; headers?: Record<string, string> }
  /** Never answer (until `close()`): for client timeouts. */
  | { kind: 'hang' };

export type FakeHandler = (req: FakeRequest) => FakeReply | Promise<FakeReply>;

export interface FakeMessagesApi {
  /** Pass as the SDK's `baseURL`. */
  baseURL: string;
  /** Every request received on POST /v1/messages, in order. */
  requests: FakeRequest[];
  close(): Promise<void>;
}

/**
 * A local stand-in for the Anthropic Messages API on 127.0.0.1, speaking its wire format: POST
 * /v1/messages with a JSON body; `message` objects with content blocks, `stop_reason` and
 * `usage` (cache fields included: the first request with a given cached prefix writes the cache,
 * later ones read it); `{type:'error', error:{type, message}}` bodies with their statuses and
 * headers (`retry-after`, `request-id`). Tests drive the real `@anthropic-ai/sdk` against it.
 */
export async function startFakeMessagesApi(handler: FakeHandler): Promise<FakeMessagesApi> {
  const requests: FakeRequest[] = [];
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();
  const cachedPrefixes = new Set<string>();
  let counter = 0;

  const server = createServer((req, res) => {
    void serve(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 500, 'api_error', `fake handler failed: ${String(error)}`);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = `req_fake_${String(++counter).padStart(6, '0')}`;
    res.setHeader('request-id', requestId);
    const text = await readBody(req);
    if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== '/v1/messages') {
      return sendError(res, 404, 'not_found_error', `${req.method} ${req.url} not found`);
    }
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(', ') : (v ?? '')]));
    if (!headers['x-api-key'] && !headers['authorization']) {
      return sendError(res, 401, 'authentication_error', 'x-api-key header is required');
    }
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('body is not an object');
      body = parsed as Record<string, unknown>;
    } catch {
      return sendError(res, 400, 'invalid_request_error', 'The request body is not valid JSON.');
    }
    for (const field of ['model', 'max_tokens', 'messages']) {
      if (!(field in body)) return sendError(res, 400, 'invalid_request_error', `${field}: Field required`);
    }
    const request: FakeRequest = { body, headers, index: requests.length };
    requests.push(request);
    const reply = await handler(request);
    switch (reply.kind) {
      case 'hang':
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      case 'error':
        return sendError(res, reply.status, reply.type, reply.message, reply.headers, reply.errorCode);
      case 'raw':
        res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
        res.end(reply.body);
        return;
      case 'tool_use':
      case 'text': {
        const content: unknown[] = [];
        if (reply.kind === 'text' || reply.text) content.push({ type: 'text', text: reply.text, citations: null });
        if (reply.kind === 'tool_use') {
          content.push({ type: 'tool_use', id: `toolu_fake_${String(counter).padStart(6, '0')}`, name: reply.name, input: reply.input, caller: { type: 'direct' } });
        }
        const message = {
          id: `msg_fake_${String(counter).padStart(6, '0')}`,
          type: 'message',
          role: 'assistant',
          model: (reply.kind === 'tool_use' && reply.model) || String(body.model),
          content,
          stop_reason: reply.stopReason ?? (reply.kind === 'tool_use' ? 'tool_use' : 'end_turn'),
          stop_sequence: null,
          usage: usageFor(body, content, reply.usage),
        };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(message));
        return;
      }
    }
  }

  /** Token counts the way the API reports them: a cached prefix is written once, then read. */
  function usageFor(body: Record<string, unknown>, content: unknown[], override: Partial<FakeUsage> = {}) {
    const prefix = cachedPrefix(body);
    const total = estimateTokens(JSON.stringify({ system: body.system, tools: body.tools, messages: body.messages }));
    let cacheWrite = 0;
    let cacheRead = 0;
    if (prefix) {
      const tokens = estimateTokens(prefix.text);
      if (cachedPrefixes.has(prefix.key)) cacheRead = tokens;
      else {
        cachedPrefixes.add(prefix.key);
        cacheWrite = tokens;
      }
    }
    const input_tokens = override.input_tokens ?? Math.max(1, total - cacheRead - cacheWrite);
    const cache_creation_input_tokens = override.cache_creation_input_tokens ?? cacheWrite;
    return {
      input_tokens,
      output_tokens: override.output_tokens ?? Math.max(1, estimateTokens(JSON.stringify(content))),
      cache_creation_input_tokens,
      cache_read_input_tokens: override.cache_read_input_tokens ?? cacheRead,
      cache_creation: { ephemeral_5m_input_tokens: cache_creation_input_tokens, ephemeral_1h_input_tokens: 0 },
      server_tool_use: null,
      service_tier: 'standard',
    };
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseURL: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function sendError(res: ServerResponse, status: number, type: string, message: string, headers: Record<string, string> = {}, errorCode?: string): void {
  const error: Record<string, unknown> = { type, message };
  if (errorCode) error.details = { error_code: errorCode };
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ type: 'error', error, request_id: String(res.getHeader('request-id') ?? '') }));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The part of the request up to the last `cache_control` breakpoint in tools or system, if any. */
function cachedPrefix(body: Record<string, unknown>): { key: string; text: string } | null {
  const tools = Array.isArray(body.tools) ? body.tools : [];
  const system = Array.isArray(body.system) ? body.system : [];
  const marked = [...tools, ...system].some((block) => typeof block === 'object' && block !== null && 'cache_control' in block && block.cache_control);
  if (!marked) return null;
  const text = JSON.stringify({ model: body.model, tools, system });
  return { key: createHash('sha256').update(text).digest('hex'), text };
}

function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
