import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfigText } from '../../src/config/index.js';

function problems(text: string, env: Record<string, string> = {}): string[] {
  try {
    parseConfigText(text, 'tidegate.yaml', env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((problem) => problem.message);
  }
  throw new Error('expected a ConfigError');
}

describe('batch: retryInterrupted', () => {
  it('is off by default: a line interrupted after it was sent is not retried', () => {
    expect(parseConfigText('server: { port: 1 }\n', 'tidegate.yaml', {}).batch).toEqual({ retryInterrupted: false });
  });

  it('can be turned on, also from an environment variable', () => {
    expect(parseConfigText('batch: { retryInterrupted: true }\n', 'tidegate.yaml', {}).batch).toEqual({ retryInterrupted: true });
    expect(parseConfigText('batch: { retryInterrupted: "${RETRY}" }\n', 'tidegate.yaml', { RETRY: 'true' }).batch).toEqual({ retryInterrupted: true });
  });

  it('is validated like the other settings', () => {
    expect(problems('batch: { retryInterrupted: 3 }\n')).toEqual(['batch.retryInterrupted: expected true or false, got number 3']);
    expect(problems('batch: { retryInterupted: true }\n')).toEqual(['unknown key "retryInterupted" in batch (did you mean "retryInterrupted"?)']);
  });

  it('changes the config hash (it changes what a crash costs)', () => {
    const off = parseConfigText('batch: { retryInterrupted: false }\n', 'tidegate.yaml', {});
    const on = parseConfigText('batch: { retryInterrupted: true }\n', 'tidegate.yaml', {});
    expect(on.hash).not.toBe(off.hash);
  });
});
