import { describe, expect, it } from 'vitest';
import { createScanner } from '../../src/privacy/scanner.js';
import { idCheckChar, luhnCheckDigit } from '../../src/privacy/checksums.js';
import { toFullWidth } from './helpers.js';

const scanner = createScanner();
const found = (text: string) => scanner.scan(text).filter((f) => f.confidence >= 0.5).map((f) => [f.type, f.text] as const);

describe('detection in realistic sentences', () => {
  it.each([
    ['我的身份证号是110101199003074610，请帮我查一下社保。', 'ID_CARD', '110101199003074610'],
    ['Applicant ID: 11010119900307002x, please verify.', 'ID_CARD', '11010119900307002x'],
    ['老身份证号码 110101900307461 还能用吗？', 'ID_CARD', '110101900307461'],
    ['有问题请致电13812345678，谢谢。', 'PHONE', '13812345678'],
    ['Call me at +86 138 1234 5678 tomorrow.', 'PHONE', '+86 138 1234 5678'],
    ['联系方式：0086-199-1234-5678', 'PHONE', '0086-199-1234-5678'],
    ['客服手机166-0000-1234转人工', 'PHONE', '166-0000-1234'],
    ['公司座机010-62345678，传真(021)55556666。', 'LANDLINE', '010-62345678'],
    ['深圳办公室电话 0755 86013388 转 8001', 'LANDLINE', '0755 86013388 转 8001'],
    ['工资卡卡号 6222021234567890124 请核对', 'BANK_CARD', '6222021234567890124'],
    ['Please transfer to card 4111 1111 1111 1111.', 'BANK_CARD', '4111 1111 1111 1111'],
    ['开票信息：统一社会信用代码91440300708461136T', 'USCC', '91440300708461136T'],
    ['护照号码：E12345678，有效期至2030年。', 'PASSPORT', 'E12345678'],
    ['My passport number is EA1234567.', 'PASSPORT', 'EA1234567'],
    ['往来港澳通行证CA1234567已过期', 'PERMIT', 'CA1234567'],
    ['回乡证H1234567801需要续期', 'PERMIT', 'H1234567801'],
    ['台胞证号码 12345678', 'PERMIT', '12345678'],
    ['车牌号京A·F0236的车主请挪车', 'PLATE', '京A·F0236'],
    ['新能源车粤BD12345和沪AF12345', 'PLATE', '粤BD12345'],
    ['大型新能源车浙A12345D', 'PLATE', '浙A12345D'],
    ['请把报告发到 zhang.san+ai@mail.example.com.cn。', 'EMAIL', 'zhang.san+ai@mail.example.com.cn'],
    ['邮箱12345678@qq.com', 'EMAIL', '12345678@qq.com'],
    ['log line: data13812345678end', 'PHONE', '13812345678'], // glued to letters (a Presidio miss)
    ['86 prefix without plus: 8613812345678', 'PHONE', '8613812345678'],
  ])('%s', (text, type, value) => {
    expect(found(text)).toContainEqual([type, value]);
  });

  it('finds several values in one text with correct UTF-16 offsets', () => {
    const text = '张三😀，身份证110101199003074610，手机13812345678，邮箱a@b.cn';
    const findings = scanner.scan(text);
    expect(findings.map((f) => f.type)).toEqual(['ID_CARD', 'PHONE', 'EMAIL']);
    for (const f of findings) expect(text.slice(f.start, f.end)).toBe(f.text);
  });

  it('handles full-width digits, letters and separators, keeping the original text', () => {
    const id = toFullWidth('110101199003074610');
    const text = `身份证：${id}，手机：＋８６　１３８－１２３４－５６７８`;
    const findings = scanner.scan(text);
    expect(findings.map((f) => [f.type, f.text, f.value])).toEqual([
      ['ID_CARD', id, '110101199003074610'],
      ['PHONE', '＋８６　１３８－１２３４－５６７８', '13812345678'],
    ]);
  });

  it('gives the same canonical value to differently written numbers', () => {
    const values = ['13812345678', '138 1234 5678', '+86-138-1234-5678', toFullWidth('13812345678')].map((t) => scanner.scan(`tel ${t}`)[0]?.value);
    expect(new Set(values)).toEqual(new Set(['13812345678']));
  });

  it('rates Luhn-valid cards above Luhn-failing UnionPay cards, and needs context for the latter', () => {
    const card = '622202123456789012' + luhnCheckDigit('622202123456789012');
    const broken = card.slice(0, -1) + String((Number(card.slice(-1)) + 1) % 10);
    const valid = scanner.scan(card)[0]!;
    const invalid = scanner.scan(broken)[0]!;
    const invalidWithContext = scanner.scan(`银行卡号${broken}`)[0]!;
    expect(valid.confidence).toBeGreaterThan(invalidWithContext.confidence);
    expect(invalid.confidence).toBeLessThan(0.5);
    expect(invalidWithContext.confidence).toBeGreaterThanOrEqual(0.5);
  });
});

