import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Producer, ProducerRecord } from 'kafkajs';
import type { RawReport } from '@faultline/schema';
import { MessageTooLargeError, TopicProducer } from './client';
import { TOPICS } from './topics';

/** Records what kafkajs would have been asked to send. */
function recordingProducer(): { producer: Producer; requests: ProducerRecord[] } {
  const requests: ProducerRecord[] = [];
  const producer = { send: async (record: ProducerRecord) => void requests.push(record) } as unknown as Producer;
  return { producer, requests };
}

const report = (id: string, bytes: number): RawReport => ({
  reportId: id,
  project: 'p',
  kind: 'log_text',
  receivedAt: '2026-11-20T10:00:00.000Z',
  sourceName: 's',
  payload: 'x'.repeat(bytes),
});

describe('TopicProducer.send', () => {
  it('splits a large send into requests that fit the topic, in order, with acks=all', async () => {
    const { producer, requests } = recordingProducer();
    const third = Math.floor(TOPICS.rawReports.maxMessageBytes / 3);
    await new TopicProducer(producer, 't.').send('rawReports', ['a', 'b', 'c', 'd'].map((id) => report(id, third)));
    assert.ok(requests.length >= 2);
    assert.deepEqual(requests.flatMap((r) => r.messages.map((m) => JSON.parse(String(m.value)).reportId)), ['a', 'b', 'c', 'd']);
    for (const request of requests) {
      assert.equal(request.acks, -1);
      assert.equal(request.topic, 't.faultline.reports.raw');
      const bytes = request.messages.reduce((n, m) => n + Buffer.byteLength(String(m.value)), 0);
      assert.ok(bytes < TOPICS.rawReports.maxMessageBytes);
    }
  });

  it('refuses a message larger than the topic takes before sending anything', async () => {
    const { producer, requests } = recordingProducer();
    await assert.rejects(
      new TopicProducer(producer, '').send('rawReports', [report('ok', 10), report('huge', TOPICS.rawReports.maxMessageBytes)]),
      MessageTooLargeError,
    );
    assert.equal(requests.length, 0);
  });
});
