import { describe, expect, it } from 'vitest';
import { AdmissionController, type Permit } from '../../src/scheduling/admission-controller.js';
import { schedulingDefaults } from '../../src/scheduling/config-schema.js';

function controller(options: { concurrency?: number; tokensPerMinute?: number; queueDepth?: number; agingMs?: number; waitMs?: number; reserve?: number } = {}) {
  const clock = { at: 1_000_000 };
  const config = schedulingDefaults({ queueDepth: options.queueDepth ?? 10, agingMs: options.agingMs ?? 60_000, interactiveMaxWaitMs: options.waitMs ?? 60_000, standardMaxWaitMs: options.waitMs ?? 60_000, valleyUtilisation: 0.5, interactiveReserve: options.reserve ?? 0 });
  const admission = new AdmissionController(config, () => ({ concurrency: options.concurrency ?? 1, tokensPerMinute: options.tokensPerMinute }), () => clock.at);
  return { admission, clock };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('admission control per model', () => {
  it('grants up to the concurrency limit, then serves waiting interactive requests before standard ones', async () => {
    const { admission, clock } = controller({ concurrency: 1 });
    const first = await admission.acquire('m', 'standard', 10);
    const order: string[] = [];
    const standard = admission.acquire('m', 'standard', 10).then((p) => (order.push('standard'), p));
    const interactive = admission.acquire('m', 'interactive', 10).then((p) => (order.push('interactive'), p));
    clock.at += 500;
    first.release();
    const granted = await interactive;
    expect(granted.queueMs).toBe(500);
    await flush();
    expect(order).toEqual(['interactive']);
    granted.release();
    (await standard).release();
    expect(order).toEqual(['interactive', 'standard']);
  });

  it('deadline-near deferred work waits ahead of queued standard requests, behind interactive, even when the standard queue is full', async () => {
    const { admission } = controller({ concurrency: 1, queueDepth: 2 });
    const first = await admission.acquire('m', 'standard', 10);
    const order: string[] = [];
    const track = (name: string, promise: Promise<Permit>) => promise.then((permit) => (order.push(name), permit));
    const waiting = [track('s0', admission.acquire('m', 'standard', 10)), track('s1', admission.acquire('m', 'standard', 10))];
    await expect(admission.acquire('m', 'standard', 10)).rejects.toMatchObject({ code: 'queue_full' });
    waiting.push(track('u0', admission.acquireUrgent('m', 10, 60_000)), track('u1', admission.acquireUrgent('m', 10, 60_000)));
    waiting.push(track('i', admission.acquire('m', 'interactive', 10)));
    first.release();
    for (let released = 0; released < waiting.length; released++) {
      await flush();
      const name = order[released]!;
      (await waiting[['s0', 's1', 'u0', 'u1', 'i'].indexOf(name)]!).release();
    }
    expect(order).toEqual(['i', 'u0', 'u1', 's0', 's1']);
    expect(admission.snapshot().classes.deferrable).toMatchObject({ admitted: 2, shed: 0 });
  });

  it('deadline-near deferred work gives up after its own bound, not the class bound', async () => {
    const { admission } = controller({ concurrency: 1, waitMs: 60_000 });
    const first = await admission.acquire('m', 'standard', 10);
    const started = Date.now();
    await expect(admission.acquireUrgent('m', 10, 30)).rejects.toMatchObject({ code: 'queue_timeout' });
    expect(Date.now() - started).toBeLessThan(30_000);
    first.release();
  });

  it('never starves standard: once aged, standard gets a guaranteed share of slots while interactive keeps priority', async () => {
    const { admission, clock } = controller({ concurrency: 1, agingMs: 2_000 });
    const first = await admission.acquire('m', 'interactive', 10);
    const order: string[] = [];
    const track = (name: string, promise: Promise<Permit>) => promise.then((permit) => (order.push(name), permit));
    const waiting = [track('s', admission.acquire('m', 'standard', 10))];
    clock.at += 2_500;
    for (let i = 0; i < 5; i++) waiting.push(track(`i${i}`, admission.acquire('m', 'interactive', 10)));
    first.release();
    for (let released = 0; released < waiting.length; released++) {
      await flush();
      const name = order[released]!;
      (await waiting[name === 's' ? 0 : Number(name.slice(1)) + 1]!).release();
    }
    expect(order).toEqual(['i0', 'i1', 'i2', 's', 'i3', 'i4']);
  });

  it('keeps reserved slots for interactive requests: standard work never fills the model', async () => {
    const { admission } = controller({ concurrency: 4, reserve: 0.25 });
    const standard = await Promise.all([1, 2, 3].map(() => admission.acquire('m', 'standard', 10)));
    let fourth: Permit | undefined;
    const queued = admission.acquire('m', 'standard', 10).then((p) => (fourth = p));
    await flush();
    expect(fourth).toBeUndefined();
    const interactive = await admission.acquire('m', 'interactive', 10); // the reserved slot, at once
    expect(interactive.queueMs).toBe(0);
    interactive.release();
    await flush();
    expect(fourth).toBeUndefined(); // the free slot is still the reserved one
    standard[0]!.release();
    await queued;
    for (const permit of [...standard.slice(1), fourth!]) permit.release();
  });

  it('a full queue answers 429 queue_full with a Retry-After from the measured service time', async () => {
    const { admission, clock } = controller({ concurrency: 1, queueDepth: 1 });
    const held = await admission.acquire('m', 'interactive', 10);
    clock.at += 4_000;
    held.release(); // measured: 4 s per call
    const again = await admission.acquire('m', 'interactive', 10);
    const waiting = admission.acquire('m', 'interactive', 10);
    const shed = await admission.acquire('m', 'interactive', 10).catch((error: unknown) => error);
    expect(shed).toMatchObject({ code: 'queue_full', status: 429 });
    expect((shed as { retryAfterMs: number }).retryAfterMs).toBe(8_000); // two calls ahead at 4 s each, one slot
    again.release();
    (await waiting).release();
    expect(admission.snapshot().classes.interactive).toMatchObject({ shed: 1, admitted: 3 });
  });

  it('a wait longer than the class allows answers 429 queue_timeout', async () => {
    const { admission } = controller({ concurrency: 1, waitMs: 20 });
    const held = await admission.acquire('m', 'standard', 10);
    await expect(admission.acquire('m', 'standard', 10)).rejects.toMatchObject({ code: 'queue_timeout', status: 429 });
    held.release();
  });

  it('holds requests over the tokens-per-minute limit until the window frees', async () => {
    const { admission, clock } = controller({ concurrency: 10, tokensPerMinute: 100 });
    const a = await admission.acquire('m', 'interactive', 80);
    a.release(90); // the real usage replaces the estimate
    let granted: Permit | undefined;
    const b = admission.acquire('m', 'interactive', 20).then((p) => (granted = p));
    await flush();
    expect(granted).toBeUndefined();
    clock.at += 60_001;
    const later = admission.acquire('m', 'interactive', 1); // any later admission re-checks the window, oldest first
    await b;
    (await later).release();
    expect(granted).toBeDefined();
  });

  it('deferrable work fills only the valley: below the utilisation bound and with nobody waiting', async () => {
    const { admission } = controller({ concurrency: 4 });
    const one = admission.tryValley('m', 10);
    const two = admission.tryValley('m', 10);
    expect(one).toBeDefined();
    expect(two).toBeDefined();
    expect(admission.tryValley('m', 10)).toBeUndefined(); // 50% of 4 slots
    one!.release();
    const a = await admission.acquire('m', 'interactive', 10);
    const b = await admission.acquire('m', 'interactive', 10);
    const c = await admission.acquire('m', 'interactive', 10);
    const queued = admission.acquire('m', 'interactive', 10);
    two!.release();
    expect(admission.tryValley('m', 10)).toBeUndefined(); // interactive is waiting / model busy
    for (const permit of [a, b, c, await queued]) permit.release();
    expect(admission.tryValley('m', 10)).toBeDefined();
  });
});
