/**
 * Lookup time of the semantic cache with 10k entries in one partition (the worst case: one tenant, one scope,
 * one context, so every lookup scans all of them). `npx vite-node bench/semantic-index.ts [entries]`.
 */
import { performance } from 'node:perf_hooks';
import { createSemanticCache, type Conversation } from '../src/cache/semantic/index.js';

const entries = Number(process.argv[2] ?? 10_000);
const lookups = 500;

let seed = 42;
const random = (): number => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)] as T;
const EN = 'how what why explain compare install configure deploy python rust docker kubernetes cache latency database index query token model price weather flight hotel budget recipe tax visa contract invoice refund account password network server'.split(' ');
const ZH = '怎么 为什么 如何 安装 配置 部署 数据库 索引 查询 模型 价格 天气 航班 酒店 预算 菜谱 税 签证 合同 发票 退款 账户 密码 网络 服务器 北京 上海 明天'.split(' ');
const question = (): string => {
  const zh = random() < 0.5;
  const words = Array.from({ length: 6 + Math.floor(random() * 10) }, () => pick(zh ? ZH : EN));
  return zh ? `${words.join('')}？` : `${words.join(' ')}?`;
};
const ask = (text: string): Conversation => ({ system: 'You are a helpful assistant.', messages: [{ role: 'user', text }] });

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

async function run(name: string, cache: ReturnType<typeof createSemanticCache<number>>): Promise<void> {
  const texts = Array.from({ length: entries }, question);
  const t0 = performance.now();
  for (const [i, text] of texts.entries()) await cache.store('tenant', 'scope', ask(text), i, 0);
  const storeMs = performance.now() - t0;
  const times: number[] = [];
  let hits = 0;
  for (let i = 0; i < lookups; i++) {
    const text = i % 2 === 0 ? pick(texts) : question();
    const start = performance.now();
    if ((await cache.lookup('tenant', 'scope', ask(text), 1)) !== undefined) hits++;
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const heap = process.memoryUsage().heapUsed / 2 ** 20;
  console.log(
    `${name}: ${cache.size} entries, store ${(storeMs / entries).toFixed(3)} ms/entry; lookup p50 ${percentile(times, 0.5).toFixed(2)} ms, ` +
      `p99 ${percentile(times, 0.99).toFixed(2)} ms, max ${percentile(times, 1).toFixed(2)} ms; hits ${hits}/${lookups}; heap ${heap.toFixed(0)} MiB`,
  );
}

await run('lexical (hashed char n-grams)', createSemanticCache<number>({ maxEntries: entries }));

const dims = 1024;
const fakeEmbed = async (texts: string[]) =>
  texts.map((t) => {
    let h = 0;
    for (const ch of t) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
    return Array.from({ length: dims }, (_, i) => Math.sin(h + i * 0.7));
  });
await run(`dense ${dims}-d (stub embedder, scan cost only)`, createSemanticCache<number>({ maxEntries: entries, embed: fakeEmbed, threshold: 0.95 }));
