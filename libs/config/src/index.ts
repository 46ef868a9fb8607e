export { AlertTarget, ApiToken, ConfigError, FAULTLINE_CONFIG, ProjectConfig, loadConfig } from './config';
export type { FaultlineConfig } from './config';
