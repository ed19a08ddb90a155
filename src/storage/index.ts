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
  countActiveApiKeys,
  createApiKey,
  hashApiKey,
  listApiKeys,
  revokeApiKey,
  touchApiKeys,
  verifyApiKey,
  type ApiKeySummary,
  type CreatedApiKey,
} from './api-keys.js';
export type { ApiKeysTable, RequestLogTable, Schema } from './schema.js';
