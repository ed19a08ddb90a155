/** Built-in detectors for Chinese personal data. Each runs one regex over the normalised text. */
import {
  luhnValid, validBirthDate, validOrgCode, validRegionPrefix, validResidentId15, validResidentId18, validUscc,
} from './checksums.js';
import { hasContext, isAsciiAlnum, isDigit } from './normalize.js';
import type { BuiltinEntityType, Detector, Finding } from './types.js';

type Raw = Omit<Finding, 'text'>;

const negativeWords = ['订单', '单号', '流水', '运单', '快递', '发票', '交易号', '编号', '时间戳', 'order', 'invoice', 'tracking', 'timestamp', 'serial'];
const phoneWords = ['手机', '电话', '联系', '致电', '号码', '微信', 'phone', 'mobile', 'tel', 'call', 'contact'];
const landlineWords = ['电话', '座机', '固话', '传真', '总机', 'tel', 'phone', 'fax'];
const idWords = ['身份证', '证件', '身份号', '公民身份', 'id card', 'id no', 'id number', 'identity'];
const cardWords = ['卡号', '银行卡', '储蓄卡', '信用卡', '借记卡', '转账', '账号', '账户', '帐号', '户名', 'card', 'account'];
const usccWords = ['信用代码', '统一社会', '税号', '纳税人识别号', '营业执照', 'credit code', 'uscc'];
const passportWords = ['护照', 'passport'];
const permitWords = ['通行证', '回乡证', '台胞证', '旅行证', '往来港澳', '来往内地', '来往大陆', 'permit', 'home return', 'travel document'];
const taiwanPermitWords = ['台胞证', '台湾居民来往大陆', 'taiwan compatriot', 'mtp'];
const plateWords = ['车牌', '车辆', '牌照', '号牌', '车号', 'plate', 'vehicle'];

const separators = new Set([45, 46, 47, 58]); // - . / :

/** A number is not part of a longer one: no digit next to it, nor `-./:` followed by a digit (dates, decimals). */
export function isolatedNumber(text: string, start: number, end: number): boolean {
  const before = text.charCodeAt(start - 1);
  const after = text.charCodeAt(end);
  if (isDigit(before) || isDigit(after)) return false;
  if (separators.has(before) && isDigit(text.charCodeAt(start - 2))) return false;
  if (separators.has(after) && isDigit(text.charCodeAt(end + 1))) return false;
  if ((before === 120 || before === 88) && text.charCodeAt(start - 2) === 48) return false; // 0x… in code
  return true;
}

const digitsOnly = (s: string): string => s.replace(/\D/g, '');

function regexDetector(
  type: BuiltinEntityType, source: RegExp, judge: (match: string, start: number, end: number, text: string) => Raw | null,
): Detector {
  return {
    type,
    detect(text) {
      const re = new RegExp(source.source, 'g' + source.flags.replace('g', ''));
      const out: Raw[] = [];
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        const found = judge(m[0], m.index, m.index + m[0].length, text);
        if (found !== null && found.confidence > 0) out.push(found);
      }
      return out;
    },
  };
}

const raw = (type: BuiltinEntityType, start: number, end: number, value: string, confidence: number): Raw =>
  ({ type, start, end, value, confidence: Math.min(1, Math.round(confidence * 100) / 100) });

const idCard = regexDetector('ID_CARD', /(?<!\d)[1-9]\d{14}(?:\d{2}[\dXx])?(?![\dXx])/, (m, s, e, t) => {
  if (!isolatedNumber(t, s, e)) return null;
  if (m.length === 18) return validResidentId18(m) ? raw('ID_CARD', s, e, m.toUpperCase(), 0.99) : null;
  if (!validResidentId15(m)) return null;
  const context = hasContext(t, s, e, idWords);
  const negative = hasContext(t, s, e, negativeWords, 12);
  return raw('ID_CARD', s, e, m, context ? 0.85 : negative ? 0.2 : 0.5);
});

