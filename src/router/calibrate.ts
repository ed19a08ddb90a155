/**
 * Turns a quality target into a score threshold. The curve (threshold → flagship share, quality kept) is measured
 * on data the model did not train on and stored in the artifact, so the gateway can pick a threshold for any
 * target without the data.
 */
import type { CalibrationPoint } from './model.js';

/** Quality kept = routed outcome / always-strong outcome; sampled at `steps` flagship shares (score quantiles). */
export function calibrationCurve(scores: readonly number[], weak: readonly number[], strong: readonly number[], steps = 100): CalibrationPoint[] {
  const n = scores.length;
  const order = scores.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]!); // highest score first
  const strongTotal = strong.reduce((a, b) => a + b, 0);
  let quality = weak.reduce((a, b) => a + b, 0);
  const points: CalibrationPoint[] = [{ threshold: Number.MAX_VALUE, flagshipShare: 0, qualityKept: quality / strongTotal }];
  let next = 1;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    quality += strong[i]! - weak[i]!;
    const boundary = k === n - 1 || scores[order[k + 1]!]! !== scores[i]!; // thresholds only between distinct scores
    if (boundary && (k + 1) / n >= next / steps) {
      points.push({ threshold: scores[i]!, flagshipShare: (k + 1) / n, qualityKept: quality / strongTotal });
      while (next / steps <= (k + 1) / n) next++;
    }
  }
  return points;
}

export interface ThresholdChoice { threshold: number; expectedFlagshipShare: number; expectedQualityKept: number }

/** The highest threshold (fewest flagship calls) whose measured quality kept reaches the target. */
export function chooseThreshold(points: readonly CalibrationPoint[], target: number): ThresholdChoice {
  if (points.length === 0) throw new Error('router artifact has no calibration data');
  const hit = points.find((p) => p.qualityKept >= target) ?? points[points.length - 1]!;
  return { threshold: hit.threshold, expectedFlagshipShare: hit.flagshipShare, expectedQualityKept: hit.qualityKept };
}

/** Share sent to the flagship and quality kept when a threshold is applied to other data (s >= threshold → flagship). */
export function applyThreshold(scores: readonly number[], weak: readonly number[], strong: readonly number[], threshold: number) {
  let sent = 0, q = 0, s = 0;
  scores.forEach((x, i) => { const go = x >= threshold; if (go) sent++; q += go ? strong[i]! : weak[i]!; s += strong[i]!; });
  return { flagshipShare: sent / scores.length, qualityKept: q / s };
}
