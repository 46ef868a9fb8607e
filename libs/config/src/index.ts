export { AlertTarget, ApiToken, ConfigError, FingerprintRuleConfig, ProjectConfig, ProjectScrubConfig, loadConfig } from './config';
export type { FaultlineConfig } from './config';
