import 'reflect-metadata';
import { loadConfig } from '@faultline/config';
import { createRuntime, reportNormalizerFor } from '@faultline/pipeline';
import { NormalizerModule } from '@faultline/service-normalizer';
import { closeOnSignals, hostServices } from '@faultline/service-ops';

async function main(): Promise<void> {
  const runtime = createRuntime(loadConfig(), 'normalizer');
  const host = await hostServices(runtime, [NormalizerModule.register(runtime, reportNormalizerFor(runtime.config))], {
    ...runtime.config.ops,
    needs: { clickhouse: false, kafka: true },
  });
  runtime.logger.info('normalizer started', { ops: host.url });
  closeOnSignals(async () => {
    await host.close();
    await runtime.close();
  }, runtime.logger);
}

main().catch((error: unknown) => {
  process.stderr.write(`normalizer failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
