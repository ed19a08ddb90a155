import type { ProviderConfig } from '../config/types.js';
import type { ChatRequest } from '../canonical/chat.js';
import { LeastLoadedPicker, RoundRobinPicker } from './baselines.js';
import { parseVllmMetrics } from './metrics.js';
import { NoHealthyReplicaError, type PickReason, type PickRequest, type ReplicaPicker } from './picker.js';
import { PrefixAffinityPicker } from './prefix-affinity.js';

export interface AffinitySettings {
  readonly policy: 'prefix' | 'least-loaded' | 'round-robin';
  /** Each replica's KV capacity in router blocks (16 router tokens ≈ 64 bytes of prompt each). */
  readonly capacityBlocks: number;
  /** How often each replica's /metrics is read (0: never; the gateway's own in-flight counts are used). */
  readonly metricsIntervalMs: number;
}

export interface ReplicaLease {
  /** The provider config for the chosen replica (its base URL), one frozen object per replica. */
  readonly provider: ProviderConfig;
  readonly replica: string;
  readonly reason: PickReason;
  /**
   * Call once when the attempt ends, successfully or not; with the answer's text content when it
   * succeeded, so the replica's index holds prompt + answer, the prefix of the conversation's next turn.
   */
  release(answer?: string): void;
}

/**
 * The replicas of one self-hosted deployment (vLLM, SGLang) behind one provider: picks a replica per call
 * by cached prefix (src/affinity/prefix-affinity.ts), keeps sessions sticky, balances load from the
 * replicas' /metrics, and leaves out a replica whose /metrics cannot be read until it answers again.
 */
export class ReplicaSet {
  private readonly picker: ReplicaPicker;
  private readonly providers = new Map<string, ProviderConfig>();
  private timer: NodeJS.Timeout | undefined;

  constructor(provider: ProviderConfig, replicas: readonly string[], private readonly settings: AffinitySettings) {
    for (const url of replicas) this.providers.set(url, Object.freeze({ ...provider, baseUrl: url }));
    const common = { replicas };
    this.picker =
      settings.policy === 'prefix'
        ? new PrefixAffinityPicker({ ...common, capacityBlocks: settings.capacityBlocks, namespace: provider.id })
        : settings.policy === 'least-loaded'
          ? new LeastLoadedPicker(common)
          : new RoundRobinPicker(common);
  }

  get providerConfigs(): ProviderConfig[] {
    return [...this.providers.values()];
  }

  indexOf(replica: string): number {
    return [...this.providers.keys()].indexOf(replica);
  }

  lease(request: ChatRequest, sessionId: string | undefined): ReplicaLease {
    const pickRequest: PickRequest = { prompt: { messages: request.messages as never, tools: request.tools }, ...(sessionId ? { sessionId } : {}) };
    let picked;
    try {
      picked = this.picker.pick(pickRequest);
    } catch (error) {
      if (!(error instanceof NoHealthyReplicaError)) throw error;
      // Every replica was left out: try them again rather than fail without a call.
      for (const replica of this.providers.keys()) this.picker.setHealthy(replica, true);
      picked = this.picker.pick({ prompt: pickRequest.prompt });
    }
    const { replica, reason } = picked;
    this.picker.onStart(replica);
    let released = false;
    return {
      provider: this.providers.get(replica)!,
      replica,
      reason,
      release: (answer) => {
        if (released) return;
        released = true;
        this.picker.onFinish(replica);
        if (answer) this.picker.onAnswer?.(replica, pickRequest, answer);
      },
    };
  }

  /** Starts reading each replica's /metrics (vLLM or SGLang names) in the background. */
  startMetrics(fetchText: (url: string) => Promise<string>): void {
    if (this.settings.metricsIntervalMs <= 0 || this.timer) return;
    const poll = async () => {
      await Promise.all(
        [...this.providers.keys()].map(async (replica) => {
          try {
            const metrics = parseVllmMetrics(await fetchText(`${replica.replace(/\/v1$/, '')}/metrics`));
            this.picker.setHealthy(replica, true);
            if (metrics) this.picker.updateMetrics(replica, metrics);
          } catch {
            this.picker.setHealthy(replica, false); // unreachable: left out until it answers again
          }
        }),
      );
    };
    this.timer = setInterval(() => void poll(), this.settings.metricsIntervalMs);
    this.timer.unref();
    void poll();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
