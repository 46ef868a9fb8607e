import 'reflect-metadata';
import { loadConfig } from '@faultline/config';
import { createRuntime, eventProcessorFor } from '@faultline/pipeline';
import { NormalizerModule } from '@faultline/service-normalizer';
import { closeOnSignals, hostServices } from '@faultline/service-ops';
import { LocalDirectoryArtifactStore, Symbolicator } from '@faultline/symbolication';

async function main(): Promise<void> {
  const runtime = createRuntime(loadConfig(), 'normalizer');
  const { symbolication, ops } = runtime.config;
  const symbolicator = new Symbolicator(new LocalDirectoryArtifactStore(symbolication.artifactsDir), {
    cacheMaxBytes: symbolication.cacheBytes,
  });
  const host = await hostServices(runtime, [NormalizerModule.register(runtime, eventProcessorFor(runtime.config.projects, symbolicator))], {
    ...ops,
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
