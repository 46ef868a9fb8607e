import { z } from 'zod';

const int = (fallback: number) => z.coerce.number().int().nonnegative().default(fallback);
const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? null : v));

/** Which personal data to scrub for a project; unset fields keep the defaults (IPs off, the rest on). */
export const ProjectScrubConfig = z
  .object({
    emails: z.boolean(),
    creditCards: z.boolean(),
    authHeaders: z.boolean(),
    tokens: z.boolean(),
    urlPasswords: z.boolean(),
    ipAddresses: z.boolean(),
    extraPatterns: z.array(
      z.string().refine((source) => {
        try {
          new RegExp(source);
          return true;
        } catch {
          return false;
        }
      }, 'is not a valid regular expression'),
    ),
  })
  .partial();

/** A custom grouping rule: events matching `match` get `fingerprint` (`{{ default }}` = the default grouping). */
export const FingerprintRuleConfig = z.object({
  match: z
    .object({
      errorType: z.string(),
      canonicalKind: z.string(),
      messageContains: z.string(),
      module: z.string(),
      function: z.string(),
      tag: z.object({ key: z.string(), value: z.string() }),
    })
    .partial(),
  fingerprint: z.array(z.string().min(1)).min(1),
});

export const ProjectConfig = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/i, 'project ids are letters, digits, - and _'),
  name: z.string().optional(),
  /** The DSN public key SDKs send as sentry_key. */
  publicKey: z.string().min(16),
  /** A git checkout of the application, for suspect commits in analyses. */
  repoPath: z.string().optional(),
  scrub: ProjectScrubConfig.optional(),
  fingerprintRules: z.array(FingerprintRuleConfig).optional(),
});
export type ProjectConfig = z.infer<typeof ProjectConfig>;

export const ApiToken = z.object({
  token: z.string().min(16),
  scopes: z.array(z.enum(['read', 'write'])).min(1),
  /** Project ids this token may see, or ['*'] for the whole organization. */
  projects: z.array(z.string()).min(1),
});
export type ApiToken = z.infer<typeof ApiToken>;

export const AlertTarget = z.object({ kind: z.enum(['generic', 'slack']), url: z.string().url() });
export type AlertTarget = z.infer<typeof AlertTarget>;

/** Accepts `id:key,id:key` or a JSON array of ProjectConfig. */
const projectsFromEnv = z
  .string()
  .default('')
  .transform((raw, ctx) => {
    const text = raw.trim();
    if (text === '') return [];
    if (text.startsWith('[')) {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'is not valid JSON' });
        return z.NEVER;
      }
    }
    return text.split(',').map((pair) => {
      const [id, publicKey] = pair.split(':').map((s) => s.trim());
      return { id, publicKey };
    });
  })
  .pipe(z.array(ProjectConfig));

const jsonArray = <T extends z.ZodType>(item: T) =>
  z
    .string()
    .default('[]')
    .transform((raw, ctx) => {
      try {
        return JSON.parse(raw === '' ? '[]' : raw) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'is not valid JSON' });
        return z.NEVER;
      }
    })
    .pipe(z.array(item));

