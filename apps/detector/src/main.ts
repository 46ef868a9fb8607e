import 'reflect-metadata';
import { loadConfig } from '@faultline/config';
import { createRuntime } from '@faultline/pipeline';
import { DetectorModule } from '@faultline/service-detector';
import { closeOnSignals, hostServices } from '@faultline/service-ops';

async function main(): Promise<void> {
  const runtime = createRuntime(loadConfig(), 'detector');
  const clickhouse = await runtime.clickhouse();
  const host = await hostServices(runtime, [DetectorModule.register(runtime, clickhouse.client)], {
    ...runtime.config.ops,
    needs: { clickhouse: true, kafka: true },
  });
  runtime.logger.info('detector started', {
    ops: host.url,
    clickhouse: clickhouse.kind,
    intervalMs: runtime.config.detector.intervalMs,
    webhooks: runtime.config.alerts.webhooks.length,
  });
  closeOnSignals(async () => {
    await host.close();
    await runtime.close();
  }, runtime.logger);
}

main().catch((error: unknown) => {
  process.stderr.write(`detector failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
