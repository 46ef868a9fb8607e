import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CrashEvent, Frame } from '@faultline/schema';
import { InMemoryArtifactStore } from './artifact-store';
import { encode, makeEvent, makeFrame } from './spec-support';
import { Symbolicator } from './symbolicator';
import { validateArtifact } from './validate-artifact';

const MAPPING = readFileSync(join(__dirname, 'fixtures', 'r8-mapping.txt'));

/**
 * java.lang.NullPointerException: Attempt to invoke virtual method 'long java.lang.Long.longValue()' on a null object reference
 *     at a.a.a(SourceFile:4)
 *     at com.example.shop.CheckoutActivity.onCreate(SourceFile:5)
 *     at android.app.Activity.performCreate(Activity.java:8305)
 *     at android.app.ActivityThread.main(ActivityThread.java:7839)
 * wrapped in a.c ("checkout failed") thrown from onCreate(SourceFile:8)
 */
function androidCrash(overrides: Partial<CrashEvent> = {}): CrashEvent {
  const framework = [
    makeFrame({ module: 'android.app.ActivityThread', function: 'main', file: 'ActivityThread.java', line: 7839, inApp: false }),
    makeFrame({ module: 'android.app.Activity', function: 'performCreate', file: 'Activity.java', line: 8305, inApp: false }),
  ];
  return makeEvent({
    project: 'android',
    platform: 'java',
    release: 'com.example.shop@2.3.0',
    errorType: 'a.c',
    exceptions: [
      {
        type: 'NullPointerException',
        module: 'java.lang',
        value: "Attempt to invoke virtual method 'long java.lang.Long.longValue()' on a null object reference",
        frames: [
          ...framework,
          makeFrame({ module: 'com.example.shop.CheckoutActivity', function: 'onCreate', file: 'SourceFile', line: 5 }),
          makeFrame({ module: 'a.a', function: 'a', file: 'SourceFile', line: 4 }),
        ],
      },
      {
        type: 'c',
        module: 'a',
        value: 'checkout failed',
        frames: [...framework, makeFrame({ module: 'com.example.shop.CheckoutActivity', function: 'onCreate', file: 'SourceFile', line: 8 })],
      },
    ],
    ...overrides,
  });
}

async function storeWithMapping(release: string | null): Promise<{ store: InMemoryArtifactStore; uuid: string }> {
  const validated = validateArtifact('proguard', MAPPING, 10 * 1024 * 1024);
  assert.ok(validated.ok);
  const uuid = validated.value.debugId as string;
  const store = new InMemoryArtifactStore();
  await store.put({ project: 'android', release, kind: 'proguard', name: 'mapping.txt', debugId: uuid }, MAPPING);
  return { store, uuid };
}

const view = (frames: Frame[]) => frames.map((f) => [f.module, f.function, f.file, f.line, f.symbolication?.status ?? null]);

