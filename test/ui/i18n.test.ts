import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { en } from '../../ui/src/i18n/en.js';
import { zhCN } from '../../ui/src/i18n/zh-CN.js';

const uiSource = join(import.meta.dirname, '../../ui/src');
const dictionaries = { en: en as Record<string, string>, 'zh-CN': zhCN as Record<string, string> };

/** Every .ts/.tsx file of the app except the dictionaries themselves. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !/i18n[\\/](en|zh-CN)\.ts$/.test(path) ? [path] : [];
  });
}
const source = sourceFiles(uiSource).map((path) => readFileSync(path, 'utf8')).join('\n');
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();

describe('dashboard translations', () => {
  it('has exactly the same keys in English and Chinese', () => {
    const missingInChinese = Object.keys(en).filter((key) => !(key in zhCN));
    const missingInEnglish = Object.keys(zhCN).filter((key) => !(key in en));
    expect({ missingInChinese, missingInEnglish }).toEqual({ missingInChinese: [], missingInEnglish: [] });
  });

  it('has no empty value in either language', () => {
    for (const [locale, dictionary] of Object.entries(dictionaries)) {
      const empty = Object.entries(dictionary).filter(([, value]) => typeof value !== 'string' || value.trim() === '').map(([key]) => key);
      expect(empty, `empty values in ${locale}`).toEqual([]);
    }
  });

  it('uses the same {placeholders} in both languages', () => {
    const mismatched = Object.keys(en).filter((key) => JSON.stringify(placeholders(dictionaries.en[key]!)) !== JSON.stringify(placeholders(dictionaries['zh-CN'][key] ?? '')));
    expect(mismatched).toEqual([]);
  });

  it('uses every key somewhere in the app (no dead strings)', () => {
    const unused = Object.keys(en).filter((key) => !source.includes(`'${key}'`));
    expect(unused).toEqual([]);
  });

  it('defines every key the app asks for with t(...)', () => {
    const asked = [...source.matchAll(/\bt\('([^']+)'/g)].map((match) => match[1]!);
    expect(asked.length).toBeGreaterThan(100);
    expect([...new Set(asked.filter((key) => !(key in en)))]).toEqual([]);
  });

  it('really translates: most Chinese strings contain Chinese characters', () => {
    const values = Object.values(zhCN);
    const chinese = values.filter((value) => /[\u4e00-\u9fff]/.test(value));
    expect(chinese.length / values.length).toBeGreaterThan(0.9);
  });
});
