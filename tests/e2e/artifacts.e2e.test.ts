/**
 * Artifact uploads through the HTTP API, hosted as apps/api hosts it (real Kafka from the global
 * setup, ClickHouse migrated), into a temporary ARTIFACTS_DIR; then the proof that they are usable:
 * a Symbolicator over the same directory, as the normalizer builds it, resolves the sample
 * incident's web and Android crashes.
 */
import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@faultline/config';
import { normalizeFile } from '@faultline/normalize';
import { createRuntime, type Runtime } from '@faultline/pipeline';
import type { CrashEvent } from '@faultline/schema';
import { ApiModule, ArtifactList, ArtifactUploadResult, ErrorBody, type ArtifactView } from '@faultline/service-api';
import { hostServices, type ServiceHost } from '@faultline/service-ops';
import { LocalDirectoryArtifactStore, Symbolicator, proguardUuid } from '@faultline/symbolication';
import { repoRoot, testEnvironment } from '@faultline/testing';

const TOKENS = {
  write: 'artifact-write-token-0001',
  read: 'artifact-read-token-00001',
  blog: 'artifact-blog-token-00001',
};
const LIMIT = 2 * 1024 * 1024;
const INCIDENT = join(repoRoot(), 'examples', 'incident');
const BUNDLE_DIR = join(INCIDENT, 'sourcemaps', 'static', 'js');
const WEB_RELEASE = '2.4.0';
const ANDROID_RELEASE = 'com.shop.android@5.2.0+520';
const MAPPING = readFileSync(join(INCIDENT, 'mappings', 'mapping.txt'));
const MAPPING_UUID = '4861b409-0bbb-5241-a131-98ae26c350c9';

type Body = NonNullable<RequestInit['body']>;

interface Answer<T = unknown> {
  status: number;
  body: T;
}

const artifactsPath = (release: string, query = '') => `/api/v1/projects/shop/releases/${encodeURIComponent(release)}/artifacts${query}`;
const nameQuery = (name: string, more = '') => `?name=${encodeURIComponent(name)}${more}`;

/** A valid source map of about `bytes` bytes (the size is in its sourcesContent). */
function bigSourceMap(bytes: number): string {
  return JSON.stringify({ version: 3, sources: ['src/big.js'], sourcesContent: ['x'.repeat(bytes)], names: [], mappings: 'AAAA' });
}

