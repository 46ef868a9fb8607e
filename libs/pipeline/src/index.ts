export { ClusteringEngine, clusterNewSignalId, issueNewSignalId } from './clustering-engine';
export type { ClusterBatchResult, ClusteringEngineOptions } from './clustering-engine';
export { EventProcessor } from './event-processor';
export type { EventProcessorOptions } from './event-processor';
export { RUNTIME, createRuntime } from './runtime';
export type { Runtime } from './runtime';
