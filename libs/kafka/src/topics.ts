import { z } from 'zod';
import { AnalysisRequest, CrashEvent, DeadLetter, Deploy, RawReport, Signal } from '@faultline/schema';

/** One topic: its name, the zod schema of its messages, how messages are keyed, and its sizing. */
export interface TopicDefinition<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly schema: S;
  /** The partition key: messages with one key keep their order and land on one consumer. */
  readonly key: (message: z.infer<S>) => string;
  /** Larger than the broker default (1 MB) where whole reports or dead letters travel. */
  readonly maxMessageBytes: number;
  readonly retentionMs: number;
}

function defineTopic<S extends z.ZodType>(definition: TopicDefinition<S>): TopicDefinition<S> {
  return definition;
}

const MiB = 1024 * 1024;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The topic registry: every topic Faultline uses, in one place. Names get the configured
 * prefix at run time (see topicName), so tests and tenants can share a broker.
 */
export const TOPICS = {
  rawReports: defineTopic({
    name: 'faultline.reports.raw',
    schema: RawReport,
    // By report id, not project: normalizing needs no order, and a storm from one project must
    // spread over every partition and normalizer. A retried report keeps its partition.
    key: (m) => m.reportId,
    maxMessageBytes: 24 * MiB,
    retentionMs: 3 * DAY_MS,
  }),
  normalizedEvents: defineTopic({
    name: 'faultline.events.normalized',
    schema: CrashEvent,
    // By fingerprint: one issue's events meet on one clusterer instance, which makes "first seen" decisions local.
    key: (m) => `${m.project}:${m.fingerprint}`,
    maxMessageBytes: 4 * MiB,
    retentionMs: 3 * DAY_MS,
  }),
  signals: defineTopic({
    name: 'faultline.signals',
    schema: Signal,
    key: (m) => `${m.project}:${m.clusterId ?? m.fingerprint ?? ''}`,
    maxMessageBytes: 1 * MiB,
    retentionMs: 7 * DAY_MS,
  }),
  deploys: defineTopic({
    name: 'faultline.deploys',
    schema: Deploy,
    key: (m) => m.project,
    maxMessageBytes: 1 * MiB,
    retentionMs: 30 * DAY_MS,
  }),
  analysisRequests: defineTopic({
    name: 'faultline.analysis.requests',
    schema: AnalysisRequest,
    key: (m) => `${m.project}:${m.clusterId}`,
    maxMessageBytes: 1 * MiB,
    retentionMs: 7 * DAY_MS,
  }),
  deadLetters: defineTopic({
    name: 'faultline.dlq',
    schema: DeadLetter,
    key: (m) => m.sourceTopic,
    // Holds the original bytes (base64) of the largest message any topic accepts.
    maxMessageBytes: 40 * MiB,
    retentionMs: 30 * DAY_MS,
  }),
} as const;

export type TopicId = keyof typeof TOPICS;
export type TopicMessage<T extends TopicId> = z.infer<(typeof TOPICS)[T]['schema']>;

export function topicName(id: TopicId, prefix: string): string {
  return `${prefix}${TOPICS[id].name}`;
}

export const ALL_TOPIC_IDS = Object.keys(TOPICS) as TopicId[];
