import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('gives typed defaults for an empty environment', () => {
    const config = loadConfig({}, {});
    assert.deepEqual(config.kafka.brokers, ['127.0.0.1:39092']);
    assert.equal(config.clickhouse.url, null);
    assert.equal(config.batch.maxRows, 5000);
    assert.deepEqual(config.normalizer.batch, { maxRows: 1000, maxWaitMs: 100 });
    assert.deepEqual(config.projects, []);
  });

  it('parses projects from the short form and from JSON', () => {
    const short = loadConfig({ FAULTLINE_PROJECTS: 'web:0123456789abcdef0123, api:fedcba9876543210fedc' }, {});
    assert.deepEqual(short.projects.map((p) => p.id), ['web', 'api']);
    const json = loadConfig({ FAULTLINE_PROJECTS: JSON.stringify([{ id: 'app', publicKey: 'k'.repeat(32) }]) }, {});
    assert.equal(json.projects[0].publicKey, 'k'.repeat(32));
  });

  it('names every bad variable in one error', () => {
    assert.throws(
      () => loadConfig({ BATCH_MAX_ROWS: 'many', API_TOKENS: '{oops', CLICKHOUSE_DATABASE: 'drop table' }, {}),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.problems.length, 3);
        assert.match(error.message, /BATCH_MAX_ROWS/);
        assert.match(error.message, /API_TOKENS/);
        assert.match(error.message, /CLICKHOUSE_DATABASE/);
        return true;
      },
    );
  });
});