/** Every environment variable Faultline reads, with why it exists. */
const EnvSchema = z.object({
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),

  // Kafka: where the brokers are, and how wide the topics are created (partitions bound consumer parallelism).
  KAFKA_BROKERS: z.string().default('127.0.0.1:39092'),
  KAFKA_CLIENT_ID: z.string().default('faultline'),
  KAFKA_TOPIC_PREFIX: z.string().default(''),
  KAFKA_PARTITIONS: int(6),
  KAFKA_REPLICATION_FACTOR: int(1),

  // ClickHouse: a server when CLICKHOUSE_URL is set, else embedded chDB in CHDB_PATH (one process per directory).
  CLICKHOUSE_URL: optionalString,
  CLICKHOUSE_USER: z.string().default('default'),
  CLICKHOUSE_PASSWORD: z.string().default(''),
  CLICKHOUSE_DATABASE: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/).default('faultline'),
  CHDB_PATH: z.string().default('.cache/chdb'),
  // Raw events expire; issue and cluster state is kept. Bounded: the TTL date must stay inside DateTime's range.
  EVENTS_TTL_DAYS: z.coerce.number().int().min(1).max(10_000).default(90),
  // Every event keeps its columns; the full payload (frames, contexts, original) is kept for this many events per issue per insert batch.
  EVENT_PAYLOAD_SAMPLES: z.coerce.number().int().min(1).max(1000).default(5),

  // Normalizer threads (unset: one per core but one, kept for Kafka and ClickHouse I/O; 0: the main thread).
  NORMALIZER_WORKERS: z.coerce.number().int().min(0).max(64).optional(),

  // Batching: ClickHouse prefers thousands of rows per insert and about one insert a second.
  BATCH_MAX_ROWS: int(5000),
  BATCH_MAX_WAIT_MS: int(1000),
  // The normalizer writes to Kafka, not ClickHouse: small batches keep its share of event-to-queryable latency low.
  NORMALIZER_BATCH_MAX_ROWS: int(1000),
  NORMALIZER_BATCH_MAX_WAIT_MS: int(100),

  // Gateway: network edge limits against abuse and decompression bombs.
  GATEWAY_HOST: z.string().default('127.0.0.1'),
  GATEWAY_PORT: int(8000),
  GATEWAY_MAX_BODY_BYTES: int(1024 * 1024),
  GATEWAY_MAX_DECOMPRESSED_BYTES: int(16 * 1024 * 1024),
  GATEWAY_MAX_EVENTS_PER_REQUEST: int(1000),
  GATEWAY_RATE_LIMIT_PER_MINUTE: int(6000),
  FAULTLINE_PROJECTS: projectsFromEnv,
  FAULTLINE_PUBLIC_URL: z.string().default('http://127.0.0.1:8000'),

  // API: who may read and write.
  API_HOST: z.string().default('127.0.0.1'),
  API_PORT: int(8080),
  API_TOKENS: jsonArray(ApiToken),

  // Detection and alerting.
  DETECTOR_INTERVAL_MS: int(15_000),
  DETECTOR_DEPLOY_WINDOW_MINUTES: int(30),
  ALERT_WEBHOOKS: jsonArray(AlertTarget),
  ALERT_COOLDOWN_MINUTES: int(60),
  ALERT_DIGEST_THRESHOLD: int(5),

  // Analysis: Claude when a key is set, the offline heuristic analyzer otherwise.
  ANTHROPIC_API_KEY: optionalString,
  ANTHROPIC_BASE_URL: optionalString,
  ANTHROPIC_MODEL: z.string().default('claude-sonnet-4-5'),
  LLM_TIMEOUT_MS: int(60_000),
  LLM_MAX_RETRIES: int(3),
  LLM_TOKEN_BUDGET_PER_HOUR: int(2_000_000),
  LLM_TOKEN_BUDGET_PER_ANALYSIS: int(60_000),
  // Prices in US dollars per million tokens, for the cost metric (defaults: Claude Sonnet list prices).
  LLM_PRICE_INPUT_PER_MTOK: z.coerce.number().nonnegative().default(3),
  LLM_PRICE_OUTPUT_PER_MTOK: z.coerce.number().nonnegative().default(15),
  LLM_PRICE_CACHE_READ_PER_MTOK: z.coerce.number().nonnegative().default(0.3),
  LLM_PRICE_CACHE_WRITE_PER_MTOK: z.coerce.number().nonnegative().default(3.75),

  // Symbolication: where uploaded artifacts live, and how much parsed-map memory to keep.
  ARTIFACTS_DIR: z.string().default('.cache/artifacts'),
  SYMBOLICATION_CACHE_MB: int(256),
  // The largest artifact the API accepts in one upload (source maps of big bundles run to tens of MB).
  ARTIFACT_MAX_BYTES: z.coerce.number().int().min(1).default(64 * 1024 * 1024),
  METRICS_ENABLED: bool(true),
  // Workers without an HTTP API of their own serve /metrics and /health here (0 = pick a free port).
  OPS_HOST: z.string().default('127.0.0.1'),
  OPS_PORT: int(9464),
});

export type FaultlineConfig = ReturnType<typeof toConfig>;

