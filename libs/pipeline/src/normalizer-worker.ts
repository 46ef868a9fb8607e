// Worker thread entry of WorkerPoolNormalizer: builds the service's EventProcessor once, then
// answers each request with the normalized, encoded results of its reports.
import { parentPort, workerData } from 'node:worker_threads';
import { LocalDirectoryArtifactStore, Symbolicator } from '@faultline/symbolication';
import { eventProcessorFor } from './event-processor';
import type { NormalizerWorkerReply, NormalizerWorkerRequest, NormalizerWorkerSpec } from './normalizer-pool';
import { normalizeReports } from './report-normalizer';

const spec = workerData as NormalizerWorkerSpec;
const symbolicator = spec.symbolication
  ? new Symbolicator(new LocalDirectoryArtifactStore(spec.symbolication.artifactsDir), { cacheMaxBytes: spec.symbolication.cacheBytes })
  : null;
const processor = eventProcessorFor(spec.projects, symbolicator);
const port = parentPort;
if (!port) throw new Error('normalizer-worker runs only as a worker thread');

port.on('message', (request: NormalizerWorkerRequest) => {
  normalizeReports(processor, request.reports).then(
    (results) => port.postMessage({ id: request.id, results } satisfies NormalizerWorkerReply),
    (error: unknown) => port.postMessage({ id: request.id, error: (error as Error).stack ?? String(error) } satisfies NormalizerWorkerReply),
  );
});
