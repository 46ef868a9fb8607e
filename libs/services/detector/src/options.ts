import type { AlertTarget, FaultlineConfig } from '@faultline/config';

/** How webhook deliveries are retried. Fixed defaults, not env: they bound how long one alert pass may take. */
export interface DeliveryOptions {
  /** Tries per target, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Per try: a receiver that hangs must not stall the signals consumer. */
  timeoutMs: number;
  /** Deliveries in flight at once, across items and targets. */
  concurrency: number;
}

export interface DetectorOptions {
  /** 0 disables the loop: ticks then run only through DetectorService.runOnce (tests, one-shot tools). */
  intervalMs: number;
  deployWindowMinutes: number;
  webhooks: AlertTarget[];
  cooldownMinutes: number;
  digestThreshold: number;
  /** Base of the links in alerts: `${publicUrl}/api/v1/projects/<p>/clusters/<id>`. */
  publicUrl: string;
  delivery: DeliveryOptions;
}

export const DEFAULT_DELIVERY: DeliveryOptions = Object.freeze({
  attempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  timeoutMs: 5_000,
  concurrency: 8,
});

export function detectorOptions(config: FaultlineConfig, overrides: Partial<DetectorOptions> = {}): DetectorOptions {
  return {
    intervalMs: config.detector.intervalMs,
    deployWindowMinutes: config.detector.deployWindowMinutes,
    webhooks: config.alerts.webhooks,
    cooldownMinutes: config.alerts.cooldownMinutes,
    digestThreshold: Math.max(1, config.alerts.digestThreshold),
    publicUrl: config.gateway.publicUrl.replace(/\/+$/, ''),
    delivery: DEFAULT_DELIVERY,
    ...overrides,
  };
}
