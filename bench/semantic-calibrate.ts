/**
 * Recomputes the semantic cache's threshold and false-hit numbers on test/fixtures/semantic-pairs:
 * `npx vite-node bench/semantic-calibrate.ts` (add `--show N` to print N refused paraphrases and any false hits).
 * Put the printed threshold into DEFAULT_SEMANTIC_THRESHOLD (src/cache/semantic/semantic-cache.ts).
 */
import { calibrateThreshold, loadSemanticPairs, measure, scorePairs, type SplitMetrics } from '../src/cache/semantic/calibration.js';
import { lastText } from '../src/cache/semantic/conversation.js';

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
const line = (name: string, m: SplitMetrics) =>
  `${name}: near-miss ${m.nearMiss}, false hits ${m.falseHits} (${pct(m.falseHitRate)}, upper 95% Clopper–Pearson ${pct(m.falseHitUpper95)}, Wilson ${pct(m.falseHitWilsonUpper95)}), ` +
  `above threshold before guards ${m.aboveThresholdBeforeGuards}; paraphrase hits ${m.paraphraseHits}/${m.paraphrases} (${pct(m.paraphraseHitRate)})`;

const show = Number(process.argv[process.argv.indexOf('--show') + 1] ?? 0) || 0;
const scored = await scorePairs(loadSemanticPairs());
const calibration = scored.filter((s) => s.pair.split === 'calibration');
const heldOut = scored.filter((s) => s.pair.split === 'heldout');
const threshold = calibrateThreshold(calibration);
console.log(`threshold ${threshold}`);
for (const [name, set] of [['calibration', calibration], ['held-out', heldOut]] as const) {
  const m = measure(set, threshold);
  console.log(line(name, m));
  for (const [kind, { pairs, hits }] of Object.entries(m.byKind).sort()) console.log(`  ${kind.padEnd(32)} ${String(hits).padStart(4)}/${pairs}`);
  for (const s of set.filter((x) => x.pair.label === 'different' && x.conflict === undefined && x.similarity >= threshold)) {
    console.log(`  FALSE HIT ${s.pair.id} ${s.similarity.toFixed(3)}: ${lastText(s.pair.a)} | ${lastText(s.pair.b)}`);
  }
}
if (show > 0) {
  const refused = scored.filter((s) => s.pair.label === 'same' && (s.conflict !== undefined || s.similarity < threshold));
  for (const s of refused.slice(0, show)) console.log(`  missed ${s.similarity.toFixed(3)} ${s.conflict ?? 'below threshold'}: ${lastText(s.pair.a)} | ${lastText(s.pair.b)}`);
  const sims = scored.filter((s) => s.pair.label === 'same' && s.conflict === undefined).map((s) => s.similarity).sort((a, b) => a - b);
  console.log('guard-passing paraphrase similarity quantiles', [0, 0.05, 0.25, 0.5].map((q) => sims[Math.floor(q * sims.length)]?.toFixed(3)));
}
if (show > 0) {
  const passing = scored.filter((s) => s.pair.label === 'different' && s.conflict === undefined).sort((a, b) => b.similarity - a.similarity);
  console.log(`near-misses passing every guard: ${passing.length}`);
  for (const s of passing.slice(0, show)) console.log(`  ${s.pair.split} ${s.similarity.toFixed(3)} ${s.pair.kind}: ${lastText(s.pair.a)} | ${lastText(s.pair.b)}`);
}
