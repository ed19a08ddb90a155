/**
 * Privacy scan throughput: ~1 MB of mixed Chinese/English text with personal data sprinkled in, scanned by
 * the default detectors; then the same text masked as chat messages (scan + placeholders + verification).
 *
 *   npx vite-node bench/privacy-scan.ts        (or node dist/bench/privacy-scan.js after npm run build)
 */
import { performance } from 'node:perf_hooks';
import { createPrivacyEngine } from '../src/privacy/index.js';

const prose = [
  '今天下午三点在会议室讨论第三季度的预算安排，请各部门负责人准时参加。',
  'The quarterly report shows revenue up 12.5% year over year, driven by cloud services.',
  '订单号20240307123456789012已发货，预计3月9日送达，运费12.00元。',
  '请参考文档第4.2节中的接口说明，timeout 设置为 30000 毫秒。',
  'const requestId = "a1b2c3d4e5f6"; // retry after 2024-03-07T13:45:00Z',
  '客户反馈系统在高峰期响应较慢，建议增加缓存并优化数据库索引。',
];
const personal = [
  '联系人张三，手机13812345678，座机010-62345678。',
  '身份证号110101199003074610，银行卡6222021234567890124。',
  '统一社会信用代码91440300708461136T，邮箱zhang.san@example.com。',
  '护照号码E12345678，车牌京A·F0236。',
];

function corpus(bytes: number): string {
  let seed = 1;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const parts: string[] = [];
  let size = 0;
  while (size < bytes) {
    const line = next() < 0.1 ? personal[Math.floor(next() * personal.length)]! : prose[Math.floor(next() * prose.length)]!;
    parts.push(line);
    size += Buffer.byteLength(line) + 1;
  }
  return parts.join('\n');
}

async function main(): Promise<void> {
  const text = corpus(1 << 20);
  const bytes = Buffer.byteLength(text);
  const engine = createPrivacyEngine({ secret: 'bench-secret-0123456789abcdef' });
  engine.scan(text);
  const runs = 10;
  const t0 = performance.now();
  let findings = 0;
  for (let i = 0; i < runs; i++) findings = engine.scan(text).length;
  const scanSeconds = (performance.now() - t0) / 1000 / runs;

  const messages = text.split('\n').reduce<string[]>((acc, line, i) => {
    if (i % 40 === 0) acc.push('');
    acc[acc.length - 1] += line + '\n';
    return acc;
  }, []).map((content) => ({ role: 'user' as const, content }));
  await engine.maskMessages(messages, { tenant: 't', conversation: 'c' });
  const t1 = performance.now();
  for (let i = 0; i < 3; i++) await engine.maskMessages(messages, { tenant: 't', conversation: 'c' });
  const maskSeconds = (performance.now() - t1) / 1000 / 3;

  const mb = bytes / 1e6;
  console.log(JSON.stringify({
    textBytes: bytes, textChars: text.length, findings,
    scanMs: +(scanSeconds * 1000).toFixed(1), scanMBps: +(mb / scanSeconds).toFixed(1),
    maskMessages: messages.length, maskMs: +(maskSeconds * 1000).toFixed(1), maskMBps: +(mb / maskSeconds).toFixed(1),
  }, null, 2));
}

await main();
