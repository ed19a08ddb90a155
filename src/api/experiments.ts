import type { Route } from '../http/router.js';
import { sendJson } from '../http/respond.js';

/** GET /admin/experiments: each live experiment's arms, counts, mean rewards, shares and decision (src/experiments/). */
export const experimentRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/admin/experiments',
    access: 'admin',
    handler: async (services, exchange) => sendJson(exchange.response, 200, { object: 'list', data: services.experiments ? await services.experiments.status() : [] }),
  },
];
