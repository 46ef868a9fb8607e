/**
 * The normalizer service on the real broker, fed the way production feeds it: the built ingest
 * gateway runs as its own process and the real Sentry SDK and plain HTTP clients post to it; the
 * normalizer module is hosted in-process by `hostServices`, as its app does. Hostile reports
 * produced straight to the raw topic end in the dead-letter topic with their reason and exact
 * bytes, without stalling the partition; a restarted normalizer does not re-emit what it committed.
 */
import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Partitioners, type Admin, type Consumer, type Producer } from 'kafkajs';
import { NodeClient, Scope, defaultStackParser, makeNodeTransport } from '@sentry/node';
import { loadConfig } from '@faultline/config';
import { createKafka, topicName, type TopicId } from '@faultline/kafka';
import { Logger } from '@faultline/observability';
import { WorkerPoolNormalizer, createRuntime, type Runtime } from '@faultline/pipeline';
import { CrashEvent, DeadLetter, RawReport, type DeadLetterReason } from '@faultline/schema';
import { NORMALIZER_GROUP, NormalizerModule } from '@faultline/service-normalizer';
import { hostServices, type ServiceHost } from '@faultline/service-ops';
import { expectEventually, startGatewayProcess, testEnvironment, type GatewayProcess } from '@faultline/testing';

const SDK_KEY = 'sdk0key0123456789abcdef';
const NATIVE_KEY = 'native0key0123456789abc';

// dist/tests/e2e → dist/apps/ingest-gateway/src/main.js and dist/tests/fixtures (copied as they are).
const FIXTURES = join(__dirname, '..', 'fixtures');

type HostileGenerators = typeof import('../fixtures/hostile/generate');
/** The hostile-input generators ship as TypeScript in the fixture tree (not compiled); Node strips the types on load. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const gen = require(join(FIXTURES, 'hostile', 'generate.ts')) as HostileGenerators;

const fixtureText = (path: string): string => readFileSync(join(FIXTURES, path), 'utf8');

interface V8Frame {
  function: string | null;
  file: string;
  line: number;
  column: number;
}

/** `    at fn (file:line:col)` / `    at file:line:col` lines of an error stack, innermost first. */
function v8Frames(stack: string | undefined): V8Frame[] {
  const frames: V8Frame[] = [];
  for (const line of (stack ?? '').split('\n')) {
    const match = /^\s+at (?:async )?(?:(.+?) \()?(.+):(\d+):(\d+)\)?$/.exec(line);
    if (match) frames.push({ function: match[1] ?? null, file: match[2], line: Number(match[3]), column: Number(match[4]) });
  }
  return frames;
}

/** This file as V8 names it in stacks: the .ts source under --enable-source-maps, else the compiled .js. */
const THIS_FILE = v8Frames(new Error().stack)[0].file;

// The test's own call chain for the Sentry SDK to capture: oldest (outer) to the crash site.
function outerFrameOfTheTest(): never {
  middleFrameOfTheTest();
}
function middleFrameOfTheTest(): never {
  crashSiteOfTheTest();
}
function crashSiteOfTheTest(): never {
  throw new TypeError('normalizer e2e: the cart has no items');
}



/** A message as the test's own consumer read it, its value validated against the topic schema. */
type Checked<T> = { ok: true; value: T } | { ok: false; error: string };
interface Seen<T> {
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  checked: Checked<T>;
}

function check<T>(value: Buffer | null, parse: (json: unknown) => { success: true; data: T } | { success: false; error: { message: string } }): Checked<T> {
  try {
    const parsed = parse(JSON.parse(value?.toString('utf8') ?? 'null'));
    return parsed.success ? { ok: true, value: parsed.data } : { ok: false, error: parsed.error.message };
  } catch (error) {
    return { ok: false, error: String(error) };
  }
}

/** What should become of one message produced to the raw topic. */
type Expectation = { outcome: 'normalized'; ids: string[] } | { outcome: 'dead_lettered'; reason: DeadLetterReason };

interface Planned {
  label: string;
  /** A RawReport is produced as TopicProducer would encode it (schema-checked); anything else as these bytes. */
  message: { kind: 'report'; report: RawReport } | { kind: 'bytes'; value: Buffer | null };
  expect: Expectation;
}

