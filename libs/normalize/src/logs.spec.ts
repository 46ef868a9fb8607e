import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hostile, normalizeFixture, RECEIVED_AT } from './testing';
import { normalizeFile, normalizeReport } from './normalize';
import { severityOfLevel } from './event';
import { splitTextRecords } from './logs';

describe('log splitting', () => {
  it('backend-mixed.log: one record per ERROR/FATAL entry, unrelated lines skipped', () => {
    const r = normalizeFixture('logs/backend-mixed.log');
    assert.deepEqual(r.rejected, []);
    assert.deepEqual(
      r.events.map((e) => [e.id, e.timestamp, e.severity, e.platform, e.errorType, e.tags.logger]),
      [
        ['logs/backend-mixed.log:4', '2026-11-20T10:00:07.842Z', 'error', 'java', 'IllegalStateException', 'orders'],
        ['logs/backend-mixed.log:15', '2026-11-20T10:00:09.731Z', 'error', 'python', 'KeyError', 'billing'],
        ['logs/backend-mixed.log:23', '2026-11-20T10:00:11.204Z', 'error', 'node', 'TypeError', 'gateway'],
        ['logs/backend-mixed.log:28', '2026-11-20T10:00:12.000Z', 'fatal', 'other', 'ConnectionError', 'orders'],
      ],
    );
    const java = r.events[0];
    assert.deepEqual(java.exceptions.map((x) => x.type), ['StateException', 'IllegalStateException']);
    assert.deepEqual(java.exceptions[0].frames.map((f) => `${f.function}:${f.line}`), ['service:885', 'cancel:64', 'cancel:209', 'transition:40']);
    // The record ends where the next timestamped line starts: no INFO lines in it.
    assert.ok(java.raw.endsWith('\t... 2 more'));
    assert.ok(!java.raw.includes('GET /health'));
    assert.ok(java.raw.includes('[email]') && !java.raw.includes('jane.doe@example.com'));
    const node = r.events[2];
    assert.deepEqual(node.exceptions[0].frames.map((f) => [f.function, f.file, f.line]), [
      [null, '/srv/gateway/src/routes/proxy.js', 8],
      ['callUpstream', '/srv/gateway/src/upstream.js', 22],
      [null, 'node:internal/deps/undici/undici', 13502],
    ]);
    assert.ok(node.raw.includes('Authorization: [redacted]'));
    assert.equal(node.canonicalKind, 'network_error');
    const fatal = r.events[3];
    assert.equal(fatal.message, 'database connection lost after 3 retries');
    assert.equal(fatal.exceptions[0].frames.length, 0);
  });

  it('go-service.log: a recovered net/http panic takes its message from the log line', () => {
    const r = normalizeFixture('logs/go-service.log');
    assert.equal(r.events.length, 1);
    const e = r.events[0];
    assert.equal(e.id, 'logs/go-service.log:3');
    assert.equal(e.timestamp, '2026-11-20T10:05:42.000Z');
    assert.equal(e.canonicalKind, 'index_out_of_range');
    assert.equal(e.messageTemplate, 'http: panic serving <ip>: runtime error: index out of range [<num>] with length <num>');
    assert.deepEqual(e.exceptions[0].frames.filter((f) => f.inApp).map((f) => [f.function, f.line]), [
      ['github.com/acme/ledger/internal/api.(*Handler).transfer', 57],
      ['github.com/acme/ledger/internal/api.pickAccount', 23],
    ]);
  });

  it('browser-console.txt: Uncaught errors and a Firefox stack, React warnings skipped', () => {
    const r = normalizeFixture('text/browser-console.txt');
    assert.deepEqual(
      r.events.map((e) => [e.id, e.errorType, e.canonicalKind, e.exceptions[0].frames.length]),
      [
        ['text/browser-console.txt:6', 'TypeError', 'null_property_access', 3],
        ['text/browser-console.txt:13', 'Error', 'error', 3],
        ['text/browser-console.txt:18', 'InternalError', 'stack_overflow', 4],
      ],
    );
    assert.equal(r.events[0].timestamp, RECEIVED_AT);
    assert.deepEqual(r.events[0].exceptions[0].frames.map((f) => f.function), ['mountIndeterminateComponent', 'renderWithHooks', 'ProductList']);
    assert.equal(r.events[1].message, 'Request failed with status code 500');
  });

  it('several bare traces in one text file are separate records', () => {
    const text = 'Error: one\n    at a (/x.js:1:1)\n\nnoise\nTypeError: two\n    at b (/y.js:2:2)\n';
    const records = splitTextRecords(text);
    assert.deepEqual(records.map((r) => [r.line, r.trace?.exceptions[0].value]), [[1, 'one'], [5, 'two']]);
  });

  it('ERROR lines without a trace are records; INFO/WARN without a trace are not', () => {
    const text = [
      '2026-11-20 10:00:00,000 - app - INFO - ready',
      '2026-11-20 10:00:01,000 - app - ERROR - payment 42 failed',
      '[2026-11-20 10:00:02] WARN slow',
      '2026/11/20 10:00:03 level=error msg="boom"',
    ].join('\n');
    const records = splitTextRecords(text);
    assert.deepEqual(records.map((r) => [r.line, r.severity, r.timestamp]), [
      [2, 'error', '2026-11-20T10:00:01.000Z'],
      [4, 'error', '2026-11-20T10:00:03.000Z'],
    ]);
  });

  it('a WARN entry followed by a trace keeps its severity', () => {
    const records = splitTextRecords('2026-11-20T10:00:00Z WARN retrying\nError: flaky\n    at f (/x.js:1:1)\n');
    assert.equal(records.length, 1);
    assert.equal(records[0].severity, 'warning');
  });

  it('reads a level as SDK events do: syslog ALERT and EMERG are fatal in a log and in an event alike', () => {
    const records = splitTextRecords(['2026-11-20T10:00:00Z ALERT disk gone', '2026-11-20T10:00:01Z EMERG kernel panic', '2026-11-20T10:00:02Z ERR write failed'].join('\n'));
    assert.deepEqual(records.map((r) => r.severity), ['fatal', 'fatal', 'error']);
    for (const level of ['ALERT', 'emerg', 'Crit', 'err', 'NOTICE', 'verbose']) {
      const event = normalizeReport({
        reportId: 'r',
        project: 'p',
        kind: 'sentry_event',
        receivedAt: RECEIVED_AT,
        sourceName: 'sdk',
        payload: JSON.stringify({ level, exception: { values: [{ type: 'E', value: 'm', stacktrace: { frames: [{ function: 'f', filename: 'x.js', lineno: 1 }] } }] } }),
      });
      assert.equal(event.events.length, 1, level);
      assert.equal(event.events[0].severity, severityOfLevel(level), level);
      // A log names its level in capitals.
      const [record] = splitTextRecords(`2026-11-20T10:00:00Z ${level.toUpperCase()} x\nError: y\n    at f (/x.js:1:1)\n`);
      if (level !== 'verbose') assert.equal(record.severity, severityOfLevel(level), level);
    }
    assert.equal(severityOfLevel('alert'), 'fatal');
    assert.equal(severityOfLevel('loud'), null);
  });

  it('a large log of 1,000 entries splits into 1,000 records with their own ids', () => {
    const r = normalizeFile('big.log', hostile().bigLog(1000, 3), { project: 'p', receivedAt: RECEIVED_AT });
    assert.equal(r.events.length, 1000);
    assert.equal(r.events[0].id, 'big.log:4');
    assert.equal(r.events[1].id, 'big.log:11');
  });
});
