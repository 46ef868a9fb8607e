// Hand-made inputs for this library's specs (not exported from the entry point).
import type { CrashEvent, ExceptionValue, Frame } from '@faultline/schema';
import type { IssueSignature } from './signature';

/** `[file, function, inApp]`, oldest first like the schema. */
export type FrameSpec = [file: string, fn: string, inApp?: boolean];

export function frame([file, fn, inApp = true]: FrameSpec, line = 10): Frame {
  return { function: fn, module: null, file, line, column: 5, inApp };
}

export function exception(type: string, value: string, frames: FrameSpec[]): ExceptionValue {
  return { type, value, module: null, mechanism: null, frames: frames.map((f, i) => frame(f, 10 + i)) };
}

export function crashEvent(over: Partial<CrashEvent> & { frames?: FrameSpec[] }): CrashEvent {
  const { frames = [], ...rest } = over;
  return {
    id: 'e1',
    project: 'shop',
    timestamp: '2026-11-20T10:00:00.000Z',
    receivedAt: '2026-11-20T10:00:00.000Z',
    platform: 'javascript',
    release: null,
    environment: null,
    severity: 'error',
    errorType: 'TypeError',
    message: "Cannot read properties of undefined (reading 'price')",
    messageTemplate: "Cannot read properties of undefined (reading 'price')",
    canonicalKind: 'null_property_access',
    exceptions: [exception(over.errorType ?? 'TypeError', over.message ?? 'boom', frames)],
    userId: null,
    tags: {},
    region: null,
    transaction: null,
    serverName: null,
    contexts: { os: null, device: null, browser: null, runtime: null },
    debugImages: [],
    source: { kind: 'sentry', name: 'test', line: null },
    fingerprint: 'f'.repeat(32),
    fingerprintParts: [],
    raw: '',
    ...rest,
  };
}

/** A signature from tokens, crash site last; `!` prefix marks a frame not in-app. */
export function sig(fingerprint: string, frames: string[], over: Partial<IssueSignature> = {}): IssueSignature {
  return {
    project: 'shop',
    fingerprint,
    platform: 'javascript',
    errorType: 'TypeError',
    canonicalKind: 'null_property_access',
    messageTemplate: "Cannot read properties of undefined (reading '<str>')",
    frames: frames.map((f) => f.replace(/^!/, '')),
    inApp: frames.map((f) => !f.startsWith('!')),
    causeFrames: [],
    ...over,
  };
}