const mobilePrefix = '1(?:3\\d|4[5-9]|5[0-35-9]|6[2567]|7[0-35-8]|8\\d|9[0-35-9])';
const phone = regexDetector('PHONE', new RegExp(`(?<!\\d)(?:(?:\\+|00)?86[ -]?)?${mobilePrefix}[ -]?\\d{4}[ -]?\\d{4}(?!\\d)`), (m, s, e, t) => {
  if (!isolatedNumber(t, s, e)) return null;
  const digits = digitsOnly(m);
  const national = digits.slice(-11);
  const negative = hasContext(t, s, e, negativeWords, 12);
  const context = hasContext(t, s, e, phoneWords);
  return raw('PHONE', s, e, national, context ? 0.97 : negative ? 0.35 : 0.9);
});

const landline = regexDetector(
  'LANDLINE',
  /(?<!\d)(?:\(0(?:10|2\d|[3-9]\d{2})\)|0(?:10|2\d|[3-9]\d{2}))[ -]?[2-9]\d{6,7}(?:[ ]?(?:-|转|ext\.?|x)[ ]?\d{1,6})?(?!\d)/,
  (m, s, e, t) => {
    if (!isolatedNumber(t, s, e)) return null;
    const separated = /[ ()-]/.test(m.slice(0, 6));
    const context = hasContext(t, s, e, landlineWords);
    const negative = hasContext(t, s, e, negativeWords, 12);
    const base = separated ? 0.85 : 0.6;
    return raw('LANDLINE', s, e, digitsOnly(m), negative ? 0.3 : context ? base + 0.1 : base);
  },
);

const internationalBin = /^(?:4|5[1-5]|2[2-7]|35[2-8])/;

/** 18 digits with a province prefix and a birth date: an ID with a typo far more often than a card. */
const idShaped = (d: string): boolean =>
  d.length === 18 && validRegionPrefix(d) && validBirthDate(Number(d.slice(6, 10)), Number(d.slice(10, 12)), Number(d.slice(12, 14)));

