import type { GatewayConfig, ModelConfig } from '../config/types.js';
import type { Logger } from '../logging/logger.js';
import type { Pricer } from '../pricing/pricer.js';
import type { CircuitBreakers } from '../stability/circuit-breaker.js';
import type { RequestContext } from './request-context.js';
import type { Target } from './targets.js';

/** Receives every finished model call; the request log writes it off the request path. */
export interface Ledger {
  record(context: RequestContext): void | Promise<void>;
}

export interface KeyAdmin {
  create(name: string): Promise<{ id: string; name: string; key: string; prefix: string; createdAt: number }>;
  list(): Promise<unknown[]>;
  revoke(idOrPrefix: string): Promise<boolean>;
}

export interface RequestLogReader {
  recent(options: { limit: number; apiKeyId?: string }): Promise<unknown[]>;
}

/** Services built once in the composition root (src/gateway.ts) and passed to every handler. */
export interface Services {
  readonly config: GatewayConfig;
  readonly models: ReadonlyMap<string, ModelConfig>;
  readonly targets: ReadonlyMap<string, Target>;
  readonly breakers: CircuitBreakers;
  readonly pricer: Pricer;
  readonly ledger: Ledger;
  readonly logger: Logger;
  readonly keys: KeyAdmin;
  readonly requestLog: RequestLogReader;
}
