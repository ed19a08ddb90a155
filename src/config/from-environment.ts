import { presets } from '../providers/registry.js';
import type { ConfigProblem } from './config-error.js';
import type { Environment } from './interpolate.js';
import { httpUrl, storageUrl } from './schema.js';

/** `openai-compatible` → `OPENAI_COMPATIBLE_BASE_URL`. */
export function baseUrlVariable(presetId: string): string {
  return `${presetId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_BASE_URL`;
}

/** The first non-empty API-key variable of a preset, if any. */
function apiKeyFrom(env: Environment, names: readonly string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== '') return { name, value };
  }
  return undefined;
}

export interface EnvironmentConfig {
  /** The same shape a config file has, ready for the same validation. */
  data: Record<string, unknown>;
  problems: ConfigProblem[];
}

/**
 * The configuration used when there is no config file:
 * - every preset whose API-key variable is set (non-empty) is a provider with id = preset id and all its
 *   catalogue models (`models: all`); when two catalogues share a model id the first registered preset wins;
 * - `<PRESET>_BASE_URL` (e.g. `DEEPSEEK_BASE_URL`) overrides that preset's base URL; a preset that needs no key
 *   (`openai-compatible`) is enabled by its base-URL variable alone;
 * - `TIDEGATE_ADMIN_KEY` → admin.key, `TIDEGATE_STORAGE_URL` → storage.url.
 * No variables at all is valid: zero providers, zero models.
 */
export function environmentConfigData(env: Environment): EnvironmentConfig {
  const problems: ConfigProblem[] = [];
  const variable = (name: string, check: { safeParse(value: unknown): { success: boolean; error?: { issues: { message: string }[] } } }): string | undefined => {
    const value = env[name];
    if (value === undefined || value === '') return undefined;
    const result = check.safeParse(value);
    if (!result.success) {
      const reason = result.error?.issues[0]?.message ?? 'is invalid';
      problems.push({ path: name, message: `${name}: ${reason}, got ${JSON.stringify(value)}` });
      return undefined;
    }
    return value;
  };

  const providers: Record<string, unknown>[] = [];
  for (const preset of presets.values()) {
    const key = apiKeyFrom(env, preset.apiKeyEnv);
    const baseUrlName = baseUrlVariable(preset.id);
    const baseUrlSet = env[baseUrlName] !== undefined && env[baseUrlName] !== '';
    if (!key && !(preset.apiKeyEnv.length === 0 && baseUrlSet)) continue;
    const baseUrl = variable(baseUrlName, httpUrl);
    providers.push({
      id: preset.id,
      preset: preset.id,
      ...(baseUrl === undefined ? {} : { baseUrl }),
      ...(key === undefined ? {} : { apiKey: key.value }),
      models: 'all',
    });
  }

  const data: Record<string, unknown> = { providers, models: [] };
  const adminKey = env.TIDEGATE_ADMIN_KEY;
  if (adminKey !== undefined && adminKey !== '') data.admin = { key: adminKey };
  const storage = variable('TIDEGATE_STORAGE_URL', storageUrl);
  if (storage !== undefined) data.storage = { url: storage };
  return { data, problems };
}
