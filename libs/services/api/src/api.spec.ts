// The pure pieces of the API: OpenAPI generation, DSNs, deploy ids, redaction, token lookup, error bodies.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HttpException, NotFoundException } from '@nestjs/common';
import { InMemoryArtifactStore, proguardUuid } from '@faultline/symbolication';
import { redactTarget } from './activity.service';
import { ArtifactsService, describeUpload, inferKind } from './artifacts.service';
import { TokenRegistry, mayAccessProject } from './auth';
import { ApiError, parseInput, toErrorBody } from './errors';
import { buildOpenApiDocument } from './openapi';
import { ProjectDirectory, dsnOf } from './projects';
import { ROUTES } from './routes';

describe('OpenAPI document', () => {
  const doc = buildOpenApiDocument() as { openapi: string; paths: Record<string, Record<string, Record<string, unknown>>>; components: { schemas: Record<string, unknown> } };

  it('is OpenAPI 3.1 with one operation per route, unique operation ids', () => {
    assert.equal(doc.openapi, '3.1.0');
    const ops = Object.values(doc.paths).flatMap((p) => Object.values(p));
    assert.equal(ops.length, Object.keys(ROUTES).length);
    assert.equal(new Set(ops.map((o) => o.operationId)).size, ops.length);
    assert.ok(doc.components.schemas.Error);
    JSON.parse(JSON.stringify(doc));
  });

  it('describes parameters, bodies and security from the contracts', () => {
    const list = doc.paths['/api/v1/projects/{project}/clusters'].get as { parameters: Array<{ name: string; in: string; required: boolean; schema: Record<string, unknown> }>; security: unknown[] };
    const limit = list.parameters.find((p) => p.name === 'limit')!;
    assert.deepEqual([limit.in, limit.required, limit.schema.minimum, limit.schema.maximum, limit.schema.default], ['query', false, 1, 200, 50]);
    assert.deepEqual(list.parameters.find((p) => p.name === 'project')?.required, true);
    assert.deepEqual(list.security, [{ bearerAuth: [] }]);
    const merge = doc.paths['/api/v1/projects/{project}/clusters/merge'].post as { requestBody: { content: Record<string, { schema: { required: string[] } }> } };
    assert.deepEqual(merge.requestBody.content['application/json'].schema.required, ['clusterIds']);
    assert.deepEqual((doc.paths['/api/v1/openapi.json'].get as { security: unknown[] }).security, []);
  });
});

describe('projects', () => {
  it('build DSNs on the gateway public URL', () => {
    assert.equal(dsnOf('http://127.0.0.1:8000', 'key0123456789abcdef', 'shop'), 'http://key0123456789abcdef@127.0.0.1:8000/shop');
    assert.equal(dsnOf('https://errors.example.com/ingest/', 'k'.repeat(16), 'a_b'), `https://${'k'.repeat(16)}@errors.example.com/ingest/a_b`);
  });

  it('merge config and stored projects, config winning, re-reading the store after the TTL', async () => {
    let now = 0;
    let reads = 0;
    const directory = new ProjectDirectory(
      [{ id: 'shop', publicKey: 'c'.repeat(16) }],
      'http://gw:8000',
      async () => {
        reads += 1;
        return [{ id: 'shop', name: 'Stored shop', publicKey: 's'.repeat(16) }, { id: 'blog', name: '', publicKey: 'b'.repeat(16) }];
      },
      1000,
      () => now,
    );
    assert.deepEqual((await directory.list()).map((p) => [p.id, p.name, p.source]), [['blog', 'blog', 'store'], ['shop', 'shop', 'config']]);
    await directory.get('shop');
    assert.equal(reads, 1);
    now = 2000;
    assert.equal(await directory.get('nope'), null);
    assert.equal(reads, 2);
  });
});

describe('tokens', () => {
  const registry = new TokenRegistry([{ token: 'secret-token-0000001', scopes: ['read'], projects: ['shop'] }]);

  it('are found by value and named without revealing them', () => {
    const principal = registry.find('secret-token-0000001')!;
    assert.match(principal.label, /^token:[0-9a-f]{12}$/);
    assert.ok(!principal.label.includes('secret'));
    assert.equal(registry.find('secret-token-0000002'), null);
  });

  it('see their projects, or all with *', () => {
    assert.equal(mayAccessProject({ label: '', scopes: ['read'], projects: ['shop'] }, 'shop'), true);
    assert.equal(mayAccessProject({ label: '', scopes: ['read'], projects: ['shop'] }, 'blog'), false);
    assert.equal(mayAccessProject({ label: '', scopes: ['read'], projects: ['*'] }, 'blog'), true);
  });
});

describe('alerts', () => {
  it('redact webhook secrets to the origin', () => {
    assert.equal(redactTarget('https://hooks.slack.com/services/T0/B0/xyz'), 'https://hooks.slack.com/…');
    assert.equal(redactTarget('https://example.com/?token=1'), 'https://example.com/…');
    assert.equal(redactTarget('https://example.com'), 'https://example.com');
    assert.equal(redactTarget('slack'), 'slack');
  });
});

