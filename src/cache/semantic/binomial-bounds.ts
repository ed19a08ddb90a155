/** Confidence bounds for a rate measured as x successes in n trials. */

const logBinomialCdf = (x: number, n: number, p: number): number => {
  if (p <= 0) return 0;
  if (p >= 1) return x >= n ? 0 : -Infinity;
  let logPmf = n * Math.log1p(-p);
  let logSum = logPmf;
  for (let k = 0; k < x; k++) {
    logPmf += Math.log((n - k) / (k + 1)) + Math.log(p) - Math.log1p(-p);
    const hi = Math.max(logSum, logPmf);
    logSum = hi + Math.log(Math.exp(logSum - hi) + Math.exp(logPmf - hi));
  }
  return logSum;
};

/**
 * Upper end of the exact (Clopper–Pearson) two-sided interval at `confidence`: the p at which seeing x or fewer
 * has probability (1 − confidence)/2. For x = 0 this is 1 − ((1 − confidence)/2)^(1/n).
 */
export function clopperPearsonUpper(x: number, n: number, confidence = 0.95): number {
  if (n <= 0) return 1;
  if (x >= n) return 1;
  const tail = Math.log((1 - confidence) / 2);
  let lo = x / n;
  let hi = 1;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (logBinomialCdf(x, n, mid) > tail) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** Upper end of the Wilson score interval at 95% (z = 1.96). */
export function wilsonUpper(x: number, n: number, z = 1.959964): number {
  if (n <= 0) return 1;
  const p = x / n;
  const z2 = z * z;
  return Math.min(1, (p + z2 / (2 * n) + z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n));
}
