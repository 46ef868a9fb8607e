import 'reflect-metadata';
import { loadConfig } from '@faultline/config';
import { ClusteringEngine, createRuntime } from '@faultline/pipeline';
import { ClustererModule } from '@faultline/service-clusterer';
import { closeOnSignals, hostServices } from '@faultline/service-ops';

async function main(): Promise<void> {
  const runtime = createRuntime(loadConfig(), 'clusterer');
  const clickhouse = await runtime.clickhouse();
  const engine = new ClusteringEngine(clickhouse.client, runtime.config.clustering);
  const host = await hostServices(runtime, [ClustererModule.register(runtime, engine)], {
    ...runtime.config.ops,
    needs: { clickhouse: true, kafka: true },
  });
  runtime.logger.info('clusterer started', { ops: host.url, clickhouse: clickhouse.kind });
  closeOnSignals(async () => {
    await host.close();
    await runtime.close();
  }, runtime.logger);
}

main().catch((error: unknown) => {
  process.stderr.write(`clusterer failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
