export type { GatewayConfig, ModelConfig, ProviderConfig, RouteConfig } from './types.js';
export { ConfigError, formatProblem, type ConfigProblem } from './config-error.js';
export {
  buildConfig,
  checkConfig,
  configFromEnvironment,
  configHash,
  DEFAULT_CONFIG_FILE,
  loadConfig,
  parseConfigText,
  type CheckResult,
  type ConfigOverrides,
  type LoadConfigOptions,
} from './load.js';
export { baseUrlVariable, environmentConfigData } from './from-environment.js';
export { interpolate, type Environment } from './interpolate.js';
