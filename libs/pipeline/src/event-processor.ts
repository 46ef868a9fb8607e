import { withFingerprint, type FingerprintRule } from '@faultline/fingerprint';
import { normalizeFile, normalizeReport, type NormalizeOptions, type NormalizeResult } from '@faultline/normalize';
import type { Symbolicator } from '@faultline/symbolication';
import type { CrashEvent, RawReport } from '@faultline/schema';

export interface EventProcessorOptions {
  symbolicator: Symbolicator | null;
  /** Per-project custom grouping rules. */
  fingerprintRules: (project: string) => FingerprintRule[];
  normalize: Partial<Omit<NormalizeOptions, 'project' | 'receivedAt'>>;
}

/**
 * Parse → normalize (scrubbed) → symbolicate → fingerprint: the one path every report takes,
 * in the normalizer service and in the CLI alike. Grouping runs after symbolication, so two
 * builds of the same code share a fingerprint.
 */
export class EventProcessor {
  private readonly options: EventProcessorOptions;

  constructor(options: Partial<EventProcessorOptions> = {}) {
    this.options = { symbolicator: null, fingerprintRules: () => [], normalize: {}, ...options };
  }

  async processReport(report: RawReport): Promise<NormalizeResult> {
    const result = normalizeReport(report, { ...this.options.normalize });
    return { events: await this.finish(result.events), rejected: result.rejected };
  }

  async processFile(sourceName: string, content: Uint8Array | string, project: string, receivedAt: string): Promise<NormalizeResult> {
    const result = normalizeFile(sourceName, content, { ...this.options.normalize, project, receivedAt });
    return { events: await this.finish(result.events), rejected: result.rejected };
  }

  private async finish(events: CrashEvent[]): Promise<CrashEvent[]> {
    const out: CrashEvent[] = [];
    for (const event of events) {
      const symbolicated = this.options.symbolicator ? await this.options.symbolicator.symbolicate(event) : event;
      out.push(withFingerprint(symbolicated, this.options.fingerprintRules(event.project)));
    }
    return out;
  }
}
