// Helpers for this library's specs only (not exported from index.ts).
import type { CrashEvent, Frame } from '@faultline/schema';

export function makeFrame(partial: Partial<Frame>): Frame {
  return { function: null, module: null, file: null, line: null, column: null, inApp: true, ...partial };
}

export function makeEvent(partial: Partial<CrashEvent> & { frames?: Frame[] }): CrashEvent {
  const { frames, ...rest } = partial;
  return {
    id: 'evt-1',
    project: 'web',
    timestamp: '2026-01-01T00:00:00.000Z',
    receivedAt: '2026-01-01T00:00:00.000Z',
    platform: 'javascript',
    release: '1.0.0',
    environment: 'production',
    severity: 'error',
    errorType: 'TypeError',
    message: 'boom',
    messageTemplate: 'boom',
    canonicalKind: 'type_error',
    exceptions: [{ type: 'TypeError', value: 'boom', frames: frames ?? [] }],
    userId: null,
    tags: {},
    region: null,
    transaction: null,
    serverName: null,
    contexts: { os: null, device: null, browser: null, runtime: null },
    debugImages: [],
    source: { kind: 'sentry', name: 'test', line: null },
    fingerprint: '',
    fingerprintParts: [],
    raw: '',
    ...rest,
  };
}

/**
 * A deliberately tiny V8 stack parser (the real ones live in another library): `at fn (url:l:c)`,
 * `at url:l:c`, `at async fn (…)`, `at new Foo (…)`. Returns frames oldest first.
 */
export function parseV8Stack(stack: string): Frame[] {
  const frames: Frame[] = [];
  for (const line of stack.split('\n')) {
    const withName = /^\s*at (?:async )?(.+?) \((.+):(\d+):(\d+)\)$/.exec(line);
    const bare = withName ? null : /^\s*at (?:async )?(.+):(\d+):(\d+)$/.exec(line);
    if (withName) {
      frames.push(makeFrame({ function: withName[1], file: withName[2], line: Number(withName[3]), column: Number(withName[4]) }));
    } else if (bare) {
      frames.push(makeFrame({ file: bare[1], line: Number(bare[2]), column: Number(bare[3]) }));
    } else {
      const native = /^\s*at (?:async )?(.+?) \((.+)\)$/.exec(line);
      if (native) frames.push(makeFrame({ function: native[1], file: native[2] }));
    }
  }
  return frames.reverse();
}

export const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
