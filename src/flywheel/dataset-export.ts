import { open } from 'node:fs/promises';
import type { Scanner } from '../privacy/index.js';
import type { Database } from '../storage/index.js';
import { datasetSpec } from './dataset-builder.js';
import { datasetRows } from './dataset-store.js';
import { isPreferenceFormat, lineSchemas, renderExample, stringsOf, Unrepresentable, type ExportFormat } from './export-formats.js';
import { feedbackFor } from './feedback-store.js';
import { inferencesById } from './inference-store.js';

export interface ExportReport {
  readonly dataset: string;
  readonly format: ExportFormat;
  readonly split: 'train' | 'eval' | 'all';
  readonly path: string;
  /** Lines written: each passed the format's schema and the personal-data re-scan. */
  readonly written: number;
  /** Entries whose inference expired or was purged since the dataset was built. */
  readonly missing: number;
  /** Entries the format cannot hold (tool calls, no rejected answer for DPO, …), by reason. */
  readonly skipped: Readonly<Record<string, number>>;
  /** Rendered lines that failed the format's schema (never written), by reason. */
  readonly schemaRejected: Readonly<Record<string, number>>;
  /** The re-scan of every written string: lines scanned and findings (lines with a finding are withheld, not written). */
  readonly personalData: { readonly linesScanned: number; readonly findings: number; readonly withheld: number };
}

export class ExportError extends Error {}

const bump = (counts: Record<string, number>, reason: string) => (counts[reason] = (counts[reason] ?? 0) + 1);

/**
 * Writes a dataset in a fine-tuning format: the curated answer (a demonstration when there is one) after the
 * captured prompt; for preference formats, the demonstration preferred over the model's own answer. Every
 * line is checked against the format's schema and re-scanned for personal data before it is written.
 */
export async function exportDataset(
  database: Database,
  scanner: Scanner,
  options: { name: string; format: ExportFormat; split: 'train' | 'eval' | 'all'; path: string; now: number; onProgress?: (done: number, total: number) => void },
): Promise<ExportReport> {
  const stored = await datasetSpec(database, options.name);
  if (!stored) throw new ExportError(`no dataset named "${options.name}" (tidegate dataset list shows them)`);
  const entries = await datasetRows(database, options.name, options.split === 'all' ? undefined : options.split);
  const inferences = new Map((await inferencesById(database, entries.map((entry) => entry.inference_id), options.now)).map((row) => [row.id, row]));
  const demonstrations = new Map<string, string>();
  for (const row of await feedbackFor(database, [...inferences.keys()], ['demonstration'])) if (row.value_text) demonstrations.set(row.target_id, row.value_text);

  const skipped: Record<string, number> = {};
  const schemaRejected: Record<string, number> = {};
  let written = 0;
  let missing = 0;
  let findings = 0;
  let withheld = 0;
  let scanned = 0;
  const preference = isPreferenceFormat(options.format);
  const schema = lineSchemas[options.format];
  const file = await open(options.path, 'w');
  try {
    let buffer = '';
    for (const [index, entry] of entries.entries()) {
      options.onProgress?.(index, entries.length);
      const row = inferences.get(entry.inference_id);
      if (!row) {
        missing += 1;
        continue;
      }
      const demonstration = demonstrations.get(row.id);
      const chosen = demonstration ?? row.output;
      const rejected = preference && demonstration !== undefined && row.output.trim() !== '' && row.output !== demonstration ? row.output : undefined;
      let line: unknown;
      try {
        line = renderExample(options.format, { prompt: row.input.messages, chosen, ...(rejected === undefined ? {} : { rejected }) });
      } catch (error) {
        if (!(error instanceof Unrepresentable)) throw error;
        bump(skipped, error.message);
        continue;
      }
      const checked = schema.safeParse(line);
      if (!checked.success) {
        const issue = checked.error.issues[0];
        bump(schemaRejected, `${issue?.path.join('.') || 'line'}: ${issue?.message ?? 'invalid'}`);
        continue;
      }
      scanned += 1;
      const found = stringsOf(line).reduce((sum, text) => sum + scanner.scan(text).filter((finding) => finding.confidence >= 0.3).length, 0);
      if (found > 0) {
        findings += found;
        withheld += 1;
        continue;
      }
      buffer += `${JSON.stringify(line)}\n`;
      written += 1;
      if (buffer.length > 1 << 20) {
        await file.write(buffer);
        buffer = '';
      }
    }
    await file.write(buffer);
    options.onProgress?.(entries.length, entries.length);
  } finally {
    await file.close();
  }
  return { dataset: options.name, format: options.format, split: options.split, path: options.path, written, missing, skipped, schemaRejected, personalData: { linesScanned: scanned, findings, withheld } };
}
