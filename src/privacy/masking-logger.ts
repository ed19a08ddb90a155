/**
 * The log policy applied to the process log: every message and field passes through the privacy engine's
 * log masking before it is written, so an error that quotes request text (a provider echoing the prompt,
 * a stack with a value in it) cannot put personal data in the logs.
 */
import type { Logger } from '../logging/logger.js';
import type { PrivacyEngine } from './engine.js';

export function maskingLogger(logger: Logger, engine: PrivacyEngine): Logger {
  const wrap = (level: keyof Logger) => (message: string, fields?: Record<string, unknown>) =>
    logger[level](engine.maskForLog(message), fields === undefined ? undefined : engine.maskValueForLog(plain(fields)));
  return { debug: wrap('debug'), info: wrap('info'), warn: wrap('warn'), error: wrap('error') };
}

/** Error objects have no enumerable fields; they are written as their stack (masked like any text). */
function plain(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, value instanceof Error ? String(value.stack ?? value) : value]));
}
