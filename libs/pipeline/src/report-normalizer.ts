import { encodeRecord, type EncodedRecord } from '@faultline/kafka';
import type { Rejection } from '@faultline/normalize';
import type { DeadLetterReason, RawReport } from '@faultline/schema';
import type { EventProcessor } from './event-processor';

/** What became of one raw report: its events, encoded for the normalized topic, or why it has none. */
export type NormalizedReport =
  | { kind: 'processed'; records: EncodedRecord[]; rejected: Rejection[] }
  | { kind: 'dead_letter'; reason: DeadLetterReason; detail: string; rejected: Rejection[] };

export const REPORT_NORMALIZER = Symbol.for('faultline.report-normalizer');

/** Normalizes a batch of raw reports, one result per report, in order. */
export interface ReportNormalizer {
  normalize(reports: RawReport[]): Promise<NormalizedReport[]>;
  close(): Promise<void>;
}

/**
 * The whole per-report path: parse, scrub, symbolicate, fingerprint, check against the
 * normalized topic's schema and serialize. A report that yields no event, or that our code
 * fails on, becomes a dead letter with the reason; the others in the batch are unaffected.
 */
export async function normalizeReports(processor: EventProcessor, reports: RawReport[]): Promise<NormalizedReport[]> {
  const results: NormalizedReport[] = [];
  for (const report of reports) {
    try {
      const { events, rejected } = await processor.processReport(report);
      if (events.length === 0) {
        const first = rejected[0];
        results.push({ kind: 'dead_letter', reason: first?.reason ?? 'no_records', detail: first?.detail ?? 'the report held no crash record', rejected });
      } else {
        results.push({ kind: 'processed', records: events.map((event) => encodeRecord('normalizedEvents', event)), rejected });
      }
    } catch (error) {
      // A bug of ours on this one input: keep it for replay after a fix, and keep the partition moving.
      results.push({ kind: 'dead_letter', reason: 'processing_failed', detail: (error as Error).stack ?? String(error), rejected: [] });
    }
  }
  return results;
}

/**
 * Normalizes reports in parts of `partSize`, all queued at once, and hands each part's results
 * to `onPart` in order: the workers normalize part k+1 while the caller produces part k. A part's
 * results are dropped once handed over, so a batch's serialized events do not all live until its
 * end. A failure rejects; the parts still running are ignored.
 */
export async function normalizeInParts(
  normalizer: ReportNormalizer,
  reports: RawReport[],
  partSize: number,
  onPart: (results: NormalizedReport[]) => Promise<void>,
): Promise<void> {
  const parts: Promise<NormalizedReport[]>[] = [];
  for (let i = 0; i < reports.length; i += partSize) parts.push(normalizer.normalize(reports.slice(i, i + partSize)));
  for (const part of parts) void part.catch(() => undefined);
  for (let part = parts.shift(); part; part = parts.shift()) await onPart(await part);
}

/** Normalizes on the calling thread: for tests, the CLI and single-core hosts. */
export class InProcessNormalizer implements ReportNormalizer {
  constructor(private readonly processor: EventProcessor) {}

  normalize(reports: RawReport[]): Promise<NormalizedReport[]> {
    return normalizeReports(this.processor, reports);
  }

  async close(): Promise<void> {}
}
