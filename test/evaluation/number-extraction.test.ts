import { describe, expect, it } from 'vitest';
import { extractNumber } from '../../src/evaluation/evaluators/number-extraction.js';

const value = (text: string) => extractNumber(text)?.value;

describe('reading a grade out of an answer', () => {
  it.each([
    ['85', 85],
    ['Score: 85/100', 85],
    ['**Grade:** 92.5', 92.5],
    ['I would give this essay 78 out of 100.', 78],
    ['The essay has 3 paragraphs and 2 spelling mistakes. Score: 71', 71],
    ['Initial score: 80. After checking the conclusion, final score: 76', 76],
    ['得分：85分', 85],
    ['分数：８８', 88],
    ['我给这篇作文打八十五分。', 85],
    ['评分为九十二点五', 92.5],
    ['这篇作文十分出色，结构清晰，得分 93。', 93],
    ['内容30分，结构25分，总分 85', 85],
    ['满分100分，本文得72分', 72],
    ['本文3处错别字，应得 64 分', 64],
    ['Total: 1,234 points', 1234],
    ['一百分', 100],
  ])('%s → %s', (text, expected) => {
    expect(value(text)).toBe(expected);
  });

  it('finds no number where there is none, and does not read "十分" (very) or "一篇" as numbers', () => {
    expect(extractNumber('No score given.')).toBeUndefined();
    expect(extractNumber('这是一篇十分优秀的作文')).toBeUndefined();
  });

  it('says how it found the number', () => {
    expect(extractNumber('Score: 85')?.source).toBe('labelled');
    expect(extractNumber('约 85 分')?.source).toBe('points');
    expect(extractNumber('85')?.source).toBe('only');
  });
});
