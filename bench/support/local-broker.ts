import { startLocalBroker } from '@faultline/testing';

/** The broker benchmarks use: KAFKA_BROKERS when given, else a local one started (and stopped) here. */
export async function benchBroker(given: string | undefined): Promise<{ brokers: string; stop: () => void }> {
  if (given) return { brokers: given, stop: () => undefined };
  return startLocalBroker();
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
