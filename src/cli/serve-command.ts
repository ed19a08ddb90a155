import { parseArgs } from 'node:util';
import { loadConfig } from '../config/index.js';
import { startGateway } from '../gateway.js';
import { createLogger } from '../logging/logger.js';
import { collectStartupGarbage, tuneHeapForServing } from './heap-tuning.js';
import { helpRequested } from './usage-error.js';

export const usage = `usage: tidegate serve [--config FILE] [--port N] [--host H]
  run the gateway (default port 8080; the config's server section, else 0.0.0.0)
`;

export async function serveCommand(argv: string[]): Promise<number> {
  // bin/tidegate.js runs serve without main.ts (to keep the other commands' modules out of the gateway).
  if (helpRequested(argv)) {
    process.stdout.write(usage);
    return 0;
  }
  const { values } = parseArgs({
    args: argv,
    options: { config: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' } },
  });
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new Error(`--port must be 0–65535, got ${values.port}`);
  const config = loadConfig({ file: values.config, overrides: { port, host: values.host } });
  tuneHeapForServing();
  const logger = createLogger();
  const gateway = await startGateway(config, { logger });
  collectStartupGarbage();
  logger.info('tidegate listening', {
    url: gateway.url,
    config: config.source,
    config_hash: config.hash.slice(0, 12),
    providers: config.providers.map((provider) => provider.id),
    models: config.models.length,
    storage: config.storage.url.replace(/\/\/[^@]*@/, '//***@'),
    auth: gateway.open ? 'OPEN (no API keys: loopback only)' : 'API keys required',
  });
  if (config.models.length === 0) {
    logger.warn('no models are configured: set a provider API key (e.g. DEEPSEEK_API_KEY) or write tidegate.yaml; try "tidegate demo" to see it work');
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info('shutting down', { signal });
      void gateway.close().then(resolve);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  return 0;
}