describe('artifacts: source map and mapping uploads through the API', () => {
  const { env, cleanup } = testEnvironment('artifacts');
  const artifactsDir = mkdtempSync(join(tmpdir(), 'faultline-artifacts-'));
  const config = loadConfig(
    {
      ...env,
      API_HOST: '127.0.0.1',
      API_PORT: '0',
      ARTIFACTS_DIR: artifactsDir,
      ARTIFACT_MAX_BYTES: String(LIMIT),
      FAULTLINE_PROJECTS: JSON.stringify([
        { id: 'shop', publicKey: 'shop-public-key-0001' },
        { id: 'blog', publicKey: 'blog-public-key-0001' },
      ]),
      API_TOKENS: JSON.stringify([
        { token: TOKENS.write, scopes: ['read', 'write'], projects: ['*'] },
        { token: TOKENS.read, scopes: ['read'], projects: ['*'] },
        { token: TOKENS.blog, scopes: ['read', 'write'], projects: ['blog'] },
      ]),
    },
    {},
  );
  let runtime: Runtime;
  let host: ServiceHost;

  async function call<T = unknown>(
    method: string,
    path: string,
    options: { token?: string | null; body?: Body; contentType?: string | null; headers?: Record<string, string>; duplex?: 'half' } = {},
  ): Promise<Answer<T>> {
    const token = options.token === undefined ? TOKENS.write : options.token;
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (options.contentType !== null && options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/octet-stream';
    const response = await fetch(`${host.url}${path}`, { method, headers, body: options.body, ...(options.duplex ? { duplex: options.duplex } : {}) });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON: kept as text, the assertion shows it.
    }
    return { status: response.status, body: parsed as T };
  }
  const upload = (path: string, body: Body, options: Parameters<typeof call>[2] = {}) => call('POST', path, { body, ...options });
  const list = async (release: string, token = TOKENS.read): Promise<ArtifactView[]> => {
    const answer = await call('GET', artifactsPath(release), { token });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return ArtifactList.parse(answer.body).data;
  };

  function assertUploaded(answer: Answer, expected: Partial<ArtifactView>): ArtifactView {
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    const result = ArtifactUploadResult.parse(answer.body);
    assert.equal(result.artifacts.length, 1);
    assert.deepEqual(Object.keys(result.artifacts[0]).sort(), ['debugId', 'kind', 'name', 'release', 'size']);
    for (const [key, value] of Object.entries(expected)) assert.deepEqual(result.artifacts[0][key as keyof ArtifactView], value, key);
    return result.artifacts[0];
  }

  function assertError(answer: Answer, status: number, code: string, message?: RegExp): void {
    assert.equal(answer.status, status, `expected ${status} ${code}, got ${answer.status} ${JSON.stringify(answer.body)}`);
    const parsed = ErrorBody.safeParse(answer.body);
    assert.ok(parsed.success, `not the error shape: ${JSON.stringify(answer.body)}`);
    assert.equal(parsed.data.error.code, code);
    if (message) assert.match(parsed.data.error.message, message);
  }

  before(async () => {
    runtime = createRuntime(config, 'artifacts-e2e');
    host = await hostServices(runtime, [ApiModule.register(runtime)], { ...config.api, needs: { clickhouse: true, kafka: true } });
  });

  after(async () => {
    await host?.close();
    await runtime?.close();
    cleanup();
    rmSync(artifactsDir, { recursive: true, force: true });
  });

  describe('uploads and listings', () => {
    it("uploads the sample bundle and its source map under their URL paths, the kind from the name", async () => {
      const files = readdirSync(BUNDLE_DIR).sort();
      assert.deepEqual(files, ['main.WZ2ZWFYF.js', 'main.WZ2ZWFYF.js.map']);
      for (const file of files) {
        const body = readFileSync(join(BUNDLE_DIR, file));
        const isMap = file.endsWith('.map');
        const answer = await upload(artifactsPath(WEB_RELEASE, nameQuery(`~/static/js/${file}`)), body, { contentType: isMap ? 'application/json' : 'application/javascript' });
        assertUploaded(answer, { name: `~/static/js/${file}`, kind: isMap ? 'sourcemap' : 'minified_source', debugId: null, size: body.byteLength, release: WEB_RELEASE });
      }
    });

    it('uploads the R8 mapping as text/plain, named by a header, stored under its UUID', async () => {
      assert.equal(proguardUuid(MAPPING), MAPPING_UUID, 'the UUID the Android events reference');
      const answer = await upload(artifactsPath(ANDROID_RELEASE), MAPPING, { contentType: 'text/plain', headers: { 'x-faultline-artifact-name': 'mapping.txt' } });
      assertUploaded(answer, { name: MAPPING_UUID, kind: 'proguard', debugId: MAPPING_UUID, size: MAPPING.byteLength, release: ANDROID_RELEASE });
    });

    it("lists a release's artifacts to a read token, sorted by name; other releases and projects are apart", async () => {
      const web = await list(WEB_RELEASE);
      assert.deepEqual(
        web.map((a) => [a.name, a.kind]),
        [['~/static/js/main.WZ2ZWFYF.js', 'minified_source'], ['~/static/js/main.WZ2ZWFYF.js.map', 'sourcemap']],
      );
      assert.deepEqual((await list(ANDROID_RELEASE)).map((a) => [a.name, a.kind, a.debugId]), [[MAPPING_UUID, 'proguard', MAPPING_UUID]]);
      assert.deepEqual(await list('9.9.9'), []);
      const blog = await call('GET', `/api/v1/projects/blog/releases/${WEB_RELEASE}/artifacts`, { token: TOKENS.blog });
      assert.deepEqual(ArtifactList.parse(blog.body).data, []);
      assertError(await call('GET', artifactsPath(WEB_RELEASE), { token: TOKENS.blog }), 403, 'project_forbidden');
    });

    it('reads debug IDs from maps and minified files; uploading a name again replaces the file', async () => {
      const release = '2.4.1';
      const map = (debugId?: string) => JSON.stringify({ version: 3, sources: ['a.js'], names: [], mappings: 'AAAA', ...(debugId ? { debug_id: debugId } : {}) });
      const first = assertUploaded(await upload(artifactsPath(release, nameQuery('~/app.js.map')), map()), { kind: 'sourcemap', debugId: null });
      const second = assertUploaded(await upload(artifactsPath(release, nameQuery('~/app.js.map')), map('C0FFEE00-0000-4000-8000-00000000000A')), {
        kind: 'sourcemap',
        debugId: 'c0ffee00-0000-4000-8000-00000000000a',
      });
      assert.notEqual(first.size, second.size);
      const minified = 'function a(){throw new Error("x")}a();\n//# debugId=c0ffee00-0000-4000-8000-00000000000a\n';
      assertUploaded(await upload(artifactsPath(release, nameQuery('~/app.js')), minified, { contentType: 'text/javascript' }), {
        kind: 'minified_source',
        debugId: 'c0ffee00-0000-4000-8000-00000000000a',
      });
      // An explicit kind wins over the name; a ProGuard UUID assigned by the build replaces the derived one.
      assertUploaded(await upload(artifactsPath(release, nameQuery('~/app.bundle', '&kind=minified_source')), 'var x=1;'), { name: '~/app.bundle', kind: 'minified_source' });
      const assigned = '11111111-2222-4333-8444-555555555555';
      assertUploaded(await upload(artifactsPath(release, `?kind=proguard&debugId=${assigned}`), MAPPING, { contentType: 'text/plain' }), { name: assigned, debugId: assigned });

      const listed = await list(release);
      assert.deepEqual(listed.map((a) => a.name), [assigned, '~/app.bundle', '~/app.js', '~/app.js.map']);
      const replaced = listed.find((a) => a.name === '~/app.js.map');
      assert.deepEqual([replaced?.size, replaced?.debugId], [second.size, second.debugId], 'one entry per name: the last upload');
    });

    it("accepts artifacts over Fastify's 1 MiB default body limit, which the API's JSON routes keep", async () => {
      const body = bigSourceMap(1.5 * 1024 * 1024);
      assertUploaded(await upload(artifactsPath('big', nameQuery('~/big.js.map')), body, { contentType: 'application/json' }), {
        kind: 'sourcemap',
        size: Buffer.byteLength(body),
      });
      assertError(await call('POST', '/api/v1/projects/shop/deploys', { body, contentType: 'application/json' }), 413, 'payload_too_large');
    });
  });

  describe('the uploads are usable by the symbolicator', () => {
    // As apps/normalizer builds it: a LocalDirectoryArtifactStore over the same directory.
    const symbolicator = () => new Symbolicator(new LocalDirectoryArtifactStore(artifactsDir), { cacheMaxBytes: 16 * 1024 * 1024 });
    const crashFrame = (event: CrashEvent) => event.exceptions[0].frames.at(-1)!;

    it('resolves the web crash of the sample incident to applyLoyaltyDiscount in src/cart/pricing.js:19', async () => {
      const parsed = normalizeFile('web-console.txt', readFileSync(join(INCIDENT, 'crashes', 'web-console.txt')), { project: 'shop' });
      assert.ok(parsed.events.length > 0);
      // The console dump names no release; the SDK of the deployed 2.4.0 bundle would send it.
      const event = { ...parsed.events[0], release: WEB_RELEASE };
      assert.match(crashFrame(event).file ?? '', /main\.WZ2ZWFYF\.js$/);
      const resolved = await symbolicator().symbolicate(event);
      const frame = crashFrame(resolved);
      assert.deepEqual([frame.function, frame.file, frame.line], ['applyLoyaltyDiscount', 'src/cart/pricing.js', 19]);
      assert.equal(frame.symbolication?.status, 'resolved');
      assert.ok(resolved.exceptions[0].frames.every((f) => f.symbolication?.status === 'resolved'));

      // Artifacts belong to their release: the same crash of another release finds nothing.
      const other = await symbolicator().symbolicate({ ...parsed.events[0], release: '1.0.0' });
      assert.equal(crashFrame(other).symbolication?.status, 'unresolved');
    });

    it('resolves the Android crash through the R8 mapping, by the UUID the event names', async () => {
      const parsed = normalizeFile('android-sentry.json', readFileSync(join(INCIDENT, 'crashes', 'android-sentry.json')), { project: 'shop' });
      const event = parsed.events.find((e) => e.exceptions.some((x) => x.frames.some((f) => f.module === 'a.b.c')));
      assert.ok(event, 'an event with obfuscated frames');
      assert.deepEqual(event.debugImages.map((i) => i.debugId), [MAPPING_UUID]);
      const resolved = await symbolicator().symbolicate(event);
      const frame = crashFrame(resolved);
      assert.deepEqual([frame.module, frame.function], ['com.shop.checkout.CheckoutViewModel', 'onPayClicked']);
      assert.equal(frame.symbolication?.status, 'resolved');
      // By release too, for events without debug images.
      const byRelease = await symbolicator().symbolicate({ ...event, debugImages: [] });
      assert.deepEqual([crashFrame(byRelease).module, crashFrame(byRelease).function], ['com.shop.checkout.CheckoutViewModel', 'onPayClicked']);
    });
  });

  describe('refusals, in the API error shape', () => {
    const release = 'refused';

    it('refuses a JSON file that is not a source map, and a source map sent as a minified file: 400 invalid_artifact', async () => {
      const notAMap = JSON.stringify({ name: 'shop', version: '2.4.0', dependencies: {} });
      assertError(await upload(artifactsPath(release, nameQuery('~/static/js/app.js.map')), notAMap, { contentType: 'application/json' }), 400, 'invalid_artifact', /not a source map/);
      assertError(await upload(artifactsPath(release, nameQuery('~/static/js/app.js.map')), '{"version": 3, "sour'), 400, 'invalid_artifact', /not a source map: invalid JSON/);
      const map = readFileSync(join(BUNDLE_DIR, 'main.WZ2ZWFYF.js.map'));
      assertError(await upload(artifactsPath(release, nameQuery('~/static/js/app.js')), map), 400, 'invalid_artifact', /this is a source map/);
    });

    it('refuses a text file that is not a ProGuard/R8 mapping: 400 invalid_artifact naming the line', async () => {
      const text = 'Release notes for 5.2.0\n- faster checkout\n';
      assertError(await upload(artifactsPath(release, nameQuery('mapping.txt')), text, { contentType: 'text/plain' }), 400, 'invalid_artifact', /not a ProGuard\/R8 mapping: line 1/);
    });

    it('refuses an empty file, and a binary one', async () => {
      assertError(await upload(artifactsPath(release, nameQuery('~/a.js.map')), ''), 400, 'invalid_artifact', /empty sourcemap/);
      assertError(await upload(artifactsPath(release, nameQuery('~/a.js')), new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2])), 400, 'invalid_artifact', /binary/);
    });

    it('refuses an upload over ARTIFACT_MAX_BYTES with 413: by its Content-Length, and while streaming one without', async () => {
      const body = bigSourceMap(LIMIT);
      assert.ok(Buffer.byteLength(body) > LIMIT);
      assertError(await upload(artifactsPath(release, nameQuery('~/huge.js.map')), body), 413, 'payload_too_large', new RegExp(`limit of ${LIMIT} bytes`));

      // Chunked: no Content-Length, so the limit is found while reading.
      const chunk = new Uint8Array(256 * 1024).fill(0x20);
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= LIMIT + chunk.byteLength * 4) controller.close();
          else {
            sent += chunk.byteLength;
            controller.enqueue(chunk);
          }
        },
      });
      assertError(await upload(artifactsPath(release, nameQuery('~/huge.js.map')), stream, { duplex: 'half' }), 413, 'payload_too_large');
    });

    it('refuses missing, unknown or contradicting parameters before reading the file: 400 validation_failed', async () => {
      const map = '{"version":3,"sources":[],"names":[],"mappings":""}';
      assertError(await upload(artifactsPath(release), map), 400, 'validation_failed', /name the artifact/);
      assertError(await upload(artifactsPath(release, nameQuery('~/a.js.map', '&kind=dsym')), map), 400, 'validation_failed', /kind is one of sourcemap, minified_source, proguard/);
      assertError(await upload(artifactsPath(release, nameQuery('~/a.wasm')), map), 400, 'validation_failed', /cannot tell the kind of ~\/a\.wasm/);
      assertError(await upload(artifactsPath(release, '?kind=sourcemap'), map), 400, 'validation_failed', /needs a name/);
      assertError(await upload(artifactsPath(release, nameQuery('~/a.js.map', `&debugId=${MAPPING_UUID}`)), map), 400, 'validation_failed', /debugId is for ProGuard/);
      assertError(await upload(artifactsPath(release, nameQuery('~/a.js.map')), map, { headers: { 'x-faultline-artifact-name': '~/b.js.map' } }), 400, 'validation_failed', /disagree/);
      assertError(await upload(artifactsPath(release, '?kind=proguard&debugId=not-a-uuid'), MAPPING), 400, 'validation_failed', /debugId/);
    });

    it('refuses multipart forms, other media types and compressed bodies: 415', async () => {
      const form = new FormData();
      form.append('file', new Blob([MAPPING]), 'mapping.txt');
      assertError(await upload(artifactsPath(release, '?kind=proguard'), form, { contentType: null }), 415, 'unsupported_media_type', /multipart uploads are not supported/);
      assertError(await upload(artifactsPath(release, nameQuery('mapping.txt')), MAPPING, { contentType: 'application/x-www-form-urlencoded' }), 415, 'unsupported_media_type', /application\/octet-stream/);
      assertError(await upload(artifactsPath(release, nameQuery('mapping.txt')), MAPPING, { headers: { 'content-encoding': 'gzip' } }), 415, 'unsupported_media_type', /uncompressed/);
    });

    it('refuses a request without a token (401), a read-only token (403), another project and an unknown one', async () => {
      const path = artifactsPath(release, nameQuery('mapping.txt'));
      assertError(await upload(path, MAPPING, { token: null }), 401, 'unauthorized');
      // Authentication comes before the body is read: no token, no 413.
      assertError(await upload(path, bigSourceMap(LIMIT), { token: null }), 401, 'unauthorized');
      assertError(await upload(path, MAPPING, { token: 'not-a-token-of-ours-000' }), 401, 'invalid_token');
      assertError(await upload(path, MAPPING, { token: TOKENS.read }), 403, 'insufficient_scope');
      assertError(await upload(path, MAPPING, { token: TOKENS.blog }), 403, 'project_forbidden');
      assertError(await upload(`/api/v1/projects/nope/releases/1/artifacts${nameQuery('mapping.txt')}`, MAPPING), 404, 'project_not_found');
      assertError(await call('GET', artifactsPath(release), { token: null }), 401, 'unauthorized');
    });

    it('stored nothing it refused', async () => {
      assert.deepEqual(await list(release), []);
    });
  });

  it('documents both operations in the OpenAPI document: raw bodies, header parameters, 413 and 415', async () => {
    const answer = await call<{ paths: Record<string, Record<string, Record<string, unknown>>> }>('GET', '/api/v1/openapi.json', { token: null });
    const ops = answer.body.paths['/api/v1/projects/{project}/releases/{release}/artifacts'];
    assert.deepEqual(Object.keys(ops).sort(), ['get', 'post']);
    const post = ops.post as { requestBody: { content: Record<string, unknown> }; parameters: Array<{ name: string; in: string }>; responses: Record<string, unknown>; 'x-faultline-scope': string };
    assert.deepEqual(Object.keys(post.requestBody.content).sort(), ['application/javascript', 'application/json', 'application/octet-stream', 'text/javascript', 'text/plain']);
    assert.deepEqual(post.parameters.map((p) => `${p.in}:${p.name}`).sort(), [
      'header:x-faultline-artifact-kind',
      'header:x-faultline-artifact-name',
      'header:x-faultline-debug-id',
      'path:project',
      'path:release',
      'query:debugId',
      'query:kind',
      'query:name',
    ]);
    assert.ok(post.responses['201'] && post.responses['413'] && post.responses['415']);
    assert.equal(post['x-faultline-scope'], 'write');
    assert.equal((ops.get as { 'x-faultline-scope': string })['x-faultline-scope'], 'read');
  });
});
