import 'reflect-metadata';
import { loadConfig } from '@faultline/config';
import { createRuntime } from '@faultline/pipeline';
import { ApiModule } from '@faultline/service-api';
import { closeOnSignals, hostServices } from '@faultline/service-ops';

async function main(): Promise<void> {
  const runtime = createRuntime(loadConfig(), 'api');
  // Ready once ClickHouse and Kafka answer: the API reads one and publishes deploys and analysis requests to the other.
  const host = await hostServices(runtime, [ApiModule.register(runtime)], {
    ...runtime.config.api,
    needs: { clickhouse: true, kafka: true },
  });
  runtime.logger.info('api started', { url: host.url, projects: runtime.config.projects.length, tokens: runtime.config.api.tokens.length });
  closeOnSignals(async () => {
    await host.close();
    await runtime.close();
  }, runtime.logger);
}

main().catch((error: unknown) => {
  process.stderr.write(`api failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
