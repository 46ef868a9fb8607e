import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hostile, normalizeFixture, only } from '../testing';
import { normalizeReport } from '../normalize';
import { parseJavaFrame } from './java';

function sig(frames: ReadonlyArray<{ module: string | null; function: string | null; line: number | null }>): string[] {
  return frames.map((f) => `${f.module}.${f.function}:${f.line}`);
}

describe('Java frames', () => {
  it('reads class, method, file and line', () => {
    const f = parseJavaFrame('\tat com.acme.Foo$Bar.lambda$run$0(Foo.java:42)');
    assert.deepEqual([f?.module, f?.function, f?.file, f?.line], ['com.acme.Foo$Bar', 'lambda$run$0', 'Foo.java', 42]);
    const jdk = parseJavaFrame('\tat java.base/java.util.ArrayList.forEach(ArrayList.java:1596)');
    assert.deepEqual([jdk?.module, jdk?.function, jdk?.inApp], ['java.util.ArrayList', 'forEach', false]);
    const unknown = parseJavaFrame('\tat a.b.C.d(Unknown Source)');
    assert.deepEqual([unknown?.file, unknown?.line], [null, null]);
    const native = parseJavaFrame('    at java.lang.Thread.sleep(Native Method)');
    assert.deepEqual([native?.file, native?.line, native?.inApp], [null, null, false]);
    const logback = parseJavaFrame('\tat org.x.Y.z(Y.java:3) ~[x-1.0.jar:1.0]');
    assert.equal(logback?.line, 3);
    assert.equal(parseJavaFrame('    at fn (/srv/a.js:1:1)'), null);
  });
});

describe('fixture text/java-caused-by.txt', () => {
  const e = only(normalizeFixture('text/java-caused-by.txt'));

  it('orders the chain root cause first, outermost last, suppressed before it', () => {
    assert.deepEqual(
      e.exceptions.map((x) => `${x.module}.${x.type}|${x.mechanism?.type ?? '-'}`),
      ['java.io.IOException|suppressed', 'java.net.SocketTimeoutException|-', 'com.acme.orders.PaymentException|-', 'java.lang.IllegalStateException|-'],
    );
    assert.equal(e.errorType, 'IllegalStateException');
    assert.equal(e.message, 'Failed to process order 1042');
    assert.equal(e.tags.thread, 'main');
    assert.equal(e.platform, 'java');
  });

  it('outermost frames oldest first', () => {
    assert.deepEqual(sig(e.exceptions[3].frames), [
      'com.acme.orders.Main.main:14',
      'com.acme.orders.OrderProcessor.processAll:50',
      'java.util.ArrayList.forEach:1596',
      'com.acme.orders.OrderProcessor.lambda$processAll$0:51',
      'com.acme.orders.OrderProcessor.process:88',
    ]);
    assert.deepEqual(e.exceptions[3].frames.map((f) => f.inApp), [true, true, false, true, true]);
  });

  it('restores "... N more" frames from the enclosing trace', () => {
    // Caused by #1: 2 own frames + the 4 oldest of the outer trace.
    assert.deepEqual(sig(e.exceptions[2].frames), [
      'com.acme.orders.Main.main:14',
      'com.acme.orders.OrderProcessor.processAll:50',
      'java.util.ArrayList.forEach:1596',
      'com.acme.orders.OrderProcessor.lambda$processAll$0:51',
      'com.acme.orders.OrderProcessor.process:84',
      'com.acme.orders.payment.PaymentGateway.charge:131',
    ]);
    // Caused by #2: 3 own frames + the 5 oldest of cause #1.
    assert.deepEqual(sig(e.exceptions[1].frames), [
      'com.acme.orders.Main.main:14',
      'com.acme.orders.OrderProcessor.processAll:50',
      'java.util.ArrayList.forEach:1596',
      'com.acme.orders.OrderProcessor.lambda$processAll$0:51',
      'com.acme.orders.OrderProcessor.process:84',
      'com.acme.orders.payment.PaymentGateway.charge:127',
      'com.acme.orders.payment.HttpClient.post:66',
      'sun.nio.ch.NioSocketImpl.timedRead:288',
    ]);
    // Suppressed: 2 own frames + the 4 oldest of the exception that suppressed it.
    assert.deepEqual(sig(e.exceptions[0].frames), [
      'com.acme.orders.Main.main:14',
      'com.acme.orders.OrderProcessor.processAll:50',
      'java.util.ArrayList.forEach:1596',
      'com.acme.orders.OrderProcessor.lambda$processAll$0:51',
      'com.acme.orders.OrderProcessor.process:90',
      'com.acme.orders.db.Connection.close:203',
    ]);
  });

  it('never shares frame objects between links of the chain', () => {
    assert.notEqual(e.exceptions[1].frames[0], e.exceptions[2].frames[0]);
  });

  it('bounds a 10,000-frame trace, keeping the crash site and the oldest frames', () => {
    const text = hostile().hugeJavaTrace(10_000);
    const result = normalizeReport({ reportId: 'r', project: 'p', kind: 'log_text', receivedAt: '2026-11-20T12:00:00Z', sourceName: 'deep.txt', payload: text });
    const ev = only(result);
    const frames = ev.exceptions[0].frames;
    assert.equal(frames.length, 512);
    assert.equal(frames[0].module, 'com.acme.Main');
    assert.equal(frames.at(-1)?.line, 12);
    assert.equal(ev.canonicalKind, 'stack_overflow');
  });
});
