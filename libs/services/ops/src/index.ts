export { closeOnSignals, hostServices } from './bootstrap';
export type { ServiceHost } from './bootstrap';
export { OpsController, READINESS_CHECKS, standardReadinessChecks } from './ops.controller';
export type { ReadinessCheck } from './ops.controller';
