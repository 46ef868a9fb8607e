// Worker thread entry of WorkerPoolNormalizer: builds the service's EventProcessor once, then
// answers each request with the normalized, encoded results of its reports.
import { parentPort, workerData } from 'node:worker_threads';
import { processorFromSpec, type NormalizerWorkerReply, type NormalizerWorkerRequest, type NormalizerWorkerSpec } from './normalizer-pool';
import { normalizeReports } from './report-normalizer';

const processor = processorFromSpec(workerData as NormalizerWorkerSpec);
const port = parentPort;
if (!port) throw new Error('normalizer-worker runs only as a worker thread');

port.on('message', (request: NormalizerWorkerRequest) => {
  normalizeReports(processor, request.reports).then(
    (results) => port.postMessage({ id: request.id, results } satisfies NormalizerWorkerReply),
    (error: unknown) => port.postMessage({ id: request.id, error: (error as Error).stack ?? String(error) } satisfies NormalizerWorkerReply),
  );
});
