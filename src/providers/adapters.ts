import type { ProviderAdapter } from './adapter.js';
import { anthropicDialect } from './anthropic-dialect.js';
import { openAiDialect } from './openai-dialect.js';
import type { Dialect } from './preset.js';

const byDialect: Record<Dialect, ProviderAdapter> = {
  openai: openAiDialect,
  anthropic: anthropicDialect,
};

export function adapterFor(dialect: Dialect): ProviderAdapter {
  return byDialect[dialect];
}
