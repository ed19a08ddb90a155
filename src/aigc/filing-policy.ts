/**
 * requireFiled: only models with a filing (备案号) or registration (上线编号) number may serve. A route
 * keeps its filed candidates and skips the rest; when none is filed the request is refused, naming the
 * models, so the operator knows which number to add (models[].filing).
 */
import type { GatewayConfig, ModelConfig, RouteConfig } from '../config/types.js';
import { GatewayError } from '../errors/catalogue.js';

export function requiresFiling(config: GatewayConfig, route: RouteConfig | undefined): boolean {
  return route?.requireFiled ?? config.requireFiled;
}

export function filedCandidates(config: GatewayConfig, route: RouteConfig | undefined, candidates: readonly ModelConfig[]): ModelConfig[] {
  if (!requiresFiling(config, route)) return [...candidates];
  const filed = candidates.filter((model) => model.filing !== undefined);
  if (filed.length === 0) {
    const names = candidates.map((model) => model.id).join(', ') || 'none';
    throw new GatewayError('model_not_filed', `Only filed models may serve this request (requireFiled), and ${route ? `no candidate of route "${route.id}"` : 'this model'} has a filing or registration number (candidates: ${names}). Set models[].filing to the 备案号 or 上线编号.`);
  }
  return filed;
}
