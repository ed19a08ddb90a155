import { describe, expect, it } from 'vitest';
import { raw, simulatedProvider, startStack } from '../e2e/harness.js';

describe('readiness during shutdown', () => {
  it('/readyz fails first while requests are still served for server.shutdownDelayMs; then new requests are refused while an open stream finishes', async () => {
    const stack = await startStack((simulator) => `
server: { port: 0, shutdownDelayMs: 600, drainMs: 2000 }
providers:${simulatedProvider(simulator, 'deepseek')}
models:
  - { id: deepseek-flash, provider: deepseek }
`);
    const ask = () => raw(stack, '/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'deepseek-flash', messages: [{ role: 'user', content: 'hi' }] }) });
    try {
      expect((await raw(stack, '/readyz')).json).toEqual({ status: 'ready' });
      // A stream that outlives the pre-drain window: it must finish, not be cut.
      stack.simulator.script('deepseek', [{ kind: 'stall-after-first-chunk', ms: 1_000 }]);
      const open = await stack.openai.chat.completions.create({ model: 'deepseek-flash', stream: true, messages: [{ role: 'user', content: 'finish me' }] });
      const closing = stack.gateway.close();

      const notReady = await raw(stack, '/readyz');
      expect(notReady.status).toBe(503);
      expect(notReady.json).toEqual({ status: 'shutting_down' });
      expect((await ask()).status).toBe(200); // still served: balancers have not seen the readiness change yet

      // Past shutdownDelayMs the node stops listening: a new connection is refused (a kept-alive one gets 503 shutting_down).
      await new Promise((resolve) => setTimeout(resolve, 800));
      const refused = await ask().then((answer) => answer.json.error.code as string, (error: Error) => (error.cause as { code?: string }).code);
      expect(['ECONNREFUSED', 'shutting_down']).toContain(refused);

      let text = '';
      for await (const chunk of open) text += chunk.choices[0]?.delta.content ?? '';
      expect(text).toBe('Simulated deepseek answer to: finish me');
      await closing;
    } finally {
      await stack.simulator.close();
    }
  });
});
