import { describe, expect, it } from 'vitest';
import {
  idCheckChar, luhnValid, usccCheckChar, validBirthDate, validOrgCode, validRegionPrefix, validResidentId15,
  validResidentId18, validUscc,
} from '../../src/privacy/checksums.js';
import { badResidentId, badUscc, residentId, seeded, unionPayCard, uscc } from './helpers.js';

describe('resident ID (GB 11643, ISO 7064 MOD 11-2)', () => {
  it('accepts known valid numbers, including an X check character in either case', () => {
    expect(validResidentId18('110101199003074610')).toBe(true);
    expect(validResidentId18('11010119900307002X')).toBe(true);
    expect(validResidentId18('11010119900307002x')).toBe(true);
    expect(idCheckChar('11010119900307002')).toBe('X');
  });

  it('rejects a wrong check character, a bad region, an impossible or future date', () => {
    expect(validResidentId18('110101199003074611')).toBe(false);
    expect(validResidentId18('990101199003074610')).toBe(false); // 99 is no province
    const first17 = '11010119900230123'; // 30 February
    expect(validResidentId18(first17 + idCheckChar(first17))).toBe(false);
    const future = '11010121990101123';
    expect(validResidentId18(future + idCheckChar(future))).toBe(false);
    expect(validResidentId18('11010119900307461')).toBe(false); // 17 digits
  });

  it('checks leap years and the 1900 lower bound', () => {
    expect(validBirthDate(2000, 2, 29)).toBe(true);
    expect(validBirthDate(1900, 2, 29)).toBe(false);
    expect(validBirthDate(2023, 2, 29)).toBe(false);
    expect(validBirthDate(1899, 12, 31)).toBe(false);
  });

  it('knows the province-level prefixes, residence permits included', () => {
    for (const ok of ['11', '65', '71', '81', '82', '83', '46', '50']) expect(validRegionPrefix(ok + '0000')).toBe(true);
    for (const bad of ['10', '16', '20', '24', '38', '47', '55', '66', '72', '84', '99', '00']) expect(validRegionPrefix(bad + '0000')).toBe(false);
  });

  it('validates legacy 15-digit IDs by region and date', () => {
    expect(validResidentId15('110101900307461')).toBe(true);
    expect(validResidentId15('110101901307461')).toBe(false); // month 13
    expect(validResidentId15('990101900307461')).toBe(false);
  });

  it('agrees with the generator on 2,000 random IDs and rejects every corrupted one', () => {
    const r = seeded(1);
    for (let i = 0; i < 2000; i++) {
      expect(validResidentId18(residentId(r))).toBe(true);
      expect(validResidentId18(badResidentId(r))).toBe(false);
    }
  });
});

describe('unified social credit code (GB 32100)', () => {
  it('accepts real codes (outer and inner GB 11714 checks)', () => {
    expect(validUscc('91440300708461136T')).toBe(true); // Tencent
    expect(validOrgCode('708461136')).toBe(true);
    expect(usccCheckChar('91440300708461136')).toBe('T');
  });

  it('rejects a wrong check character, forbidden letters and a non-numeric admin code', () => {
    expect(validUscc('91440300708461136U')).toBe(false);
    expect(validUscc('9144030070846113IT')).toBe(false);
    expect(validUscc('91A40300708461136T')).toBe(false);
    expect(validUscc('91440300708461136')).toBe(false);
  });

  it('agrees with the generator on 2,000 random codes', () => {
    const r = seeded(2);
    for (let i = 0; i < 2000; i++) {
      const code = uscc(r);
      expect(validUscc(code)).toBe(true);
      expect(validOrgCode(code.slice(8, 17))).toBe(true);
      expect(validUscc(badUscc(r))).toBe(false);
    }
  });
});

describe('Luhn', () => {
  it('accepts known test numbers and rejects one-digit changes', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('6212345678901232')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('')).toBe(false);
    expect(luhnValid('41111x1111111111')).toBe(false);
  });

  it('catches every single-digit error in generated UnionPay numbers', () => {
    const r = seeded(3);
    for (let i = 0; i < 200; i++) {
      const card = unionPayCard(r);
      expect(luhnValid(card)).toBe(true);
      const at = Math.floor(r() * card.length);
      const changed = card.slice(0, at) + String((Number(card[at]) + 1 + Math.floor(r() * 9)) % 10) + card.slice(at + 1);
      expect(luhnValid(changed)).toBe(false);
    }
  });
});
