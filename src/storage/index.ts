export { openDatabase, type Database, type OpenDatabaseOptions, type StorageDialect } from './database.js';
export { migrate, migrationNames } from './migrations.js';
export {
  RequestLogWriter,
  queryRequestLog,
  type RequestLogEndpoint,
  type RequestLogQuery,
  type RequestLogRow,
  type RequestLogStats,
  type RequestLogWriterOptions,
} from './request-log.js';
export {
  activeKeyId,
  countActiveApiKeys,
  createApiKey,
  hashApiKey,
  listApiKeys,
  revokeApiKey,
  noLimits,
  touchApiKeys,
  updateApiKeyLimits,
  verifyApiKey,
  type ApiKeySummary,
  type CreatedApiKey,
  type KeyLimits,
} from './api-keys.js';
export { dropRequestLogPartitionsBefore, ensureRequestLogPartitions, listRequestLogPartitions, type MonthRange } from './request-log-partitions.js';
export { getTeamLimits, listTeams, setTeamLimits, spendSince, type TeamLimits } from './teams.js';
export type { ApiKeysTable, RequestLogTable, Schema, TeamsTable } from './schema.js';
export { usageReport, type UsageGroup, type UsageRow } from './usage-report.js';
export * from './jobs.js';
export * from './batches.js';
export type { BatchesTable, FilesTable, JobsTable, ProviderBatchesTable } from './jobs-schema.js';
export * from './jobs-provider-batches.js';
export { priorityReport, type PriorityClassRow } from './scheduling-report.js';