describe('Symbolicator: Android / R8', () => {
  it('deobfuscates an Android crash by mapping UUID, expanding inlined frames in oldest-first order', async () => {
    const { store, uuid } = await storeWithMapping(null);
    const out = await new Symbolicator(store).symbolicate(androidCrash({ debugImages: [{ type: 'proguard', codeFile: null, debugId: uuid.toUpperCase() }] }));

    const cause = out.exceptions[0];
    assert.deepEqual(view(cause.frames), [
      ['android.app.ActivityThread', 'main', 'ActivityThread.java', 7839, null],
      ['android.app.Activity', 'performCreate', 'Activity.java', 8305, null],
      ['com.example.shop.CheckoutActivity', 'onCreate', 'CheckoutActivity.kt', 24, 'resolved'],
      ['com.example.shop.cart.CartRepository', 'totalCents', 'CartRepository.kt', 18, 'resolved'],
      ['com.example.shop.cart.CartRepository', 'sumLine', 'CartRepository.kt', 27, 'resolved'],
      ['com.example.shop.cart.LineItem', 'priceCents', 'LineItem.kt', 22, 'resolved'],
    ]);
    // All three expanded frames came from one obfuscated frame, and keep it.
    for (const frame of cause.frames.slice(3)) {
      assert.deepEqual(frame.original, { function: 'a', file: 'SourceFile', line: 4, column: null });
      assert.deepEqual(frame.symbolication, { status: 'resolved', via: 'proguard', artifact: `proguard:${uuid}` });
    }
    assert.equal(cause.type, 'NullPointerException');
    assert.equal(cause.module, 'java.lang');

    const outer = out.exceptions[1];
    assert.equal(outer.type, 'CheckoutFailedException');
    assert.equal(outer.module, 'com.example.shop.cart');
    assert.equal(out.errorType, 'com.example.shop.cart.CheckoutFailedException');
    assert.deepEqual(view(outer.frames).at(-1), ['com.example.shop.CheckoutActivity', 'onCreate', 'CheckoutActivity.kt', 27, 'resolved']);
  });

  it('falls back to the mapping uploaded for the release, and reads combined `pkg.Class.method` frames', async () => {
    const { store } = await storeWithMapping('com.example.shop@2.3.0');
    const event = androidCrash({
      exceptions: [{ type: 'a.c', value: 'x', frames: [makeFrame({ function: 'a.a.a', file: 'SourceFile', line: 2 })] }],
      errorType: 'a.c',
    });
    const out = await new Symbolicator(store).symbolicate(event);
    assert.equal(out.exceptions[0].type, 'com.example.shop.cart.CheckoutFailedException');
    assert.equal(out.errorType, 'com.example.shop.cart.CheckoutFailedException');
    assert.deepEqual(view(out.exceptions[0].frames), [[null, 'com.example.shop.cart.CartRepository.totalCents', 'CartRepository.kt', 16, 'resolved']]);
    assert.deepEqual(out.exceptions[0].frames[0].symbolication, { status: 'resolved', via: 'proguard', artifact: 'proguard:release:com.example.shop@2.3.0' });
  });

  it('marks obfuscated frames no_artifact when no mapping exists, and leaves framework frames alone', async () => {
    const out = await new Symbolicator(new InMemoryArtifactStore()).symbolicate(androidCrash());
    assert.deepEqual(view(out.exceptions[0].frames), [
      ['android.app.ActivityThread', 'main', 'ActivityThread.java', 7839, null],
      ['android.app.Activity', 'performCreate', 'Activity.java', 8305, null],
      ['com.example.shop.CheckoutActivity', 'onCreate', 'SourceFile', 5, null],
      ['a.a', 'a', 'SourceFile', 4, 'unresolved'],
    ]);
    assert.deepEqual(out.exceptions[0].frames[3].symbolication, { status: 'unresolved', reason: 'no_artifact' });
    assert.equal(out.exceptions[1].type, 'c');
  });

  it('reports out_of_range for a line outside every range, and malformed_map for a mapping without classes', async () => {
    const { store, uuid } = await storeWithMapping(null);
    const event = androidCrash({
      debugImages: [{ type: 'proguard', codeFile: null, debugId: uuid }],
      exceptions: [{ type: 'E', value: 'x', frames: [makeFrame({ module: 'a.a', function: 'a', file: 'SourceFile', line: 99 })] }],
    });
    const out = await new Symbolicator(store).symbolicate(event);
    assert.deepEqual(out.exceptions[0].frames[0].symbolication, { status: 'unresolved', reason: 'out_of_range' });
    assert.equal(out.exceptions[0].frames[0].module, 'a.a');

    const broken = new InMemoryArtifactStore();
    await broken.put({ project: 'android', release: 'com.example.shop@2.3.0', kind: 'proguard', name: 'mapping.txt', debugId: null }, encode('# just a comment\n'));
    const outBroken = await new Symbolicator(broken).symbolicate(androidCrash());
    assert.deepEqual(outBroken.exceptions[0].frames[3].symbolication, { status: 'unresolved', reason: 'malformed_map' });
  });

  it('treats an obfuscated-looking module as JVM even when the platform is not set', async () => {
    const { store } = await storeWithMapping('com.example.shop@2.3.0');
    const out = await new Symbolicator(store).symbolicate(
      androidCrash({ platform: 'other', exceptions: [{ type: 'E', value: 'x', frames: [makeFrame({ module: 'a.b', function: 'a', file: 'SourceFile', line: 1 })] }] }),
    );
    assert.deepEqual(view(out.exceptions[0].frames), [['com.example.shop.cart.LineItem', 'priceCents', 'LineItem.kt', 22, 'resolved']]);
    // Python modules are never taken for obfuscated classes.
    const python = await new Symbolicator(store).symbolicate(
      androidCrash({ platform: 'python', exceptions: [{ type: 'E', value: 'x', frames: [makeFrame({ module: 'a.b', function: 'a', file: 'b.py', line: 1 })] }] }),
    );
    assert.equal(python.exceptions[0].frames[0].symbolication, undefined);
  });
});
