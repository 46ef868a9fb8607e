export { Metrics } from './metrics';
export { Logger } from './logger';
export type { LogLevel } from './logger';
