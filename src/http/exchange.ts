import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestContext } from '../pipeline/request-context.js';
import type { Principal } from './auth.js';

/** One HTTP request/response pair as handlers see it. */
export interface Exchange {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly url: URL;
  readonly params: Readonly<Record<string, string>>;
  readonly principal: Principal;
  /** Aborted when the client goes away before the response is finished. */
  readonly signal: AbortSignal;
  /** Set by model-call handlers; the server records it in the ledger when the response ends. */
  context?: RequestContext;
}
