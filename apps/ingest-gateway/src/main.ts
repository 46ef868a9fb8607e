import 'reflect-metadata';
import { loadConfig } from '@faultline/config';
import { createKafka } from '@faultline/kafka';
import { Logger, Metrics } from '@faultline/observability';
import { KafkaReportPublisher, startGateway } from '@faultline/service-gateway';

/** The ingest gateway: wiring only. Decisions live in @faultline/service-gateway. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = new Logger('ingest-gateway', config.logLevel);
  const metrics = new Metrics({ defaultMetrics: config.metricsEnabled });
  // Connects in the background: the gateway serves (503, not ready) while Kafka is down.
  const publisher = KafkaReportPublisher.start({ kafka: createKafka(config.kafka, logger), settings: config.kafka, logger: logger.child('kafka') });
  const gateway = await startGateway(config, { metrics, logger, publisher });

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    // HTTP first, so requests in flight still get their acknowledgement; then the producer.
    gateway
      .close()
      .then(() => publisher.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error('shutdown failed', { error });
          process.exit(1);
        },
      );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  new Logger('ingest-gateway').error('failed to start', { error });
  process.exit(1);
});
