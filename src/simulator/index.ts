export { startSimulator, SIMULATED_PRESETS } from './server.js';
export type { ErrorClass, RecordedRequest, ScriptStep, Simulator, SimulatorOptions } from './types.js';
