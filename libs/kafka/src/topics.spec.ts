import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { ALL_TOPIC_IDS, TOPICS, topicName } from './topics';

describe('topic registry', () => {
  it('gives every topic a zod schema, a key rule and a unique name', () => {
    const names = new Set<string>();
    for (const id of ALL_TOPIC_IDS) {
      const topic = TOPICS[id];
      assert.ok(topic.schema instanceof z.ZodType, `${id} has a schema`);
      assert.equal(typeof topic.key, 'function', `${id} has a key rule`);
      assert.ok(topic.maxMessageBytes >= 1024 * 1024, `${id} allows at least 1 MiB`);
      assert.ok(!names.has(topic.name), `${id} name is unique`);
      names.add(topic.name);
    }
  });

  it('dead letters can hold the largest message of any topic, base64-encoded', () => {
    const largest = Math.max(...ALL_TOPIC_IDS.map((id) => TOPICS[id].maxMessageBytes).filter((b) => b !== TOPICS.deadLetters.maxMessageBytes));
    assert.ok(TOPICS.deadLetters.maxMessageBytes >= Math.ceil(largest * 4 / 3) + 64 * 1024);
  });

  it('applies the configured prefix', () => {
    assert.equal(topicName('rawReports', 'test-1.'), 'test-1.faultline.reports.raw');
  });
});
