export { AlertTarget, ApiToken, ConfigError, FAULTLINE_CONFIG, FingerprintRuleConfig, ProjectConfig, ProjectScrubConfig, loadConfig } from './config';
export type { FaultlineConfig } from './config';
