import { Controller, Get, Header, HttpException, HttpStatus, Inject } from '@nestjs/common';
import { RUNTIME, type Runtime } from '@faultline/pipeline';

export const READINESS_CHECKS = Symbol.for('faultline.readiness');
/** A named dependency check; it throws when the dependency is unreachable. */
export type ReadinessCheck = { name: string; check: () => Promise<void> };

/** /metrics in Prometheus text format, and liveness/readiness for orchestrators. */
@Controller()
export class OpsController {
  constructor(
    @Inject(RUNTIME) private readonly runtime: Runtime,
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
  ) {}

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  metrics(): Promise<string> {
    return this.runtime.metrics.text();
  }

  @Get('health/live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('health/ready')
  async ready(): Promise<{ status: 'ready'; checks: Record<string, 'ok'> }> {
    const results = await Promise.all(
      this.checks.map(async ({ name, check }) => {
        try {
          await withTimeout(check(), 3000);
          return [name, 'ok'] as const;
        } catch (error) {
          return [name, (error as Error).message] as const;
        }
      }),
    );
    const failed = results.filter(([, status]) => status !== 'ok');
    if (failed.length > 0) {
      throw new HttpException({ status: 'not_ready', checks: Object.fromEntries(results) }, HttpStatus.SERVICE_UNAVAILABLE);
    }
    return { status: 'ready', checks: Object.fromEntries(results) as Record<string, 'ok'> };
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** The standard checks: ClickHouse answers a ping, the Kafka cluster answers a metadata request. */
export function standardReadinessChecks(runtime: Runtime, needs: { clickhouse: boolean; kafka: boolean }): ReadinessCheck[] {
  const checks: ReadinessCheck[] = [];
  if (needs.clickhouse) {
    checks.push({
      name: 'clickhouse',
      check: async () => {
        const ping = await (await runtime.clickhouse()).client.ping();
        if (!ping.success) throw ping.error;
      },
    });
  }
  if (needs.kafka) {
    checks.push({
      name: 'kafka',
      check: async () => {
        // A metadata round trip on the process's admin connection, not a new connection per probe.
        await (await runtime.admin()).describeCluster();
      },
    });
  }
  return checks;
}
