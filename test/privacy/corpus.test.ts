/**
 * Synthetic corpus (issue 8 acceptance): checksum-valid values inside Chinese sentences, and hard negatives
 * (order numbers, timestamps, invalid checksums, numbers in code, amounts). Recall ≥ 99.5%, precision ≥ 99%.
 */
import { describe, expect, it } from 'vitest';
import { luhnCheckDigit } from '../../src/privacy/checksums.js';
import { createScanner } from '../../src/privacy/scanner.js';
import { badResidentId, badUscc, digits, int, mobile, pick, residentId, seeded, toFullWidth, unionPayCard, uscc, type Random } from './helpers.js';

const names = ['张伟', '王芳', '李娜', '刘洋', '陈静', '杨磊', '赵敏', '黄强'];
type Kind = 'ID_CARD' | 'USCC' | 'BANK_CARD' | 'PHONE';

const templates: Record<Kind, Array<(v: string, n: string) => string>> = {
  ID_CARD: [
    (v, n) => `客户${n}的身份证号码是${v}，请核实后办理。`,
    (v, n) => `申请人：${n}；证件号：${v}；申请日期：2024年3月7日`,
    (v) => `${v}是他的身份证号`,
    (v, n) => `${n}(ID ${v})已完成实名认证`,
  ],
  USCC: [
    (v) => `统一社会信用代码：${v}，开户行：招商银行。`,
    (v, n) => `${n}所在公司的信用代码为${v}。`,
    (v) => `营业执照号${v}，注册资本500万元`,
    (v) => `Supplier tax id ${v} registered in Shenzhen.`,
  ],
  BANK_CARD: [
    (v, n) => `请将款项转账至${n}的银行卡${v}，备注报销。`,
    (v) => `收款卡号：${v}（工商银行）`,
    (v) => `Card number ${v}, expiry 08/27.`,
    (v, n) => `${n}的工资卡是${v}吗？`,
  ],
  PHONE: [
    (v, n) => `有问题请联系${n}，手机${v}，工作日9点到18点。`,
    (v) => `收件人电话：${v}`,
    (v, n) => `${n}的号码${v}已停机`,
    (v) => `Reach the driver on ${v} before arrival.`,
  ],
};

function formatted(kind: Kind, value: string, r: Random): string {
  const style = r();
  if (style < 0.1) return toFullWidth(value);
  if (kind === 'PHONE' && style < 0.4) return `${value.slice(0, 3)}${pick(r, [' ', '-'])}${value.slice(3, 7)}${pick(r, [' ', '-'])}${value.slice(7)}`;
  if (kind === 'PHONE' && style < 0.5) return `+86 ${value}`;
  if (kind === 'BANK_CARD' && style < 0.4) return value.replace(/(\d{4})(?=\d)/g, '$1 ');
  return value;
}

const generators: Record<Kind, (r: Random) => string> = { ID_CARD: residentId, USCC: uscc, BANK_CARD: (r) => unionPayCard(r), PHONE: mobile };

const negatives: Array<(r: Random) => string> = [
  (r) => `订单号${digits(r, int(r, 16, 22))}已发货，请注意查收。`,
  (r) => `运单号 SF${digits(r, 12)}，预计明天送达`,
  (r) => `时间戳 ${int(r, 1_600_000_000_000, 1_800_000_000_000)}，耗时${int(r, 1, 999)}ms`,
  (r) => `身份证号${badResidentId(r)}校验失败`,
  (r) => `信用代码${badUscc(r)}无效`,
  (r) => `金额¥${int(r, 1, 99_999_999)}.${digits(r, 2)}，合计${int(r, 1000, 9999)},${digits(r, 3)},${digits(r, 3)}元`,
  (r) => `const requestId = ${digits(r, 19)}n; // ${digits(r, 11)}${digits(r, 7)}`,
  (r) => `发票号码：${digits(r, 20)}`,
  (r) => `交易流水号 ${digits(r, 18)}`,
  (r) => `会议于 2024-0${int(r, 1, 9)}-1${int(r, 0, 9)} 1${int(r, 0, 9)}:${int(r, 10, 59)}:${int(r, 10, 59)} 开始，房间号 ${int(r, 100, 999)}`,
  (r) => { const p = `62${digits(r, 16)}`; return `订单编号${p}${luhnCheckDigit(p)}`; },
  (r) => `version ${int(r, 1, 9)}.${digits(r, 11)} build ${digits(r, 8)}`,
  (r) => `发票代码${digits(r, 12)}，发票号码${digits(r, 18)}`,
  (r) => `${pick(r, ['型号', '订单号', '批次'])}${pick(r, ['H', 'C', 'E', 'G'])}${digits(r, 8)}已入库`,
  // A mobile number or a resident ID inside a longer digit run is part of something else.
  (r) => `流水${digits(r, 3)}${mobile(r)}${digits(r, 4)}`,
  (r) => `批次号${residentId(r)}${digits(r, 2)}`,
];

describe('synthetic corpus', () => {
  const scanner = createScanner();
  const r = seeded(20240307);

  it('meets recall ≥ 99.5% and precision ≥ 99% for the checksum-validated types', () => {
    const stats: Record<Kind, { tp: number; fn: number; fp: number }> = {
      ID_CARD: { tp: 0, fn: 0, fp: 0 }, USCC: { tp: 0, fn: 0, fp: 0 }, BANK_CARD: { tp: 0, fn: 0, fp: 0 }, PHONE: { tp: 0, fn: 0, fp: 0 },
    };
    const kinds = Object.keys(stats) as Kind[];
    for (let i = 0; i < 4000; i++) {
      const kind = kinds[i % kinds.length]!;
      const value = formatted(kind, generators[kind](r), r);
      const sentence = pick(r, templates[kind])(value, pick(r, names));
      const start = sentence.indexOf(value);
      let hit = false;
      for (const f of scanner.scan(sentence)) {
        if (f.confidence < 0.5 || !kinds.includes(f.type as Kind)) continue;
        if (f.type === kind && f.start === start && f.end === start + value.length) hit = true;
        else stats[f.type as Kind].fp++;
      }
      if (hit) stats[kind].tp++;
      else stats[kind].fn++;
    }
    for (let i = 0; i < 4000; i++) {
      for (const f of scanner.scan(pick(r, negatives)(r))) if (f.confidence >= 0.5 && kinds.includes(f.type as Kind)) stats[f.type as Kind].fp++;
    }
    for (const kind of kinds) {
      const { tp, fn, fp } = stats[kind];
      const recall = tp / (tp + fn);
      const precision = tp / (tp + fp);
      expect(tp + fn).toBe(1000);
      expect({ kind, recall, precision }).toEqual({ kind, recall: expect.toSatisfy((v: number) => v >= 0.995), precision: expect.toSatisfy((v: number) => v >= 0.99) });
    }
  });

  it('keeps context-anchored types quiet without their anchors', () => {
    let falsePositives = 0;
    const shapes = [() => `E${digits(r, 8)}`, () => `G${digits(r, 8)}`, () => `C${digits(r, 8)}`, () => `H${digits(r, 8)}`, () => `L${digits(r, 8)}`, () => digits(r, 8)];
    for (let i = 0; i < 2000; i++) {
      const text = `${pick(r, ['型号', '批次', '订单号', 'SKU', '编号', '货号'])}${pick(r, shapes)()}，数量${int(r, 1, 99)}`;
      falsePositives += scanner.scan(text).filter((f) => (f.type === 'PASSPORT' || f.type === 'PERMIT') && f.confidence >= 0.5).length;
    }
    expect(falsePositives / 2000).toBeLessThanOrEqual(0.005);
  });
});
