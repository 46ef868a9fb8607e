import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode } from './spec-support';
import { proguardUuid, validateArtifact } from './validate-artifact';

const MB = 1024 * 1024;
const MAP = JSON.stringify({ version: 3, sources: ['a.js'], names: [], mappings: 'AAAA', debug_id: 'AABBCCDD-EEFF-0011-2233-445566778899' });

function refusal(result: ReturnType<typeof validateArtifact>): string {
  assert.equal(result.ok, false);
  return result.ok ? '' : result.error;
}

describe('validateArtifact', () => {
  it('accepts a source map and reads its debug_id or debugId', () => {
    assert.deepEqual(validateArtifact('sourcemap', encode(MAP), MB), { ok: true, value: { kind: 'sourcemap', debugId: 'aabbccdd-eeff-0011-2233-445566778899' } });
    const camel = JSON.stringify({ version: 3, sources: [], mappings: '', debugId: 'ABC' });
    assert.deepEqual(validateArtifact('sourcemap', encode(camel), MB), { ok: true, value: { kind: 'sourcemap', debugId: 'abc' } });
    const plain = JSON.stringify({ version: 3, sources: ['x'], mappings: ';;AAAA' });
    assert.deepEqual(validateArtifact('sourcemap', encode(`)]}'\n${plain}`), MB), { ok: true, value: { kind: 'sourcemap', debugId: null } });
  });

  it('refuses what is not a source map, with a clear message', () => {
    assert.match(refusal(validateArtifact('sourcemap', encode('function a(){}'), MB)), /not a source map: invalid JSON/);
    assert.match(refusal(validateArtifact('sourcemap', encode('[1,2]'), MB)), /not an object/);
    assert.match(refusal(validateArtifact('sourcemap', encode('{"version":2,"sources":[],"mappings":""}'), MB)), /version 2 \(only version 3/);
    assert.match(refusal(validateArtifact('sourcemap', encode('{"version":3,"sources":[]}'), MB)), /`mappings` is missing/);
    assert.match(refusal(validateArtifact('sourcemap', encode('{"version":3,"mappings":""}'), MB)), /`sources` is missing/);
    assert.match(refusal(validateArtifact('sourcemap', encode('{"version":3,"sources":[],"mappings":"AA!A"}'), MB)), /outside base64 VLQ/);
    assert.match(refusal(validateArtifact('sourcemap', encode('{"version":3,"sections":[{"offset":{"line":0,"column":0},"url":"x.map"}]}'), MB)), /url are not supported/);
    assert.match(refusal(validateArtifact('sourcemap', new Uint8Array([0xff, 0xfe, 0x00]), MB)), /not UTF-8/);
  });

  it('refuses empty and oversized uploads', () => {
    assert.match(refusal(validateArtifact('sourcemap', new Uint8Array(0), MB)), /empty sourcemap/);
    assert.match(refusal(validateArtifact('sourcemap', encode(MAP), 10)), /over the limit of 10 bytes/);
  });

  it('accepts an indexed (sectioned) map', () => {
    const sectioned = JSON.stringify({ version: 3, sections: [{ offset: { line: 0, column: 0 }, map: JSON.parse(MAP) as object }] });
    assert.equal(validateArtifact('sourcemap', encode(sectioned), MB).ok, true);
  });

  it('reads `//# debugId=` from a minified file and refuses a source map uploaded as one', () => {
    const js = 'console.log(1)\n//# debugId=85314830-023F-4CF1-A267-535F4E37BB17\n//# sourceMappingURL=app.js.map\n';
    assert.deepEqual(validateArtifact('minified_source', encode(js), MB), { ok: true, value: { kind: 'minified_source', debugId: '85314830-023f-4cf1-a267-535f4e37bb17' } });
    assert.deepEqual(validateArtifact('minified_source', encode('x()'), MB), { ok: true, value: { kind: 'minified_source', debugId: null } });
    assert.match(refusal(validateArtifact('minified_source', encode(MAP), MB)), /upload it with kind sourcemap/);
  });

  it('accepts an R8 mapping, reading pg_map_id and deriving the Sentry-compatible mapping UUID', () => {
    const body = readFileSync(join(__dirname, 'fixtures', 'r8-mapping.txt'));
    const result = validateArtifact('proguard', body, MB);
    assert.ok(result.ok);
    assert.equal(result.value.mappingUuid, '5b46fdc');
    assert.match(result.value.debugId ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(result.value.debugId, proguardUuid(body));
    assert.notEqual(proguardUuid(encode('a -> b:\n')), proguardUuid(encode('a -> c:\n')));
  });

  it('refuses what is not a ProGuard mapping, naming the offending line', () => {
    assert.match(refusal(validateArtifact('proguard', encode(MAP), MB)), /not a ProGuard\/R8 mapping: line 1/);
    assert.match(refusal(validateArtifact('proguard', encode('# only comments\n\n'), MB)), /no class lines/);
    assert.match(refusal(validateArtifact('proguard', encode('com.A -> a:\n    void run() -> a\nhello world\n'), MB)), /line 3 .*hello world/);
    assert.match(refusal(validateArtifact('proguard', encode('    void run() -> a\ncom.A -> a:\n'), MB)), /line 1/);
  });
});
