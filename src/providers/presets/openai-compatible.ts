import type { PresetDefinition } from '../preset.js';

// Self-hosted vLLM, SGLang, Ollama or anything else that speaks OpenAI's dialect. No catalogue:
// models are declared in config, and cost nothing unless the config gives them a price.
export const openaiCompatible: PresetDefinition = {
  id: 'openai-compatible',
  displayName: 'OpenAI-compatible (vLLM, SGLang, Ollama)',
  dialect: 'openai',
  baseUrl: 'http://127.0.0.1:8000/v1',
  apiKeyEnv: [],
  auth: 'bearer',
  streamUsageOption: true,
  errorRules: [],
  models: [],
};
