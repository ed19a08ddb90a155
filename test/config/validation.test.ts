import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfigText } from '../../src/config/index.js';

function problemsOf(text: string, env: Record<string, string> = {}): ConfigError {
  try {
    parseConfigText(text, 'tidegate.yaml', env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

const providers = `providers:
  - id: deepseek
    preset: deepseek
  - id: qwen
    preset: qwen
`;

describe('unknown keys', () => {
  it('rejects an unknown top-level key with its line and a suggestion', () => {
    const error = problemsOf('server: { port: 1 }\n\nprovider:\n  - id: x\n');
    expect(error.problems).toEqual([{ line: 3, column: 1, path: 'provider', message: 'unknown key "provider" at top level (did you mean "providers"?)' }]);
    expect(error.message).toContain('tidegate.yaml:3:1: unknown key "provider" at top level (did you mean "providers"?)');
  });

  it('rejects an unknown nested key with its line and a suggestion', () => {
    const text = `${providers}models:
  - id: deepseek-v4-pro
    provider: deepseek
  - id: qwen-max
    provider: qwen
    fallback: [deepseek-v4-pro]
`;
    const error = problemsOf(text);
    expect(error.message).toContain('tidegate.yaml:11:5: unknown key "fallback" in models[1] (did you mean "fallbacks"?)');
    expect(error.problems[0]).toMatchObject({ line: 11, column: 5, path: 'models[1].fallback' });
  });

  it('rejects unknown keys in deeper objects and lists the allowed ones when nothing is close', () => {
    const error = problemsOf('providers:\n  - id: d\n    preset: deepseek\n    retry: { maxAttempt: 2, colour: red }\n');
    expect(error.message).toContain('tidegate.yaml:4:14: unknown key "maxAttempt" in providers[0].retry (did you mean "maxAttempts"?)');
    expect(error.message).toMatch(/4:29: unknown key "colour" in providers\[0\]\.retry \(allowed keys: maxAttempts, baseDelayMs/);
  });
});

describe('types and values', () => {
  it('says what was expected', () => {
    const error = problemsOf('server:\n  port: "eighty"\n  host: [a]\nrequestLog: { enabled: maybe }\nmodels: {}\n');
    const messages = error.problems.map((problem) => `${problem.line}: ${problem.message}`);
    expect(messages).toEqual([
      '2: server.port: expected a number, got string "eighty"',
      '3: server.host: expected a string, got a list',
      '4: requestLog.enabled: expected true or false, got string "maybe"',
      '5: models: expected a list, got a mapping',
    ]);
  });

  it('checks ranges, enums, URLs and required fields', () => {
    const error = problemsOf(`server: { port: 70000 }
storage: { url: "mysql://x" }
providers:
  - id: Deep Seek
    preset: deepseek
    baseUrl: ftp://example.com
  - preset: qwen
models:
  - { id: m, provider: qwen, tier: big, kind: chat }
`);
    const messages = error.problems.map((problem) => `${problem.line}:${problem.column}: ${problem.message}`);
    expect(messages).toContain('1:17: server.port: must be at most 65535, got number 70000');
    expect(messages.some((message) => message.startsWith('2:17: storage.url: must be "sqlite:<path>" or "postgres://'))).toBe(true);
    expect(messages).toContain('4:9: providers[0].id: must use only a-z, 0-9, ".", "_" and "-", got string "Deep Seek"');
    expect(messages.some((message) => message.startsWith('6:14: providers[0].baseUrl: must be an http(s) URL'))).toBe(true);
    expect(messages).toContain('7:5: providers[1].id: is required');
    expect(messages).toContain('9:36: models[0].tier: expected "flagship" or "light", got string "big"');
  });

  it('reports YAML syntax errors with their line', () => {
    const error = problemsOf('server:\n  port: 1\nadmin: { key: [x }\nmodels: []\n');
    expect(error.problems[0]!.line).toBe(3);
    expect(error.problems[0]!.message).toMatch(/^YAML syntax error: /);
  });

  it('rejects duplicate mapping keys', () => {
    const error = problemsOf('server: { port: 1 }\nserver: { port: 2 }\n');
    expect(error.problems[0]).toMatchObject({ line: 2 });
  });
});

describe('cross-references', () => {
  it('names the line of a fallback to an unknown model', () => {
    const text = `${providers}models:
  - id: deepseek-v4-pro
    provider: deepseek
  - id: qwen-plus
    provider: qwen
    fallbacks: [deepseek-v4-pro, qwen-maxx]
`;
    const error = problemsOf(text);
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatchObject({ line: 11, column: 34, path: 'models[1].fallbacks[1]' });
    expect(error.message).toContain('tidegate.yaml:11:34: models[1].fallbacks[1]: unknown model "qwen-maxx" (declared models: deepseek-v4-pro, qwen-plus)');
  });

  it('rejects a fallback to itself and to a model of another kind', () => {
    const error = problemsOf(`${providers}models:
  - { id: qwen-max, provider: qwen, fallbacks: [qwen-max, text-embedding-v3] }
  - { id: text-embedding-v3, provider: qwen }
`);
    expect(error.problems.map((problem) => problem.message)).toEqual([
      'models[0].fallbacks[0]: model "qwen-max" cannot fall back to itself',
      'models[0].fallbacks[1]: "text-embedding-v3" is an embedding model but "qwen-max" is a chat model; a fallback must be of the same kind',
    ]);
  });

  it('rejects an unknown preset and lists the valid ones', () => {
    const error = problemsOf('providers:\n  - id: ds\n    preset: deepseak\n');
    expect(error.problems[0]).toMatchObject({ line: 3, column: 13, path: 'providers[0].preset' });
    expect(error.problems[0]!.message).toMatch(/unknown preset "deepseak" \(did you mean "deepseek"\?\) \(valid presets: deepseek, qwen, .*openai-compatible\)/);
  });

  it('rejects a model naming an unknown provider', () => {
    const error = problemsOf(`${providers}models:\n  - { id: m, provider: deepsek }\n`);
    expect(error.message).toContain('tidegate.yaml:7:24: models[0].provider: unknown provider "deepsek" (did you mean "deepseek"?) (declared providers: deepseek, qwen)');
  });

  it('rejects duplicate provider and model ids', () => {
    const error = problemsOf(`${providers}  - id: qwen
    preset: qwen
models:
  - { id: m, provider: qwen }
  - { id: m, provider: deepseek }
`);
    expect(error.problems.map((problem) => `${problem.line}: ${problem.message}`)).toEqual([
      '6: providers[2].id: duplicate provider id "qwen" (first declared at providers[1])',
      '10: models[1].id: duplicate model id "m" (first declared at models[0])',
    ]);
  });

  it('reports every problem together, in file order', () => {
    const error = problemsOf(`servr: {}
providers:
  - id: deepseek
    preset: nope
    apiKey: \${MISSING_KEY}
models:
  - { id: a, provider: deepseek, tier: huge, fallbacks: [b] }
`);
    expect(error.problems.map((problem) => problem.line)).toEqual([1, 4, 5, 7, 7]);
    const lines = error.message.split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toBe('tidegate.yaml:1:1: unknown key "servr" at top level (did you mean "server"?)');
    expect(lines[3]).toMatch(/^tidegate\.yaml:7:40: models\[0\]\.tier: /);
    expect(lines[4]).toMatch(/^tidegate\.yaml:7:58: models\[0\]\.fallbacks\[0\]: unknown model "b"/);
  });
});

describe('server.cors', () => {
  it('takes origins (scheme and host) or "*", with a default preflight max age', () => {
    const config = parseConfigText(`server: { cors: { origins: ["https://chat.example.com", "http://127.0.0.1:3000"] } }\n${providers}`, 'tidegate.yaml', {});
    expect(config.server.cors).toEqual({ origins: ['https://chat.example.com', 'http://127.0.0.1:3000'], maxAgeSeconds: 600 });
    expect(parseConfigText(providers, 'tidegate.yaml', {}).server.cors).toBeUndefined();
  });

  it('refuses an origin with a path, and an empty list', () => {
    const withPath = problemsOf(`server: { cors: { origins: ["https://chat.example.com/app"] } }\n${providers}`);
    expect(withPath.problems[0]?.path).toBe('server.cors.origins[0]');
    expect(withPath.problems[0]?.message).toMatch(/scheme and host, no path/);
    expect(problemsOf(`server: { cors: { origins: [] } }\n${providers}`).problems[0]?.path).toBe('server.cors.origins');
  });
});
