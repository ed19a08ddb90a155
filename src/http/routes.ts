import { adminRoutes } from '../api/admin.js';
import { privacyAuditRoutes } from '../api/privacy-audit.js';
import { batchRoutes } from '../api/batches.js';
import { fileRoutes } from '../api/files.js';
import { schedulingAdminRoutes } from '../api/scheduling-report.js';
import { chatCompletions } from '../api/chat-completions.js';
import { embeddings } from '../api/embeddings.js';
import { health, readiness } from '../api/health.js';
import { anthropicMessages, countMessageTokens } from '../api/messages.js';
import { createResponse, deleteResponse, retrieveResponse } from '../api/responses.js';
import { listModels, retrieveModel } from '../api/models.js';
import { postFeedback } from '../api/feedback.js';
import { experimentRoutes } from '../api/experiments.js';
import { dashboardDataRoutes } from '../api/dashboard-data.js';
import { metricsRoutes } from '../api/metrics.js';
import type { Route } from './router.js';
import { staticUiRoutes } from './static-ui.js';

/** Every HTTP route Tidegate serves. */
export const routes: readonly Route[] = [
  { method: 'GET', path: '/healthz', access: 'public', handler: health },
  { method: 'GET', path: '/readyz', access: 'public', handler: readiness },
  { method: 'POST', path: '/v1/chat/completions', access: 'client', handler: chatCompletions },
  { method: 'POST', path: '/v1/embeddings', access: 'client', handler: embeddings },
  { method: 'POST', path: '/v1/messages', access: 'client', handler: anthropicMessages, errorShape: 'anthropic' },
  { method: 'POST', path: '/v1/messages/count_tokens', access: 'client', handler: countMessageTokens, errorShape: 'anthropic' },
  { method: 'POST', path: '/v1/responses', access: 'client', handler: createResponse },
  { method: 'GET', path: '/v1/responses/:id', access: 'client', handler: retrieveResponse },
  { method: 'DELETE', path: '/v1/responses/:id', access: 'client', handler: deleteResponse },
  { method: 'GET', path: '/v1/models', access: 'client', handler: listModels },
  { method: 'GET', path: '/v1/models/:id', access: 'client', handler: retrieveModel },
  { method: 'POST', path: '/v1/feedback', access: 'client', handler: postFeedback },
  ...fileRoutes,
  ...batchRoutes,
  ...schedulingAdminRoutes,
  ...experimentRoutes,
  ...adminRoutes,
  ...privacyAuditRoutes,
  ...dashboardDataRoutes,
  ...metricsRoutes,
  // The web dashboard (dist/ui): public pages and assets; its data calls go to /admin/* with the admin key.
  ...staticUiRoutes(),
];
