/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): top functions by self time, top Tidegate functions by
 * inclusive time, and self time grouped by file/package.
 *   node dist/bench/cpuprofile-summary.js FILE.cpuprofile [TOP]
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface CallFrame { functionName: string; url: string; lineNumber: number; columnNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

export interface Entry { name: string; where: string; ms: number; share: number }
export interface Summary { totalMs: number; busyMs: number; topSelf: Entry[]; topTidegateInclusive: Entry[]; byArea: Entry[] }

/** Shortens a script URL to something readable: src/… for Tidegate, the package name for node_modules. */
export function area(url: string): string {
  if (!url) return '(native/builtin)';
  if (url.startsWith('node:')) return url;
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return `pkg ${modules[1]}`;
  const src = /\/dist\/(src\/.*?)\.js$/.exec(url) ?? /\/((?:src|bin)\/.*)$/.exec(url);
  return src ? src[1]! : url.replace(/^file:\/\//, '');
}

export function summariseProfile(profile: CpuProfile, top = 25): Summary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, index) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000));
  const totalMs = [...self.values()].reduce((a, b) => a + b, 0);
  const idle = new Set(['(idle)', '(program)']);
  let busyMs = totalMs;
  for (const node of profile.nodes) if (idle.has(node.callFrame.functionName)) busyMs -= self.get(node.id) ?? 0;
  const key = (frame: CallFrame) => `${frame.functionName || '(anonymous)'}\t${area(frame.url)}:${frame.lineNumber + 1}`;
  const selfBy = new Map<string, number>();
  const areaBy = new Map<string, number>();
  for (const node of profile.nodes) {
    const ms = self.get(node.id) ?? 0;
    if (ms === 0 || idle.has(node.callFrame.functionName)) continue;
    selfBy.set(key(node.callFrame), (selfBy.get(key(node.callFrame)) ?? 0) + ms);
    const a = node.callFrame.url ? area(node.callFrame.url) : node.callFrame.functionName.startsWith('(') ? node.callFrame.functionName : '(native/builtin)';
    areaBy.set(a, (areaBy.get(a) ?? 0) + ms);
  }
  // Inclusive time of Tidegate functions (counted once per stack even when recursive).
  const inclusive = new Map<string, number>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  for (const [id, ms] of self) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      if (!/\/dist\/src\//.test(frame.url)) continue;
      const k = key(frame);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + ms);
    }
  }
  const entries = (map: Map<string, number>, n: number): Entry[] =>
    [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, ms]) => {
      const [name, where] = k.split('\t');
      return { name: name!, where: where ?? '', ms, share: ms / busyMs };
    });
  return { totalMs, busyMs, topSelf: entries(selfBy, top), topTidegateInclusive: entries(inclusive, top), byArea: entries(areaBy, top) };
}

export function renderSummary(s: Summary): string {
  const rows = (list: Entry[]) => list.map((e) => `  ${(e.share * 100).toFixed(1).padStart(5)}%  ${e.ms.toFixed(0).padStart(6)} ms  ${e.name.padEnd(40)} ${e.where}`).join('\n');
  return `CPU profile: ${s.totalMs.toFixed(0)} ms sampled, ${s.busyMs.toFixed(0)} ms busy (shares are of busy time)\n\n` +
    `Top functions by self time:\n${rows(s.topSelf)}\n\nSelf time by file / package:\n${rows(s.byArea)}\n\n` +
    `Tidegate functions by inclusive time:\n${rows(s.topTidegateInclusive)}\n`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node dist/bench/cpuprofile-summary.js FILE.cpuprofile [TOP]\n');
    process.exit(2);
  }
  process.stdout.write(renderSummary(summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, Number(process.argv[3] ?? 25))));
}