/** The bytes TopicProducer would put on the topic for a report: the schema-parsed object as JSON. */
function bytesOf(planned: Planned): Buffer | null {
  return planned.message.kind === 'report' ? Buffer.from(JSON.stringify(RawReport.parse(planned.message.report))) : planned.message.value;
}

const sentryEventId = (): string => randomUUID().replaceAll('-', '');

describe('normalizer e2e: gateway → raw topic → normalizer → normalized events and dead letters', () => {
  const { env, cleanup } = testEnvironment('normalizer');
  const config = loadConfig(env, {});
  const run = randomUUID().slice(0, 8);
  const logger = new Logger('normalizer-e2e-test', 'error');
  const topics = {
    raw: topicName('rawReports', config.kafka.topicPrefix),
    normalized: topicName('normalizedEvents', config.kafka.topicPrefix),
    deadLetters: topicName('deadLetters', config.kafka.topicPrefix),
  };

  const normalized: Array<Seen<CrashEvent>> = [];
  const deadLetters: Array<Seen<DeadLetter>> = [];
  const raw: Array<Seen<null>> = [];

  let runtime: Runtime | undefined;
  let host: ServiceHost | undefined;
  let gateway: GatewayProcess | undefined;
  let admin: Admin | undefined;
  let kafkaProducer: Producer | undefined;
  let consumer: Consumer | undefined;
  let sentry: NodeClient | undefined;

  const hostNormalizer = (rt: Runtime): Promise<ServiceHost> =>
    hostServices(rt, [NormalizerModule.register(rt, new WorkerPoolNormalizer({ projects: [], symbolication: null }, 2))], { host: '127.0.0.1', port: 0, needs: { clickhouse: false, kafka: true } });

  before(async () => {
    runtime = createRuntime(config, 'normalizer-e2e');
    // Hosting the module creates the topics (the batch transport ensures them) and joins the group.
    host = await hostNormalizer(runtime);

    const kafka = createKafka(config.kafka, logger);
    admin = kafka.admin();
    await admin.connect();
    // One client for both kinds of writes, so a report and a non-report with one key share a partition.
    kafkaProducer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
    await kafkaProducer.connect();

    // Reads all three topics from the start; dead letters hold a 10 MB report base64-encoded.
    consumer = kafka.consumer({ groupId: `normalizer-e2e-${randomUUID()}`, maxWaitTimeInMs: 100, maxBytesPerPartition: 48 * 1024 * 1024, maxBytes: 96 * 1024 * 1024 });
    await consumer.connect();
    await consumer.subscribe({ topics: [topics.raw, topics.normalized, topics.deadLetters], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const base = { partition, offset: message.offset, key: message.key?.toString('utf8') ?? null, value: message.value };
        if (topic === topics.normalized) normalized.push({ ...base, checked: check(message.value, (j) => CrashEvent.safeParse(j)) });
        else if (topic === topics.deadLetters) deadLetters.push({ ...base, checked: check(message.value, (j) => DeadLetter.safeParse(j)) });
        else raw.push({ ...base, checked: { ok: true, value: null } });
      },
    });

    gateway = await startGatewayProcess({
      ...env,
      FAULTLINE_PROJECTS: JSON.stringify([
        // Sentry DSNs need numeric project ids.
        { id: '42', publicKey: SDK_KEY },
        { id: 'native', publicKey: NATIVE_KEY },
      ]),
    });
    const url = gateway.url;
    await expectEventually(async () => assert.equal((await fetch(`${url}/health/ready`)).status, 200), { timeoutMs: 60_000 });
  });

  after(async () => {
    await sentry?.close(2000);
    await gateway?.stop('SIGTERM');
    await consumer?.disconnect();
    await kafkaProducer?.disconnect();
    await admin?.disconnect();
    await host?.close();
    await runtime?.close();
    cleanup();
  });

  const eventually = <T>(assertion: () => T | Promise<T>): Promise<T> => expectEventually(assertion, { timeoutMs: 60_000, intervalMs: 100 });

  /** Every normalized event read so far, each checked against the CrashEvent schema. */
  function events(): Array<Seen<CrashEvent> & { event: CrashEvent }> {
    return normalized.map((m) => {
      assert.ok(m.checked.ok, `normalized message at ${m.partition}/${m.offset} breaks the CrashEvent schema: ${m.checked.ok ? '' : m.checked.error}`);
      return { ...m, event: m.checked.value };
    });
  }

  function letters(): Array<Seen<DeadLetter> & { letter: DeadLetter }> {
    return deadLetters.map((m) => {
      assert.ok(m.checked.ok, `dead letter at ${m.partition}/${m.offset} breaks the DeadLetter schema: ${m.checked.ok ? '' : m.checked.error}`);
      return { ...m, letter: m.checked.value };
    });
  }

  /** Waits until each id has arrived on the normalized topic, and returns one event per id, in order. */
  const arrived = (ids: string[]): Promise<CrashEvent[]> =>
    eventually(() => {
      const all = events();
      return ids.map((id) => {
        const found = all.find((m) => m.event.id === id);
        assert.ok(found, `event ${id} not among ${all.length} normalized events`);
        return found.event;
      });
    });

  /** How many messages a topic holds: high minus low watermarks, summed over partitions. Exact, no sampling. */
  async function topicTotal(topic: TopicId): Promise<number> {
    const offsets = await admin!.fetchTopicOffsets(topicName(topic, config.kafka.topicPrefix));
    return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  }

  /** The normalizer group has committed past every message on the raw topic. */
  async function normalizerCaughtUp(): Promise<void> {
    const ends = await admin!.fetchTopicOffsets(topics.raw);
    const [committed] = await admin!.fetchOffsets({ groupId: NORMALIZER_GROUP, topics: [topics.raw] });
    for (const end of ends) {
      const offset = committed.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
      // -1: nothing committed, right for a partition that never held a message.
      assert.equal(offset === '-1' ? '0' : offset, end.high, `partition ${end.partition}: committed ${offset}, end ${end.high}`);
    }
  }

  function metricLine(labels: string, value: number): string {
    return `faultline_events_total{${labels}} ${value}`;
  }

  // Totals the later tests build on: what the normalized topic should hold after each step.
  let expectedNormalizedTotal = 0;
  let expectedDeadLetterTotal = 0;

  it('normalizes an exception captured by the unmodified Sentry SDK, frames and all', async () => {
    const port = new URL(gateway!.url).port;
    sentry = new NodeClient({
      dsn: `http://${SDK_KEY}@127.0.0.1:${port}/42`,
      transport: makeNodeTransport,
      stackParser: defaultStackParser,
      integrations: [],
      tracesSampleRate: 0,
      sendClientReports: false,
      release: 'normalizer-e2e@1.0.0',
    });
    const scope = new Scope();
    scope.setClient(sentry);
    sentry.init();

    let thrown: Error | undefined;
    try {
      outerFrameOfTheTest();
    } catch (error) {
      thrown = error as Error;
    }
    assert.ok(thrown);
    const eventId = scope.captureException(thrown);
    assert.equal(await sentry.flush(10_000), true);

    const [event] = await arrived([eventId]);
    const message = events().find((m) => m.event.id === eventId)!;
    assert.equal(message.key, `42:${event.fingerprint}`, 'keyed by project:fingerprint');

    assert.equal(event.id, eventId);
    assert.equal(event.project, '42');
    assert.equal(event.platform, 'node');
    assert.equal(event.source.kind, 'sentry');
    assert.equal(event.release, 'normalizer-e2e@1.0.0');
    assert.equal(event.severity, 'error');
    assert.equal(event.errorType, 'TypeError');
    assert.equal(event.message, 'normalizer e2e: the cart has no items');
    assert.ok(Math.abs(Date.parse(event.timestamp) - Date.now()) < 5 * 60_000, `timestamp ${event.timestamp} is now`);
    assert.equal(event.exceptions.length, 1);
    assert.equal(event.exceptions[0].type, 'TypeError');

    // Oldest first, crash site last; the test's frames as V8 itself reported them.
    const frames = event.exceptions[0].frames;
    assert.match(THIS_FILE, /normalizer\.e2e\.test\.[jt]s$/);
    const ours = frames.filter((f) => f.file === THIS_FILE);
    const v8Ours = v8Frames(thrown.stack).filter((f) => f.file === THIS_FILE).reverse();
    assert.ok(ours.length >= 3, `the test's frames in ${JSON.stringify(frames)}`);
    assert.deepEqual(
      ours.map((f) => [f.line, f.column]),
      v8Ours.map((f) => [f.line, f.column]),
      'every frame of this file, in order, with V8’s line and column',
    );
    assert.deepEqual(
      frames.slice(-3).map((f) => [f.function, f.file]),
      [
        ['outerFrameOfTheTest', THIS_FILE],
        ['middleFrameOfTheTest', THIS_FILE],
        ['crashSiteOfTheTest', THIS_FILE],
      ],
    );
    for (const frame of ours) assert.equal(frame.inApp, true, `${frame.function} is in-app`);
    const others = frames.filter((f) => f.file !== THIS_FILE);
    assert.ok(others.length > 0, 'the test runner’s frames are kept too');
    for (const frame of others) assert.equal(frame.inApp, false, `${frame.function} (${frame.file}) is not in-app`);

    assert.ok(event.fingerprint.length > 0, 'fingerprinted');
    assert.ok(event.fingerprintParts.length > 0, 'with the parts that went into the fingerprint');
    assert.ok(event.fingerprintParts.some((part) => part.includes('crashSiteOfTheTest')), `parts ${JSON.stringify(event.fingerprintParts)} name the crash site`);
    expectedNormalizedTotal += 1;
  });

  it('normalizes a native batch and a log text posted to the native endpoints, record by record', async () => {
    const nativeBatch = [
      {
        id: `${run}-android`,
        platform: 'android',
        level: 'fatal',
        release: 'com.acme.shop@7.4.0+7040',
        exception: {
          type: 'java.lang.IllegalStateException',
          value: 'Checkout failed for cart 55120',
          // Innermost first, as getStackTrace() gives them.
          frames: [
            { function: 'submit', module: 'com.acme.shop.checkout.CheckoutPresenter', file: 'CheckoutPresenter.kt', line: 88 },
            { method: 'onClick', class: 'com.acme.shop.ui.CheckoutButton', filename: 'CheckoutButton.kt', lineno: 31 },
            { function: 'performClick', module: 'android.view.View', file: 'View.java', line: 7659 },
          ],
        },
      },
      {
        id: `${run}-rn`,
        platform: 'react-native',
        exception: {
          type: 'TypeError',
          value: 'undefined is not a function',
          // A text trace instead of frames: V8, innermost first.
          stacktrace: 'TypeError: undefined is not a function\n    at renderCart (/app/src/Cart.js:12:5)\n    at App (/app/src/App.js:3:1)\n',
        },
      },
      { id: `${run}-go`, platform: 'go', level: 'error', message: 'payment retry budget exhausted' },
    ];
    const posted = await fetch(`${gateway!.url}/api/v1/projects/native/events`, {
      method: 'POST',
      body: JSON.stringify(nativeBatch),
      headers: { authorization: `Bearer ${NATIVE_KEY}`, 'content-type': 'application/json' },
    });
    assert.equal(posted.status, 200);
    assert.deepEqual(await posted.json(), { accepted: 3, ids: nativeBatch.map((e) => e.id) });

    const source = `backend/mixed-${run}.log`;
    const log = fixtureText('logs/backend-mixed.log');
    const logged = await fetch(`${gateway!.url}/api/v1/projects/native/logs`, {
      method: 'POST',
      body: log,
      headers: { authorization: `Bearer ${NATIVE_KEY}`, 'content-type': 'text/plain', 'x-faultline-source': source },
    });
    assert.equal(logged.status, 200);
    assert.equal(((await logged.json()) as { accepted: number }).accepted, 1);

    const [android, rn, go] = await arrived(nativeBatch.map((e) => e.id));
    for (const event of [android, rn, go]) {
      assert.equal(event.project, 'native');
      assert.equal(event.source.kind, 'native');
      assert.ok(event.fingerprint.length > 0 && event.fingerprintParts.length > 0, `${event.id} is fingerprinted`);
    }
    assert.equal(android.platform, 'java');
    assert.equal(android.severity, 'fatal');
    assert.equal(android.errorType, 'IllegalStateException');
    assert.equal(android.exceptions.at(-1)?.module, 'java.lang');
    assert.equal(android.message, 'Checkout failed for cart 55120');
    assert.deepEqual(
      android.exceptions.at(-1)?.frames.map((f) => [f.function, f.module, f.line, f.inApp]),
      [
        ['performClick', 'android.view.View', 7659, false],
        ['onClick', 'com.acme.shop.ui.CheckoutButton', 31, true],
        ['submit', 'com.acme.shop.checkout.CheckoutPresenter', 88, true],
      ],
      'innermost-first frames reversed to oldest first, library frames not in-app',
    );
    assert.equal(rn.platform, 'javascript');
    assert.equal(rn.errorType, 'TypeError');
    assert.deepEqual(rn.exceptions.at(-1)?.frames.map((f) => [f.function, f.file, f.line]), [
      ['App', '/app/src/App.js', 3],
      ['renderCart', '/app/src/Cart.js', 12],
    ]);
    assert.equal(go.errorType, 'Message');
    assert.deepEqual(go.exceptions, []);
    assert.equal(go.message, 'payment retry budget exhausted');

    // One event per record of the log, with ids `<X-Faultline-Source>:<line>` (tests/fixtures/README.md).
    const records = await arrived([4, 15, 23, 28].map((line) => `${source}:${line}`));
    assert.deepEqual(
      records.map((e) => [e.source.kind, e.source.name, e.source.line, e.errorType]),
      [
        ['text', source, 4, 'IllegalStateException'],
        ['text', source, 15, 'KeyError'],
        ['text', source, 23, 'TypeError'],
        ['text', source, 28, 'ConnectionError'],
      ],
    );
    assert.deepEqual(records[0].exceptions.map((e) => e.type), ['StateException', 'IllegalStateException'], 'Caused by: chain, root cause first');
    for (const event of records) {
      assert.equal(event.project, 'native');
      assert.ok(!event.raw.includes('jane.doe@example.com') && !event.raw.includes('abcdef0123456789abcdef'), `${event.id}: PII scrubbed from raw`);
    }

    expectedNormalizedTotal += nativeBatch.length + records.length;
    // Exact: once the group has committed everything, the topics hold these events and no dead letter.
    await eventually(normalizerCaughtUp);
    assert.equal(await topicTotal('normalizedEvents'), expectedNormalizedTotal);
    assert.equal(await topicTotal('deadLetters'), 0);
    assert.equal(events().length, expectedNormalizedTotal, 'no duplicates');
  });

  it('dead-letters hostile reports with their reason and exact bytes, loses nothing, and keeps the partition moving', async () => {
    // One key for the whole sequence (not the topic's own key, the report id): one partition, consumed in this order.
    const project = `hostile-${run}`;
    const reportOf = (kind: RawReport['kind'], payload: string, sourceName = 'sentry/store'): Planned['message'] => ({
      kind: 'report',
      report: { reportId: randomUUID(), project, kind, receivedAt: new Date().toISOString(), sourceName, payload },
    });
    const deadLettered = (label: string, message: Planned['message'], reason: DeadLetterReason): Planned => ({ label, message, expect: { outcome: 'dead_lettered', reason } });
    const normalizedAs = (label: string, message: Planned['message'], ids: string[]): Planned => ({ label, message, expect: { outcome: 'normalized', ids } });
    const goodSentry = (label: string): Planned => {
      const eventId = sentryEventId();
      const frames = [
        { function: 'main', filename: '/srv/app/main.js', lineno: 1, colno: 1 },
        { function: label, filename: '/srv/app/orders.js', lineno: 9, colno: 3 },
      ];
      const payload = { event_id: eventId, platform: 'node', exception: { values: [{ type: 'RangeError', value: `good report ${label}`, stacktrace: { frames } }] } };
      return normalizedAs(label, reportOf('sentry_event', JSON.stringify(payload)), [eventId]);
    };
    const nativeId = `${run}-native-good`;
    const logSource = `hostile/${run}.log`;
    const goodLog = '2026-11-20T10:00:00.000Z INFO [api] up\n2026-11-20T10:00:01.000Z ERROR [api] order failed\nTypeError: x is undefined\n    at load (/srv/app/orders.js:3:7)\n';
    const binaryText = Buffer.from(gen.binaryGarbage(4096, 7, true)).toString('latin1');
    const notUtf8 = Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0xe2, 0x82]), randomBytes(256)]);
    const plan: Planned[] = [
      goodSentry('goodFirst'),
      deadLettered('malformed JSON', reportOf('sentry_event', fixtureText('hostile/malformed.json')), 'invalid_json'),
      deadLettered('truncated JSON', reportOf('sentry_event', fixtureText('hostile/truncated.json')), 'invalid_json'),
      normalizedAs('native event', reportOf('native_event', JSON.stringify({ id: nativeId, exception: { type: 'Error', value: 'native good' } }), 'native/events'), [nativeId]),
      deadLettered('binary garbage as log text', reportOf('log_text', binaryText, 'logs/garbage.bin'), 'unsupported_format'),
      deadLettered('JSON nested 10,000 deep', reportOf('sentry_event', gen.deepSentryEvent(10_000)), 'too_deep'),
      deadLettered('10 MB event', reportOf('sentry_event', gen.hugeMessageEvent(10 * 1024 * 1024)), 'too_large'),
      normalizedAs('log with one error', reportOf('log_text', goodLog, logSource), [`${logSource}:2`]),
      deadLettered('event without exception or message', reportOf('sentry_event', fixtureText('hostile/empty-event.json')), 'no_records'),
      deadLettered('log without a crash', reportOf('log_text', fixtureText('hostile/no-crash.log'), 'logs/no-crash.log'), 'no_records'),
      deadLettered('lone surrogate', reportOf('sentry_event', gen.loneSurrogatePayload()), 'invalid_utf8'),
      deadLettered('bytes that are not UTF-8', { kind: 'bytes', value: notUtf8 }, 'invalid_envelope'),
      deadLettered('JSON that is not a RawReport', { kind: 'bytes', value: Buffer.from(JSON.stringify({ reportId: run, kind: 'mystery', payload: 42 })) }, 'invalid_envelope'),
      deadLettered('tombstone (null value)', { kind: 'bytes', value: null }, 'invalid_envelope'),
      goodSentry('goodAfterHostile'),
    ];

    for (const planned of plan) await kafkaProducer!.send({ topic: topics.raw, acks: -1, messages: [{ key: project, value: bytesOf(planned) }] });

    // Where each landed and what is on the topic: the raw topic as any consumer reads it.
    const onTopic = await eventually(() => {
      const ours = raw.filter((m) => m.key === project).sort((a, b) => Number(BigInt(a.offset) - BigInt(b.offset)));
      assert.equal(ours.length, plan.length, 'every planned message is on the raw topic');
      return ours;
    });
    const partition = onTopic[0].partition;
    onTopic.forEach((m, i) => {
      assert.equal(m.partition, partition, 'one key, one partition');
      const expected = bytesOf(plan[i]);
      assert.ok(expected === null ? m.value === null : m.value?.equals(expected), `${plan[i].label}: the topic holds the bytes produced`);
    });

    const hostile: Array<{ label: string; offset: string; bytes: Buffer; reason: DeadLetterReason }> = [];
    const good: Array<{ label: string; offset: string; ids: string[] }> = [];
    plan.forEach((planned, i) => {
      const { label, expect } = planned;
      switch (expect.outcome) {
        case 'dead_lettered':
          hostile.push({ label, offset: onTopic[i].offset, bytes: bytesOf(planned) ?? Buffer.alloc(0), reason: expect.reason });
          break;
        case 'normalized':
          good.push({ label, offset: onTopic[i].offset, ids: expect.ids });
          break;
      }
    });
    const goodIds = good.flatMap((p) => p.ids);

    // The good report produced after every hostile one arrives: the partition did not stall.
    await arrived(goodIds);
    const offsets = new Set(onTopic.map((m) => m.offset));
    const ourLetters = await eventually(() => {
      const found = letters().filter((m) => m.letter.sourceTopic === topics.raw && m.letter.partition === partition && offsets.has(m.letter.offset));
      assert.equal(found.length, hostile.length, `dead letters: ${JSON.stringify(found.map((m) => [m.letter.offset, m.letter.reason]))}`);
      return found;
    });

    for (const planned of hostile) {
      const matching = ourLetters.filter((m) => m.letter.offset === planned.offset);
      assert.equal(matching.length, 1, `${planned.label}: exactly one dead letter`);
      const { letter, key } = matching[0];
      assert.equal(letter.reason, planned.reason, `${planned.label}: reason (${letter.detail})`);
      assert.equal(letter.sourceTopic, topics.raw);
      assert.equal(letter.partition, partition);
      assert.equal(letter.consumer, NORMALIZER_GROUP);
      assert.equal(letter.originalKey, project);
      assert.equal(key, topics.raw, 'dead letters are keyed by source topic');
      assert.ok(letter.detail.length > 0 && letter.detail.length <= 2000, `${planned.label}: a detail`);
      assert.ok(Number.isFinite(Date.parse(letter.failedAt)));
      const original = Buffer.from(letter.originalBase64, 'base64');
      assert.ok(original.equals(planned.bytes), `${planned.label}: the original bytes, exactly (${original.length} of ${planned.bytes.length} bytes)`);
    }

    // Nothing lost, nothing doubled: each message is one dead letter or its events, never both.
    const eventsNow = events();
    const normalizedReports = good.filter((p) => p.ids.every((id) => eventsNow.filter((m) => m.event.id === id).length === 1));
    assert.equal(ourLetters.length + normalizedReports.length, plan.length);
    for (const planned of good) assert.ok(!ourLetters.some((m) => m.letter.offset === planned.offset), `${planned.label} is not dead-lettered`);
    for (const id of goodIds) assert.equal(eventsNow.find((m) => m.event.id === id)?.event.project, project);

    expectedNormalizedTotal += goodIds.length;
    expectedDeadLetterTotal += hostile.length;
    await eventually(normalizerCaughtUp);
    assert.equal(await topicTotal('deadLetters'), expectedDeadLetterTotal, 'exactly one dead letter per hostile message');
    assert.equal(await topicTotal('normalizedEvents'), expectedNormalizedTotal);

    const counts = new Map<DeadLetterReason, number>();
    for (const { reason } of hostile) counts.set(reason, (counts.get(reason) ?? 0) + 1);
    // Messages, not events: the Sentry event, the native batch (one report per event), the log, and this test's good ones.
    const processedMessages = 1 + 3 + 1 + good.length;
    await eventually(async () => {
      const lines = (await runtime!.metrics.text()).split('\n');
      for (const [reason, count] of counts) {
        const line = metricLine(`stage="${NORMALIZER_GROUP}",outcome="dead_lettered",reason="${reason}"`, count);
        assert.ok(lines.includes(line), `${line}\n${lines.filter((l) => l.startsWith('faultline_events_total')).join('\n')}`);
      }
      const processed = metricLine(`stage="${NORMALIZER_GROUP}",outcome="processed",reason="none"`, processedMessages);
      assert.ok(lines.includes(processed), `${processed}\n${lines.filter((l) => l.startsWith('faultline_events_total')).join('\n')}`);
    });
  });

  it('a normalizer restarted in the same group does not re-emit what was committed', async () => {
    await eventually(normalizerCaughtUp);
    assert.equal(await topicTotal('normalizedEvents'), expectedNormalizedTotal);
    await host!.close();
    await runtime!.close();
    host = undefined;
    // A new process: its own runtime (metrics, producer), the same settings and consumer group.
    runtime = createRuntime(config, 'normalizer-e2e-restarted');
    host = await hostNormalizer(runtime);

    // One more good report on every partition, so each partition that held data moves on.
    const partitions = await admin!.fetchTopicOffsets(topics.raw);
    const markers = partitions.map(({ partition }) => ({ partition, id: sentryEventId() }));
    const receivedAt = new Date().toISOString();
    await kafkaProducer!.send({
      topic: topics.raw,
      acks: -1,
      messages: markers.map(({ partition, id }) => ({
        partition,
        key: id,
        value: JSON.stringify(RawReport.parse({ reportId: id, project: '42', kind: 'sentry_event', receivedAt, sourceName: 'replay', payload: JSON.stringify({ event_id: id, message: 'after restart' }) })),
      })),
    });

    await arrived(markers.map((m) => m.id));
    await eventually(normalizerCaughtUp);
    expectedNormalizedTotal += markers.length;
    // Committed means produced and acknowledged: the topic's exact size settles the question.
    assert.equal(await topicTotal('normalizedEvents'), expectedNormalizedTotal, 'only the new reports were normalized again');
    assert.equal(await topicTotal('deadLetters'), expectedDeadLetterTotal, 'no hostile message was dead-lettered twice');
    const all = await eventually(() => {
      const seen = events();
      assert.equal(seen.length, expectedNormalizedTotal);
      return seen;
    });
    const ids = all.map((m) => m.event.id);
    assert.equal(new Set(ids).size, ids.length, 'no event id twice');

    const lines = (await runtime.metrics.text()).split('\n');
    assert.ok(lines.includes(metricLine(`stage="${NORMALIZER_GROUP}",outcome="processed",reason="none"`, markers.length)), 'the new process handled only the new reports');
    assert.ok(!lines.some((l) => l.includes('outcome="dead_lettered"')), 'and dead-lettered nothing');
  });
});
