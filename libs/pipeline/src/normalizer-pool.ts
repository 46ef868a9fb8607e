import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FaultlineConfig } from '@faultline/config';
import type { RawReport } from '@faultline/schema';
import { eventProcessorFor, type EventProcessor } from './event-processor';
import { InProcessNormalizer, type NormalizedReport, type ReportNormalizer } from './report-normalizer';
import { LocalDirectoryArtifactStore, Symbolicator } from '@faultline/symbolication';

/** What a worker needs to build the service's EventProcessor: plain data, copied to each thread. */
export interface NormalizerWorkerSpec {
  projects: FaultlineConfig['projects'];
  /** Null: no symbolication (reports keep their minified frames). */
  symbolication: { artifactsDir: string; cacheBytes: number } | null;
}

export type NormalizerWorkerRequest = { id: number; reports: RawReport[] };
export type NormalizerWorkerReply = { id: number; results: NormalizedReport[] } | { id: number; error: string };

interface Pending {
  resolve: (results: NormalizedReport[]) => void;
  reject: (error: Error) => void;
}

/**
 * Normalizes on worker threads, so parsing, scrubbing, symbolication and serialization leave
 * the main thread to Kafka and ClickHouse I/O. A batch is split into one contiguous slice per
 * worker and reassembled in order. A worker that dies fails its slice (the consumer retries
 * the batch) and is replaced.
 */
export class WorkerPoolNormalizer implements ReportNormalizer {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending & { worker: Worker }>();
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly spec: NormalizerWorkerSpec,
    size: number,
  ) {
    for (let i = 0; i < Math.max(1, size); i++) this.workers.push(this.spawn());
  }

  async normalize(reports: RawReport[]): Promise<NormalizedReport[]> {
    if (this.closed) throw new Error('the normalizer pool is closed');
    if (reports.length === 0) return [];
    const slice = Math.ceil(reports.length / this.workers.length);
    const parts: Promise<NormalizedReport[]>[] = [];
    for (let i = 0, w = 0; i < reports.length; i += slice, w++) parts.push(this.run(this.workers[w], reports.slice(i, i + slice)));
    return (await Promise.all(parts)).flat();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private run(worker: Worker, reports: RawReport[]): Promise<NormalizedReport[]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker });
      worker.postMessage({ id, reports } satisfies NormalizerWorkerRequest);
    });
  }

  private spawn(): Worker {
    const worker = new Worker(join(__dirname, 'normalizer-worker.js'), { workerData: this.spec });
    worker.on('message', (reply: NormalizerWorkerReply) => {
      const request = this.pending.get(reply.id);
      if (!request) return;
      this.pending.delete(reply.id);
      if ('error' in reply) request.reject(new Error(`normalizer worker failed: ${reply.error}`));
      else request.resolve(reply.results);
    });
    const fail = (error: Error) => {
      for (const [id, request] of this.pending) {
        if (request.worker !== worker) continue;
        this.pending.delete(id);
        request.reject(error);
      }
      const index = this.workers.indexOf(worker);
      if (index >= 0 && !this.closed) this.workers[index] = this.spawn();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!this.closed) fail(new Error(`normalizer worker exited with code ${code}`));
    });
    return worker;
  }
}

/**
 * The normalizer of a service process: NORMALIZER_WORKERS threads (by default one per core but
 * one, which Kafka and ClickHouse I/O keep), or the main thread when that is 0.
 */
export function reportNormalizerFor(config: Pick<FaultlineConfig, 'projects' | 'symbolication' | 'normalizer'>): ReportNormalizer {
  const workers = config.normalizer.workers ?? Math.max(1, availableParallelism() - 1);
  const spec: NormalizerWorkerSpec = {
    projects: config.projects,
    symbolication: { artifactsDir: config.symbolication.artifactsDir, cacheBytes: config.symbolication.cacheBytes },
  };
  return workers === 0 ? new InProcessNormalizer(processorFromSpec(spec)) : new WorkerPoolNormalizer(spec, workers);
}

/** The service's EventProcessor as a spec describes it: on the main thread or in a worker. */
export function processorFromSpec(spec: NormalizerWorkerSpec): EventProcessor {
  const symbolicator = spec.symbolication
    ? new Symbolicator(new LocalDirectoryArtifactStore(spec.symbolication.artifactsDir), { cacheMaxBytes: spec.symbolication.cacheBytes })
    : null;
  return eventProcessorFor(spec.projects, symbolicator);
}
