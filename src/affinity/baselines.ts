/**
 * Baseline pickers behind the same interface: round-robin, least-loaded and consistent hashing (on the
 * session id, or on the prompt's first blocks), with optional bounded load.
 */
import { chainedBlockHashes, hashBlock, promptTokens, textToTokens } from './block-hash.js';
import { BasePicker, type BasePickerOptions, type PickRequest, type PickResult } from './picker.js';

export class RoundRobinPicker extends BasePicker {
  readonly name = 'round-robin';

  pick(request: PickRequest): PickResult {
    const healthy = this.healthy();
    const replica = healthy[this.rotate() % healthy.length]!;
    this.bindSession(request.sessionId, replica);
    return { replica, matchedBlocks: 0, totalBlocks: 0, reason: 'round-robin' };
  }
}

export class LeastLoadedPicker extends BasePicker {
  readonly name = 'least-loaded';

  pick(request: PickRequest): PickResult {
    const replica = this.leastLoaded(this.healthy());
    this.bindSession(request.sessionId, replica);
    return { replica, matchedBlocks: 0, totalBlocks: 0, reason: 'least-loaded' };
  }
}

export interface ConsistentHashOptions extends BasePickerOptions {
  /** 'session': the session id (falling back to the prefix); 'prefix': the prompt's first blocks. */
  key?: 'session' | 'prefix';
  /** Blocks of the prompt hashed in prefix mode (default 16 blocks of 16 tokens = 256 tokens, as SGLang). */
  prefixBlocks?: number;
  blockSize?: number;
  /** Virtual nodes per replica on the ring (default 160). */
  virtualNodes?: number;
  /** Bounded load: skip replicas above loadFactor × mean load (+1); undefined disables it. */
  loadFactor?: number;
}

function hashString(text: string): number {
  const tokens = textToTokens(text);
  return hashBlock(0x9e3779b9, tokens, 0, tokens.length);
}

export class ConsistentHashPicker extends BasePicker {
  readonly name: string;
  private readonly ring: { point: number; replica: string }[] = [];
  private readonly keyMode: 'session' | 'prefix';
  private readonly prefixBlocks: number;
  private readonly blockSize: number;
  private readonly loadFactor: number | undefined;

  constructor(options: ConsistentHashOptions) {
    super(options);
    this.keyMode = options.key ?? 'session';
    this.prefixBlocks = options.prefixBlocks ?? 16;
    this.blockSize = options.blockSize ?? 16;
    this.loadFactor = options.loadFactor;
    this.name = `consistent-hash(${this.keyMode})`;
    for (const replica of this.replicas) {
      for (let v = 0; v < (options.virtualNodes ?? 160); v++) this.ring.push({ point: hashString(`${replica}#${v}`), replica });
    }
    this.ring.sort((a, b) => a.point - b.point);
  }

  private keyOf(request: PickRequest): number {
    if (this.keyMode === 'session' && request.sessionId !== undefined) return hashString(request.sessionId);
    const tokens = promptTokens(request.prompt);
    const hashes = chainedBlockHashes(tokens, this.blockSize, 0, this.prefixBlocks);
    return hashes.length > 0 ? hashes[hashes.length - 1]! : hashBlock(0, tokens, 0, tokens.length);
  }

  pick(request: PickRequest): PickResult {
    const healthy = new Set(this.healthy());
    const key = this.keyOf(request);
    let lo = 0;
    let hi = this.ring.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ring[mid]!.point < key) lo = mid + 1;
      else hi = mid;
    }
    const bound = this.loadFactor === undefined
      ? Infinity
      : this.loadFactor * ([...healthy].reduce((sum, r) => sum + this.load.load(r), 0) / healthy.size) + 1;
    let fallback: string | undefined;
    for (let k = 0; k < this.ring.length; k++) {
      const replica = this.ring[(lo + k) % this.ring.length]!.replica;
      if (!healthy.has(replica)) continue;
      fallback ??= replica;
      if (this.load.load(replica) <= bound) return { replica, matchedBlocks: 0, totalBlocks: 0, reason: 'hash' };
    }
    return { replica: fallback!, matchedBlocks: 0, totalBlocks: 0, reason: 'hash' };
  }
}
