import type { CrashEvent, Frame } from '@faultline/schema';

/** A hand-made normalized event for tests that do not exercise parsing. */
export function makeCrashEvent(overrides: Partial<CrashEvent> & { id: string; fingerprint: string }, frames: Array<Partial<Frame>> = []): CrashEvent {
  const fullFrames: Frame[] = frames.map((f) => ({
    function: f.function ?? null,
    module: f.module ?? null,
    file: f.file ?? null,
    line: f.line ?? null,
    column: f.column ?? null,
    inApp: f.inApp ?? true,
  }));
  const timestamp = overrides.timestamp ?? new Date().toISOString();
  return {
    project: 'test',
    timestamp,
    receivedAt: timestamp,
    platform: 'node',
    release: '1.0.0',
    environment: 'production',
    severity: 'error',
    errorType: 'TypeError',
    message: "Cannot read properties of undefined (reading 'id')",
    messageTemplate: "Cannot read properties of undefined (reading <str>)",
    canonicalKind: 'null_property_access',
    exceptions: [{ type: overrides.errorType ?? 'TypeError', value: overrides.message ?? 'boom', frames: fullFrames }],
    userId: null,
    tags: {},
    region: null,
    transaction: null,
    serverName: null,
    contexts: { os: null, device: null, browser: null, runtime: null },
    debugImages: [],
    source: { kind: 'native', name: 'test', line: null },
    fingerprintParts: [],
    raw: '{}',
    ...overrides,
  };
}
