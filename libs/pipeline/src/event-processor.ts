import { withFingerprint, type FingerprintRule } from '@faultline/fingerprint';
import { DEFAULT_SCRUB_RULES, normalizeFile, normalizeReport, type NormalizeOptions, type NormalizeResult, type ScrubRules } from '@faultline/normalize';
import type { FaultlineConfig } from '@faultline/config';
import type { Symbolicator } from '@faultline/symbolication';
import type { CrashEvent, RawReport } from '@faultline/schema';

export interface EventProcessorOptions {
  symbolicator: Symbolicator | null;
  /** Per-project custom grouping rules. */
  fingerprintRules: (project: string) => FingerprintRule[];
  /** Per-project PII scrubbing (before anything is stored or sent anywhere). */
  scrubRules: (project: string) => ScrubRules;
  normalize: Partial<Omit<NormalizeOptions, 'project' | 'receivedAt' | 'scrub'>>;
}

/**
 * Parse → normalize (scrubbed) → symbolicate → fingerprint: the one path every report takes,
 * in the normalizer service and in the CLI alike. Grouping runs after symbolication, so two
 * builds of the same code share a fingerprint.
 */
export class EventProcessor {
  private readonly options: EventProcessorOptions;

  constructor(options: Partial<EventProcessorOptions> = {}) {
    this.options = { symbolicator: null, fingerprintRules: () => [], scrubRules: () => DEFAULT_SCRUB_RULES, normalize: {}, ...options };
  }

  async processReport(report: RawReport): Promise<NormalizeResult> {
    const result = normalizeReport(report, { ...this.options.normalize, scrub: this.options.scrubRules(report.project) });
    return { events: await this.finish(result.events), rejected: result.rejected };
  }

  async processFile(sourceName: string, content: Uint8Array | string, project: string, receivedAt: string): Promise<NormalizeResult> {
    const result = normalizeFile(sourceName, content, { ...this.options.normalize, scrub: this.options.scrubRules(project), project, receivedAt });
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

/** The EventProcessor of a service process: each configured project's scrubbing and grouping rules. */
export function eventProcessorFor(projects: FaultlineConfig['projects'], symbolicator: Symbolicator | null): EventProcessor {
  const scrub = new Map(projects.map((p) => [p.id, { ...DEFAULT_SCRUB_RULES, ...p.scrub }]));
  const rules = new Map(projects.map((p) => [p.id, (p.fingerprintRules ?? []) as FingerprintRule[]]));
  return new EventProcessor({
    symbolicator,
    scrubRules: (project) => scrub.get(project) ?? DEFAULT_SCRUB_RULES,
    fingerprintRules: (project) => rules.get(project) ?? [],
  });
}
