import { describe, expect, it } from 'vitest';
import { openDatabase, queryRequestLog } from '../../src/storage/index.js';
import { simulatedProvider, startStack } from './harness.js';

describe('graceful shutdown', () => {
  it('lets an open stream finish, refuses new requests, and flushes the request log', async () => {
    const stack = await startStack((simulator) => `
requestLog: { flushIntervalMs: 60000, batchSize: 1000 }
providers:${simulatedProvider(simulator, 'deepseek')}
models:
  - { id: deepseek-flash, provider: deepseek }
`);
    try {
      stack.simulator.script('deepseek', [{ kind: 'stall-after-first-chunk', ms: 400 }]);
      const stream = await stack.openai.chat.completions.create({ model: 'deepseek-flash', stream: true, messages: [{ role: 'user', content: 'finish me' }] });
      const closing = stack.gateway.close(5_000);
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      expect(text).toBe('Simulated deepseek answer to: finish me');
      await closing;
      const database = await openDatabase(`sqlite:${stack.dir}/tidegate.db`);
      const rows = await queryRequestLog(database, {});
      await database.close();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ modelRequested: 'deepseek-flash', status: 200, stream: true });
    } finally {
      await stack.simulator.close();
    }
  });
});