describe('errors', () => {
  it('have one body shape, whatever was thrown', () => {
    assert.deepEqual(toErrorBody(new ApiError('cluster_not_found', 'no cluster x')), { status: 404, body: { error: { code: 'cluster_not_found', message: 'no cluster x' } } });
    assert.deepEqual(toErrorBody(new NotFoundException('Cannot GET /x')).body.error.code, 'not_found');
    const json = toErrorBody(new HttpException('Unexpected end of JSON input', 400, { cause: { code: 'FST_ERR_CTP_INVALID_JSON_BODY' } }));
    assert.deepEqual([json.status, json.body.error.code], [400, 'invalid_json']);
    assert.deepEqual([toErrorBody({ statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE', message: 'too large' }).status], [413]);
    const internal = toErrorBody(new Error('password=hunter2 in a stack'));
    assert.deepEqual(internal, { status: 500, body: { error: { code: 'internal_error', message: 'internal error' } } });
  });

  it('name every invalid field of an input', () => {
    try {
      parseInput(ROUTES.listClusters.query, { limit: '0', sort: 'x' }, 'query');
      assert.fail('accepted invalid input');
    } catch (error) {
      assert.ok(error instanceof ApiError);
      assert.equal(error.code, 'validation_failed');
      assert.deepEqual((error.details as Array<{ path: string }>).map((d) => d.path).sort(), ['limit', 'sort']);
    }
  });
});

describe('artifact uploads', () => {
  const MAPPING = 'com.shop.A -> a.a:\n    void run():10:10 -> a\n';
  const encode = (text: string) => new TextEncoder().encode(text);
  const refusal = (code: string, message: RegExp) => (error: unknown) => error instanceof ApiError && error.code === code && message.test(error.message);

  it('infer the kind from the name', () => {
    assert.equal(inferKind('~/static/js/app.3f9a.js.map'), 'sourcemap');
    assert.equal(inferKind('~/static/js/app.3f9a.js'), 'minified_source');
    assert.equal(inferKind('https://cdn.example.com/app.MJS?v=2'), 'minified_source');
    assert.equal(inferKind('~/server.cjs'), 'minified_source');
    assert.equal(inferKind('mapping.txt'), 'proguard');
    assert.equal(inferKind('~/app.wasm'), null);
    assert.equal(inferKind('~/app.json'), null);
  });

  it('take name, kind and debug ID from the query or headers, refusing what does not fit together', () => {
    assert.deepEqual(describeUpload({ name: '~/a.js.map' }, {}), { kind: 'sourcemap', name: '~/a.js.map' });
    assert.deepEqual(describeUpload({}, { 'x-faultline-artifact-name': '~/a.js', 'x-faultline-artifact-kind': 'minified_source' }), { kind: 'minified_source', name: '~/a.js' });
    assert.deepEqual(describeUpload({ kind: 'proguard', debugId: 'ABCDEF0123456789ABCDEF0123456789' }, {}), { kind: 'proguard', debugId: 'abcdef01-2345-6789-abcd-ef0123456789' });
    assert.deepEqual(describeUpload({ name: 'mapping.txt' }, { 'x-faultline-artifact-name': 'mapping.txt' }), { kind: 'proguard', debugId: null });
    assert.throws(() => describeUpload({}, {}), refusal('validation_failed', /name the artifact/));
    assert.throws(() => describeUpload({ name: 'a' }, { 'x-faultline-artifact-name': 'b' }), refusal('validation_failed', /disagree/));
    assert.throws(() => describeUpload({ kind: 'sourcemap' }, {}), refusal('validation_failed', /needs a name/));
    assert.throws(() => describeUpload({ name: '~/a.js', debugId: 'abcdef01-2345-6789-abcd-ef0123456789' }, {}), refusal('validation_failed', /ProGuard mappings/));
  });

  it('store ProGuard mappings under their UUID, so two builds of one release keep both', async () => {
    const store = new InMemoryArtifactStore();
    const service = new ArtifactsService(store, 1024);
    const other = `${MAPPING}com.shop.B -> a.b:\n`;
    const first = await service.upload('shop', '5.2.0', { kind: 'proguard', debugId: null }, encode(MAPPING));
    const second = await service.upload('shop', '5.2.0', { kind: 'proguard', debugId: null }, encode(other));
    assert.deepEqual(first, { name: proguardUuid(encode(MAPPING)), kind: 'proguard', debugId: proguardUuid(encode(MAPPING)), size: MAPPING.length, release: '5.2.0' });
    assert.equal(new TextDecoder().decode((await store.findProguard('shop', { uuid: first.debugId }))!), MAPPING);
    assert.equal(new TextDecoder().decode((await store.findProguard('shop', { release: '5.2.0' }))!), other, 'the last one is the release mapping');
    assert.deepEqual((await service.list('shop', '5.2.0')).map((a) => a.name), [first.name, second.name].sort());
    assert.deepEqual(await service.list('shop', '5.2.1'), []);
  });

  it('refuse files that are not what their kind says, and files over the limit', async () => {
    const service = new ArtifactsService(new InMemoryArtifactStore(), 64);
    await assert.rejects(service.upload('shop', '1', { kind: 'sourcemap', name: '~/a.js.map' }, encode('{"name":"pkg"}')), refusal('invalid_artifact', /not a source map/));
    await assert.rejects(service.upload('shop', '1', { kind: 'proguard', debugId: null }, encode('hello\n')), refusal('invalid_artifact', /not a ProGuard\/R8 mapping/));
    await assert.rejects(service.upload('shop', '1', { kind: 'minified_source', name: '~/a.js' }, encode('x'.repeat(65))), refusal('payload_too_large', /over the limit/));
  });

  it('are documented with raw bodies and header parameters', () => {
    const doc = buildOpenApiDocument() as { paths: Record<string, Record<string, { requestBody: { content: Record<string, unknown> }; parameters: Array<{ in: string; name: string }> }>> };
    const post = doc.paths['/api/v1/projects/{project}/releases/{release}/artifacts'].post;
    assert.ok(post.requestBody.content['application/octet-stream']);
    assert.ok(!post.requestBody.content['multipart/form-data']);
    assert.ok(post.parameters.some((p) => p.in === 'header' && p.name === 'x-faultline-artifact-name'));
  });
});
