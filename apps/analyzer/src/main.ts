import 'reflect-metadata';
import { loadConfig } from '@faultline/config';
import { clusterAnalyzerFor, createRuntime } from '@faultline/pipeline';
import { AnalyzerModule } from '@faultline/service-analyzer';
import { closeOnSignals, hostServices } from '@faultline/service-ops';

async function main(): Promise<void> {
  const runtime = createRuntime(loadConfig(), 'analyzer');
  const analyzer = await clusterAnalyzerFor(runtime);
  const host = await hostServices(runtime, [AnalyzerModule.register(runtime, analyzer)], {
    ...runtime.config.ops,
    needs: { clickhouse: true, kafka: true },
  });
  runtime.logger.info('analyzer started', { ops: host.url, llm: runtime.config.llm.apiKey ? runtime.config.llm.model : 'heuristic only' });
  closeOnSignals(async () => {
    await host.close();
    await runtime.close();
  }, runtime.logger);
}

main().catch((error: unknown) => {
  process.stderr.write(`analyzer failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
