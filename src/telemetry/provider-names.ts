/**
 * gen_ai.provider.name for a preset: the OpenTelemetry GenAI well-known value where one exists, else the
 * preset id (the conventions allow custom values). A table of names, not behaviour.
 */
const wellKnown: Readonly<Record<string, string>> = {
  openai: 'openai',
  anthropic: 'anthropic',
  deepseek: 'deepseek',
  gemini: 'gcp.gemini',
  kimi: 'moonshot_ai',
};

export function genAiProviderName(preset: string): string {
  return wellKnown[preset] ?? preset;
}
