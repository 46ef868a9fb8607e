/** Which kinds of personal data `scrubText` removes. */
export interface ScrubRules {
  emails: boolean;
  /** Card numbers with a known issuer prefix that pass the Luhn check. */
  creditCards: boolean;
  /** `Authorization`, `Cookie`, `X-Api-Key`-style header values, in text or JSON form. */
  authHeaders: boolean;
  /** Bearer/Basic credentials, JWTs, well-known API key shapes, `password=`/`token=` style values. */
  tokens: boolean;
  /** The password in `scheme://user:password@host`. */
  urlPasswords: boolean;
  /** IPv4 and IPv6 addresses. Off by default: the brief makes them optional. */
  ipAddresses: boolean;
  /** Extra regular expression sources; every match becomes `[redacted]`. Invalid sources are skipped. */
  extraPatterns: string[];
}

export const DEFAULT_SCRUB_RULES: ScrubRules = Object.freeze({
  emails: true,
  creditCards: true,
  authHeaders: true,
  tokens: true,
  urlPasswords: true,
  ipAddresses: false,
  extraPatterns: Object.freeze([]) as unknown as string[],
});

export interface NormalizeOptions {
  project: string;
  receivedAt: string;
  scrub: ScrubRules;
  /** Bound on `CrashEvent.raw`, in UTF-8 bytes. */
  maxRawBytes: number;
  /** Bound on frames per exception: the crash site and the oldest frames are kept, the middle dropped. */
  maxFrames: number;
  /** Inputs larger than this are rejected as `too_large` before any parsing. */
  maxInputBytes: number;
  /** JSON nested deeper than this is rejected as `too_deep` before parsing. */
  maxJsonDepth: number;
}

export const DEFAULT_NORMALIZE_OPTIONS: Omit<NormalizeOptions, 'project' | 'receivedAt'> = Object.freeze({
  scrub: DEFAULT_SCRUB_RULES,
  maxRawBytes: 16_384,
  maxFrames: 512,
  maxInputBytes: 8 * 1024 * 1024,
  maxJsonDepth: 64,
});

function positiveInt(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 1 ? Math.floor(value) : fallback;
}

/** Fills defaults and clamps nonsense values, so the parsers can trust their options. */
export function resolveOptions(options: Partial<NormalizeOptions> | undefined, project: string, receivedAt: string): NormalizeOptions {
  const o = options ?? {};
  return {
    project: typeof o.project === 'string' && o.project.length > 0 ? o.project : project,
    receivedAt: typeof o.receivedAt === 'string' && o.receivedAt.length > 0 ? o.receivedAt : receivedAt,
    scrub: o.scrub ?? DEFAULT_SCRUB_RULES,
    maxRawBytes: positiveInt(o.maxRawBytes, DEFAULT_NORMALIZE_OPTIONS.maxRawBytes),
    maxFrames: Math.max(2, positiveInt(o.maxFrames, DEFAULT_NORMALIZE_OPTIONS.maxFrames)),
    maxInputBytes: positiveInt(o.maxInputBytes, DEFAULT_NORMALIZE_OPTIONS.maxInputBytes),
    maxJsonDepth: positiveInt(o.maxJsonDepth, DEFAULT_NORMALIZE_OPTIONS.maxJsonDepth),
  };
}