function toConfig(env: z.infer<typeof EnvSchema>) {
  return {
    logLevel: env.LOG_LEVEL,
    kafka: {
      brokers: env.KAFKA_BROKERS.split(',').map((b) => b.trim()).filter(Boolean),
      clientId: env.KAFKA_CLIENT_ID,
      topicPrefix: env.KAFKA_TOPIC_PREFIX,
      partitions: env.KAFKA_PARTITIONS,
      replicationFactor: env.KAFKA_REPLICATION_FACTOR,
    },
    clickhouse: {
      url: env.CLICKHOUSE_URL,
      user: env.CLICKHOUSE_USER,
      password: env.CLICKHOUSE_PASSWORD,
      database: env.CLICKHOUSE_DATABASE,
      chdbPath: env.CHDB_PATH,
      eventsTtlDays: env.EVENTS_TTL_DAYS,
    },
    clustering: { payloadSamplesPerIssue: env.EVENT_PAYLOAD_SAMPLES },
    normalizer: { workers: env.NORMALIZER_WORKERS, batch: { maxRows: env.NORMALIZER_BATCH_MAX_ROWS, maxWaitMs: env.NORMALIZER_BATCH_MAX_WAIT_MS } },
    batch: { maxRows: env.BATCH_MAX_ROWS, maxWaitMs: env.BATCH_MAX_WAIT_MS },
    gateway: {
      host: env.GATEWAY_HOST,
      port: env.GATEWAY_PORT,
      maxBodyBytes: env.GATEWAY_MAX_BODY_BYTES,
      maxDecompressedBytes: env.GATEWAY_MAX_DECOMPRESSED_BYTES,
      maxEventsPerRequest: env.GATEWAY_MAX_EVENTS_PER_REQUEST,
      rateLimitPerMinute: env.GATEWAY_RATE_LIMIT_PER_MINUTE,
      publicUrl: env.FAULTLINE_PUBLIC_URL,
    },
    projects: env.FAULTLINE_PROJECTS,
    api: { host: env.API_HOST, port: env.API_PORT, tokens: env.API_TOKENS },
    detector: { intervalMs: env.DETECTOR_INTERVAL_MS, deployWindowMinutes: env.DETECTOR_DEPLOY_WINDOW_MINUTES },
    alerts: {
      webhooks: env.ALERT_WEBHOOKS,
      cooldownMinutes: env.ALERT_COOLDOWN_MINUTES,
      digestThreshold: env.ALERT_DIGEST_THRESHOLD,
    },
    llm: {
      apiKey: env.ANTHROPIC_API_KEY,
      baseUrl: env.ANTHROPIC_BASE_URL,
      model: env.ANTHROPIC_MODEL,
      timeoutMs: env.LLM_TIMEOUT_MS,
      maxRetries: env.LLM_MAX_RETRIES,
      tokenBudgetPerHour: env.LLM_TOKEN_BUDGET_PER_HOUR,
      tokenBudgetPerAnalysis: env.LLM_TOKEN_BUDGET_PER_ANALYSIS,
      pricing: {
        inputPerMTok: env.LLM_PRICE_INPUT_PER_MTOK,
        outputPerMTok: env.LLM_PRICE_OUTPUT_PER_MTOK,
        cacheReadPerMTok: env.LLM_PRICE_CACHE_READ_PER_MTOK,
        cacheWritePerMTok: env.LLM_PRICE_CACHE_WRITE_PER_MTOK,
      },
    },
    symbolication: {
      artifactsDir: env.ARTIFACTS_DIR,
      cacheBytes: env.SYMBOLICATION_CACHE_MB * 1024 * 1024,
      artifactMaxBytes: env.ARTIFACT_MAX_BYTES,
    },
    metricsEnabled: env.METRICS_ENABLED,
    ops: { host: env.OPS_HOST, port: env.OPS_PORT },
  } as const;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment once, at start-up. Every bad variable is named in one error.
 * `overrides` lets the CLI and tests set values without touching process.env.
 */
export function loadConfig(
  overrides: Record<string, string | undefined> = {},
  env: Record<string, string | undefined> = process.env,
): FaultlineConfig {
  const parsed = EnvSchema.safeParse({ ...env, ...overrides });
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
  }
  return toConfig(parsed.data);
}
