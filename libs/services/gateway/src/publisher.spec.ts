import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidOutgoingMessageError, type TopicProducer } from '@faultline/kafka';
import { Logger } from '@faultline/observability';
import type { RawReport } from '@faultline/schema';
import { MessageTooLargeError } from '@faultline/kafka';
import { KafkaReportPublisher, PublishUnavailableError, ReportTooLargeError } from './publisher';

const logger = new Logger('test', 'error');

function report(id: string, payloadBytes = 10): RawReport {
  return { reportId: id, project: 'p', kind: 'log_text', receivedAt: '2026-01-01T00:00:00Z', sourceName: 's', payload: 'x'.repeat(payloadBytes) };
}

/** Stands in for TopicProducer: only `send` is used. */
function fakeProducer(send: (reports: RawReport[]) => Promise<void>): TopicProducer {
  return { send: (_topic: string, messages: RawReport[]) => send(messages), disconnect: () => Promise.resolve() } as unknown as TopicProducer;
}

describe('KafkaReportPublisher', () => {
  it('sends and stays ready while sends succeed', async () => {
    const sent: RawReport[][] = [];
    const publisher = KafkaReportPublisher.fromProducer(fakeProducer(async (r) => void sent.push(r)), logger);
    await publisher.publish([report('a'), report('b')]);
    assert.deepEqual(sent.map((s) => s.map((r) => r.reportId)), [['a', 'b']]);
    assert.equal(publisher.isReady(), true);
  });

  it('turns a failed or slow send into PublishUnavailableError and reports not ready', async () => {
    let mode: 'fail' | 'hang' | 'ok' = 'fail';
    const publisher = KafkaReportPublisher.fromProducer(
      fakeProducer(() => {
        if (mode === 'fail') return Promise.reject(new Error('KafkaJSNumberOfRetriesExceeded'));
        if (mode === 'hang') return new Promise(() => undefined);
        return Promise.resolve();
      }),
      logger,
      { publishTimeoutMs: 50, unhealthyForMs: 60_000 },
    );
    await assert.rejects(publisher.publish([report('a')]), PublishUnavailableError);
    assert.equal(publisher.isReady(), false);
    mode = 'hang';
    await assert.rejects(publisher.publish([report('a')]), /did not acknowledge within 50 ms/);
    mode = 'ok';
    await publisher.publish([report('a')]);
    assert.equal(publisher.isReady(), true);
  });

  it('lets a schema violation through as is: our bug, not an outage', async () => {
    const publisher = KafkaReportPublisher.fromProducer(fakeProducer(() => Promise.reject(new InvalidOutgoingMessageError('bad'))), logger);
    await assert.rejects(publisher.publish([report('a')]), InvalidOutgoingMessageError);
    assert.equal(publisher.isReady(), true);
  });

  it('refuses to publish after close', async () => {
    const publisher = KafkaReportPublisher.fromProducer(fakeProducer(() => Promise.resolve()), logger);
    await publisher.close();
    assert.equal(publisher.isReady(), false);
    await assert.rejects(publisher.publish([report('a')]), PublishUnavailableError);
  });
});

describe('KafkaReportPublisher with an oversized report', () => {
  it('answers "too large", not "unavailable", when the producer refuses one message for its size', async () => {
    const publisher = KafkaReportPublisher.fromProducer(
      fakeProducer(async () => {
        throw new MessageTooLargeError('a rawReports message is 30000000 bytes encoded');
      }),
      logger,
    );
    await assert.rejects(publisher.publish([report('huge')]), ReportTooLargeError);
  });
});
