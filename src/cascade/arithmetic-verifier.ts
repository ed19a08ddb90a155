/**
 * A verifier that needs no second model: it re-checks the arithmetic a worked answer writes out
 * ("9 * $2 = $18", GSM8K-style "<<9*2=18>>") and doubts an answer whose sums are wrong or that
 * commits to no number at all. Cheap, deterministic, and measurable offline on GSM8K.
 */
// Commas only as thousands separators, so "= 48, so" reads 48.
const digits = String.raw`(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?`;
const number = String.raw`\$?-?${digits}%?`;
const operator = String.raw`\s*[-+*/x×÷]\s*`;
const equation = new RegExp(String.raw`((?:${number}${operator})+${number})\s*=\s*(${number})`, 'g');
const annotation = /<<([^=<>]+)=([^<>]+)>>/g;

function toNumber(text: string): number {
  return Number(text.replace(/[$,%\s]/g, ''));
}

/** Evaluate + - * / with precedence; returns NaN on anything else. */
export function evaluate(expression: string): number {
  const tokens = expression.replace(/[×x]/g, '*').replace(/÷/g, '/').match(new RegExp(String.raw`\$?${digits}%?|[-+*/]`, 'g'));
  if (!tokens) return Number.NaN;
  const values: number[] = [];
  const ops: string[] = [];
  let expectNumber = true;
  let negate = false;
  for (const token of tokens) {
    if (expectNumber) {
      if (token === '-') {
        negate = !negate;
        continue;
      }
      if (/[+*/]/.test(token)) return Number.NaN;
      values.push((negate ? -1 : 1) * toNumber(token));
      negate = false;
      expectNumber = false;
      continue;
    }
    if (!/[-+*/]/.test(token)) return Number.NaN;
    if (token === '*' || token === '/') {
      ops.push(token);
    } else {
      ops.push(token);
    }
    expectNumber = true;
  }
  if (expectNumber) return Number.NaN;
  // First * and /, left to right, then + and -.
  const terms: number[] = [values[0]!];
  const additive: string[] = [];
  ops.forEach((op, index) => {
    const value = values[index + 1]!;
    if (op === '*') terms[terms.length - 1] = terms.at(-1)! * value;
    else if (op === '/') terms[terms.length - 1] = terms.at(-1)! / value;
    else {
      additive.push(op);
      terms.push(value);
    }
  });
  return additive.reduce((sum, op, index) => (op === '+' ? sum + terms[index + 1]! : sum - terms[index + 1]!), terms[0]!);
}

function decimals(text: string): number {
  return text.replace(/[$,%]/g, '').split('.')[1]?.length ?? 0;
}

/** Whether a written result matches its expression, allowing the rounding its decimals imply. */
function matches(expression: string, result: string): boolean {
  const expected = evaluate(expression);
  const written = toNumber(result);
  if (!Number.isFinite(expected) || !Number.isFinite(written)) return true; // not arithmetic we can check
  const tolerance = Math.max(0.5 * 10 ** -decimals(result), Math.abs(written) * 1e-9);
  return Math.abs(expected - written) <= tolerance || (result.includes('%') && Math.abs(expected * 100 - written) <= tolerance);
}

export interface ArithmeticVerdict {
  readonly doubt: boolean;
  readonly checked: number;
  readonly reason: string;
}

export function checkArithmetic(answer: string): ArithmeticVerdict {
  let checked = 0;
  for (const pattern of [annotation, equation]) {
    for (const match of answer.matchAll(pattern)) {
      checked += 1;
      if (!matches(match[1]!, match[2]!)) return { doubt: true, checked, reason: `"${match[0].trim()}" does not add up` };
    }
  }
  if (!/\d/.test(answer)) return { doubt: true, checked, reason: 'no numeric answer' };
  return { doubt: false, checked, reason: checked > 0 ? `${checked} calculations check out` : 'no calculation to check' };
}
