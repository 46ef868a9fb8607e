import 'reflect-metadata';
import { Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { KafkaBatchStrategy } from '@faultline/kafka';
import { RUNTIME, type Runtime } from '@faultline/pipeline';
import { OpsController, READINESS_CHECKS, standardReadinessChecks } from './ops.controller';

export interface ServiceHost {
  app: INestApplication;
  /** Where /metrics and /health are served. */
  url: string;
  close(): Promise<void>;
}

/**
 * Starts Kafka-consuming service modules in one NestJS app: the batch transport for their
 * handlers, plus an HTTP listener for /metrics and /health. A standalone worker passes its one
 * module; the all-in-one process passes several, sharing one Runtime.
 */
export async function hostServices(
  runtime: Runtime,
  modules: DynamicModule[],
  options: { host: string; port: number; needs: { clickhouse: boolean; kafka: boolean } },
): Promise<ServiceHost> {
  @Module({
    imports: modules,
    controllers: [OpsController],
    providers: [
      { provide: RUNTIME, useValue: runtime },
      { provide: READINESS_CHECKS, useValue: standardReadinessChecks(runtime, options.needs) },
    ],
  })
  class HostModule {}

  const app = await NestFactory.create(HostModule, new FastifyAdapter(), { logger: ['error', 'warn'] });
  if (options.needs.kafka) {
    app.connectMicroservice(
      {
        strategy: new KafkaBatchStrategy({
          kafka: runtime.kafka(),
          producer: () => runtime.producer(),
          topicPrefix: runtime.config.kafka.topicPrefix,
          batch: runtime.config.batch,
          batchByTopic: { rawReports: runtime.config.normalizer.batch },
          metrics: runtime.metrics,
          logger: runtime.logger,
        }),
      },
      { inheritAppConfig: true },
    );
    await app.startAllMicroservices();
  }
  await app.listen(options.port, options.host);
  const url = await app.getUrl();
  return {
    app,
    url: url.replace('[::1]', '127.0.0.1'),
    close: async () => {
      await app.close();
    },
  };
}

/** Stops on SIGINT/SIGTERM: consumers leave their groups and commit, then connections close. */
export function closeOnSignals(close: () => Promise<void>, logger: Runtime['logger']): void {
  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info('shutting down', { signal });
    close()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error('shutdown failed', { error });
        process.exit(1);
      });
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}
