/** Per-preset FIFO queues of scripted behaviours. */
import type { ScriptStep } from './types.js';

export class ScriptBook {
  private readonly queues = new Map<string, ScriptStep[]>();

  push(preset: string, steps: readonly ScriptStep[]): void {
    const queue = this.queues.get(preset) ?? [];
    queue.push(...steps);
    this.queues.set(preset, queue);
  }

  /** The next behaviour for a call to this preset; undefined means default success. */
  next(preset: string): ScriptStep | undefined {
    return this.queues.get(preset)?.shift();
  }

  pending(preset: string): number {
    return this.queues.get(preset)?.length ?? 0;
  }

  clear(): void {
    this.queues.clear();
  }
}