/** The number is assigned in code (`x = 123…`, `"id": 123…`) rather than written in prose. */
const inCode = (text: string, start: number): boolean => /[=:]\s*["']?$/.test(text.slice(Math.max(0, start - 4), start)) && /[A-Za-z_]/.test(text.slice(Math.max(0, start - 24), start));

const bankCard = regexDetector('BANK_CARD', /(?<![\dA-Za-z])(?:\d{16,19}|\d{4}(?:[ -]\d{4}){3}(?:[ -]\d{1,3})?)(?![\dA-Za-z])/, (m, s, e, t) => {
  if (!isolatedNumber(t, s, e)) return null;
  const digits = digitsOnly(m);
  const context = hasContext(t, s, e, cardWords);
  const unionPay = digits.startsWith('62') || digits.startsWith('60');
  const international = internationalBin.test(digits) && digits.length === 16;
  let confidence: number;
  if (luhnValid(digits)) {
    if (context) confidence = unionPay || internationalBin.test(digits) ? 0.97 : 0.7;
    else confidence = idShaped(digits) ? 0.3 : unionPay ? 0.85 : international ? 0.8 : 0.45;
  } else if (unionPay) confidence = context ? 0.75 : 0.4;
  else confidence = international && context ? 0.55 : 0;
  if (!context && (hasContext(t, s, e, negativeWords, 12) || inCode(t, s))) confidence = Math.min(confidence, 0.3);
  return raw('BANK_CARD', s, e, digits, confidence);
});

const uscc = regexDetector('USCC', /(?<![0-9A-Za-z])[0-9A-HJ-NP-RTUW-Y]{2}\d{6}[0-9A-HJ-NP-RTUW-Y]{10}(?![0-9A-Za-z])/, (m, s, e, t) => {
  if (!validUscc(m)) return null;
  const inner = validOrgCode(m.slice(8, 17));
  const context = hasContext(t, s, e, usccWords);
  if (/^\d+$/.test(m)) {
    // An 18-digit run passes the outer check 1 time in 31: demand the full structure.
    if (!inner || !'159'.includes(m[0]!) || !'1239'.includes(m[1]!) || !validRegionPrefix(m.slice(2))) return null;
    return raw('USCC', s, e, m, context ? 0.97 : 0.9);
  }
  return raw('USCC', s, e, m, inner ? 0.97 : context ? 0.8 : 0.6);
});

const passport = regexDetector('PASSPORT', /(?<![0-9A-Za-z])(?:E[0-9A-HJ-NP-Z]\d{7}|G\d{8}|[DSP]E?\d{7,8})(?![0-9A-Za-z])/, (m, s, e, t) =>
  hasContext(t, s, e, passportWords, 24, 16) ? raw('PASSPORT', s, e, m, 0.9) : null);

const permit = regexDetector('PERMIT', /(?<![0-9A-Za-z])(?:C[0-9A-HJ-NP-Z]\d{7}|[HM]\d{8}(?:\d{2})?|L\d{8}|\d{8}(?:\d{2})?)(?![0-9A-Za-z])/, (m, s, e, t) => {
  const words = isDigit(m.charCodeAt(0)) ? taiwanPermitWords : permitWords;
  if (isDigit(m.charCodeAt(0)) && !isolatedNumber(t, s, e)) return null;
  return hasContext(t, s, e, words, 24, 16) ? raw('PERMIT', s, e, m, 0.9) : null;
});

const plate = regexDetector(
  'PLATE',
  /[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z][·• ]?(?:[DF][A-HJ-NP-Z0-9]\d{4}|\d{5}[DF]|[A-HJ-NP-Z0-9]{4}[A-HJ-NP-Z0-9挂学警港澳])(?![0-9A-Za-z])/,
  (m, s, e, t) => {
    const serial = m.slice(2).replace(/[·• ]/, '');
    if ((serial.match(/\d/g)?.length ?? 0) < 3) return null;
    return raw('PLATE', s, e, m.slice(0, 2) + serial, hasContext(t, s, e, plateWords) ? 0.95 : 0.8);
  },
);

const localChar = (c: number): boolean => isAsciiAlnum(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45;
const domainChar = (c: number): boolean => isAsciiAlnum(c) || c === 46 || c === 45;

/** Emails by scanning for `@` and growing outwards: no regex backtracking over long alphanumeric runs. */
const email: Detector = {
  type: 'EMAIL',
  detect(text) {
    const out: Raw[] = [];
    let from = 0;
    for (let at = text.indexOf('@', from); at !== -1; at = text.indexOf('@', from)) {
      let s = at;
      while (s > 0 && localChar(text.charCodeAt(s - 1)) && at - s < 64) s--;
      while (s < at && text.charCodeAt(s) === 46) s++;
      let e = at + 1;
      while (e < text.length && domainChar(text.charCodeAt(e)) && e - at < 255) e++;
      while (e > at + 1 && (text.charCodeAt(e - 1) === 46 || text.charCodeAt(e - 1) === 45)) e--;
      from = Math.max(e, at + 1);
      const domain = text.slice(at + 1, e);
      if (s === at || !/^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}$/.test(domain)) continue;
      if (text.charCodeAt(at - 1) === 46 || (isAsciiAlnum(text.charCodeAt(s - 1)) && at - s >= 64)) continue;
      out.push(raw('EMAIL', s, e, text.slice(s, e).toLowerCase(), 0.95));
    }
    return out;
  },
};

export const builtinDetectors: Readonly<Record<BuiltinEntityType, Detector>> = {
  ID_CARD: idCard, PHONE: phone, LANDLINE: landline, BANK_CARD: bankCard, USCC: uscc,
  PASSPORT: passport, PERMIT: permit, PLATE: plate, EMAIL: email,
};