describe('near misses are not reported', () => {
  it.each([
    ['订单号 2024030713812345678901 已发货'], // phone digits inside a longer run
    ['订单号：202403071381234567'], // 18 digits, not an ID (bad date/checksum)
    ['时间戳 1712345678901 毫秒'],
    ['发生于 2024-03-07 13:81:23，金额 13812.50 元'],
    ['version 3.13812345678'],
    ['IP 192.168.13.81 port 2345'],
    ['身份证号 110101199003074611（校验位错误）'],
    ['信用代码 91440300708461136U（校验位错误）'],
    ['订单号C12345678，型号H12345678，批次E12345678'], // permit/passport shapes without context words
    ['product SKU G12345678 and L12345678'],
    ['number 12345678 without context'],
    ['const x = 0x13812345678n; // hex'],
    ['Amount: 62,220,212,345.00 CNY'],
    ['the hash is 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'],
    ['CPU 京A型 no digits'],
  ])('%s', (text) => {
    expect(found(text)).toEqual([]);
  });

  it('does not find a phone inside an 18-digit order number nor glued to a longer number with separators', () => {
    expect(found('运单 1381234567812345678')).toEqual([]);
    expect(found('2024-13812345678')).toEqual([]);
    expect(found('13812345678-2024')).toEqual([]);
  });

  it('lowers the confidence of weak numbers next to order words', () => {
    const order = scanner.scan('订单号02012345678')[0];
    expect(order === undefined || order.confidence < 0.5).toBe(true);
  });

  it('prefers a valid ID over a bank-card reading of the same 18 digits (Gansu prefix 62)', () => {
    const id = '62010219900101123' + idCheckChar('62010219900101123');
    expect(scanner.scan(`身份证${id}`).map((f) => f.type)).toEqual(['ID_CARD']);
    expect(scanner.scan(`卡号${id}`).map((f) => f.type)).toEqual(['ID_CARD']);
  });
});

describe('custom patterns and dictionaries', () => {
  const custom = createScanner({
    types: ['PHONE'],
    patterns: [{ name: 'EMPLOYEE_ID', pattern: 'EMP-\\d{6}' }, { name: 'QQ', pattern: '\\b[1-9]\\d{4,11}\\b', context: ['qq'] }],
    dictionaries: [{ name: 'PROJECT', words: ['天穹计划', 'Falcon'], caseInsensitive: true }],
  });

  it('reports custom types by name', () => {
    const text = '员工EMP-123456参与天穹计划和FALCON项目，QQ 123456789，手机13812345678';
    expect(custom.scan(text).map((f) => [f.type, f.text])).toEqual([
      ['EMPLOYEE_ID', 'EMP-123456'], ['PROJECT', '天穹计划'], ['PROJECT', 'FALCON'], ['QQ', '123456789'], ['PHONE', '13812345678'],
    ]);
  });

  it('respects word boundaries for ASCII dictionary words and context for patterns', () => {
    expect(custom.scan('Falconry and 123456789').map((f) => f.type)).toEqual([]);
  });

  it('rejects bad configuration at construction time', () => {
    expect(() => createScanner({ patterns: [{ name: 'bad name', pattern: 'x' }] })).toThrow();
    expect(() => createScanner({ patterns: [{ name: 'EMPTY', pattern: 'x*' }] })).toThrow();
    expect(() => createScanner({ patterns: [{ name: 'BROKEN', pattern: '(' }] })).toThrow();
  });
});
