/** Public API of learning from traffic (issue 9): capture, feedback, datasets, exports, retention. */
export { FlywheelService, storageEngine } from './flywheel-service.js';
export { BUILTIN_METRICS, type CaptureConfig, type FlywheelConfig, type MetricConfig, type ScenarioQuality } from './config-schema.js';
export { EVALUATOR_KINDS, evaluatorSchema, type EvaluatorConfig, type EvaluatorKind } from './evaluator-config.js';
export { buildDataset, CURATION_SOURCES, DatasetError, type BuildReport, type CurationSource, type DatasetSpec } from './dataset-builder.js';
export { exportDataset, ExportError, type ExportReport } from './dataset-export.js';
export { EXPORT_FORMATS, lineSchemas, renderExample, type Example, type ExportFormat } from './export-formats.js';
export { listInferences, type InferenceRow } from './inference-store.js';
export { purgeKey, sweepExpired, type PurgeResult, type SweepResult } from './retention.js';
export { recordFeedback, type FeedbackCaller, type FeedbackResult } from './feedback.js';
