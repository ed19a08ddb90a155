import type { NormalizedUsage } from '../canonical/usage.js';
import type { ModelConfig, ProviderConfig } from '../config/types.js';
import type { ErrorCode } from '../errors/catalogue.js';
import type { Cost } from '../pricing/cost.js';
import { uuidv7 } from './ids.js';

export type Endpoint = 'chat' | 'embeddings' | 'messages';

export interface AttemptRecord {
  readonly model: string;
  readonly provider: string;
  readonly outcome: 'ok' | ErrorCode;
  readonly ms: number;
}

/** Everything known about one request as it moves through the pipeline; the request-log row is made from it. */
export class RequestContext {
  readonly id = uuidv7();
  readonly startedAt = Date.now();
  private readonly startedHr = performance.now();
  readonly warnings: string[] = [];
  readonly attempts: AttemptRecord[] = [];
  modelRequested = '';
  routeReason = '';
  stream = false;
  served: { model: ModelConfig; provider: ProviderConfig } | undefined;
  usage: NormalizedUsage | undefined;
  cost: Cost | undefined;
  status = 200;
  errorCode: ErrorCode | undefined;
  firstByteMs: number | undefined;
  upstreamMs: number | undefined;

  constructor(
    readonly endpoint: Endpoint,
    readonly apiKeyId: string | undefined,
    readonly clientIp: string | undefined,
  ) {}

  elapsedMs(): number {
    return Math.round(performance.now() - this.startedHr);
  }

  markFirstByte(): void {
    this.firstByteMs ??= this.elapsedMs();
  }
}
