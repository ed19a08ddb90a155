import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseConfigText } from '../../src/config/index.js';
import { routes } from '../../src/http/routes.js';

const dir = resolve(__dirname, '../../deploy/k8s');
const documents = readdirSync(dir)
  .filter((file) => file.endsWith('.yaml'))
  .flatMap((file) => parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((document) => ({ file, object: document.toJS() as any })));
const find = (kind: string, name?: string) => documents.find(({ object }) => object.kind === kind && (name === undefined || object.metadata.name === name))?.object;

describe('deploy/k8s manifests', () => {
  const configMap = find('ConfigMap', 'tidegate-config');
  const secret = find('Secret', 'tidegate-secrets');
  const deployment = find('Deployment', 'tidegate');
  const job = find('Job', 'tidegate-migrate');

  it('the ConfigMap holds a config that passes validation with the Secret’s variables and the pod name', () => {
    const config = parseConfigText(configMap.data['tidegate.yaml'], 'configmap.yaml', { ...secret.stringData, POD_NAME: 'tidegate-7d9f-abcde' });
    expect(config.redis.url).toBe(secret.stringData.TIDEGATE_REDIS_URL);
    expect(config.storage.url).toMatch(/^postgres:\/\//);
    expect(config.cluster.nodeId).toBe('tidegate-7d9f-abcde');
  });

  it('the Deployment probes a route that exists, on the port the config listens on, and its grace period covers preStop and the drain', () => {
    const config = parseConfigText(configMap.data['tidegate.yaml'], 'configmap.yaml', { ...secret.stringData, POD_NAME: 'p' });
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0];
    expect(container.ports[0].containerPort).toBe(config.server.port);
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
      const path = container[probe].httpGet.path;
      expect(routes.some((route) => route.method === 'GET' && route.path === path && route.access === 'public')).toBe(true);
    }
    const preStopSeconds = Number(container.lifecycle.preStop.exec.command.at(-1));
    // On SIGTERM: readiness off for server.shutdownDelayMs while serving, then requests in flight get server.drainMs.
    const shutdownSeconds = (config.server.shutdownDelayMs + config.server.drainMs) / 1000;
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(preStopSeconds + shutdownSeconds + 10);
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
  });

  it('the migrate Job runs `tidegate migrate` with the same config and secrets as the nodes', () => {
    const container = job.spec.template.spec.containers[0];
    expect(container.args.slice(0, 3)).toEqual(['migrate', '--config', '/etc/tidegate/tidegate.yaml']);
    expect(container.image).toBe(deployment.spec.template.spec.containers[0].image);
    expect(container.envFrom).toEqual(deployment.spec.template.spec.containers[0].envFrom);
    expect(job.spec.template.spec.volumes).toEqual(deployment.spec.template.spec.volumes);
  });
});
