import { parseArgs } from 'node:util';
import { loadConfig } from '../config/index.js';
import { buildDataset, CURATION_SOURCES, DatasetError, type BuildReport, type CurationSource, type DatasetSpec } from '../flywheel/dataset-builder.js';
import { exportDataset, ExportError } from '../flywheel/dataset-export.js';
import { listDatasets } from '../flywheel/dataset-store.js';
import { EXPORT_FORMATS, type ExportFormat } from '../flywheel/export-formats.js';
import { storageEngine } from '../flywheel/flywheel-service.js';
import { exportRouterLabels, type LabelsReport, type LabelsSpec } from '../flywheel/router-labels.js';
import { buildPrivacyEngine } from '../pipeline/privacy-stage.js';
import { migrate, openDatabase, type Database } from '../storage/index.js';
import { parseDateRange } from './date-options.js';
import { createProgress } from './progress.js';
import { formatTable } from './table.js';

export const usage = `Usage:
  tidegate dataset build NAME [--scenario S] [--since D] [--until D] [--curate demonstrations,feedback,flagship]
                              [--metric M] [--threshold X] [--teacher MODEL]... [--eval-share 0.2] [--seed S] [--key ID] [--json]
  tidegate dataset list [--json]
  tidegate dataset labels --output FILE.jsonl [--scenario S] [--since D] [--until D] [--metric M] [--threshold X] [--key ID] [--json]
                              router training labels (for tidegate router train --from-feedback --labels FILE)
  tidegate dataset export NAME --format ${EXPORT_FORMATS.join('|')} [--split train|eval|all] [--output FILE] [--json]

Dates are YYYY-MM-DD (a Beijing day; --until includes that day) or ISO-8601 times (Beijing time without an offset).
Every command takes --config FILE.
`;

/** --since / --until as the epoch-ms window the builders take (date-options.ts: a date --until includes its day). */
function window(values: { since?: string | undefined; until?: string | undefined }): { since?: number; until?: number } {
  const { since, until } = parseDateRange(values);
  return { ...(since ? { since: since.ms } : {}), ...(until ? { until: until.ms } : {}) };
}

function number(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed)) throw new DatasetError(`--${flag} takes a number, got ${value}`);
  return parsed;
}

function curation(value: string | undefined): CurationSource[] {
  const names = (value ?? 'demonstrations,feedback,flagship').split(',').map((name) => name.trim()).filter(Boolean);
  for (const name of names) if (!(CURATION_SOURCES as readonly string[]).includes(name)) throw new DatasetError(`--curate: unknown source "${name}" (use ${CURATION_SOURCES.join(', ')})`);
  return names as CurationSource[];
}

function printBuild(name: string, report: BuildReport): void {
  const skipped = Object.entries(report.skipped).map(([reason, n]) => `${n} ${reason}`).join('; ') || 'none';
  process.stdout.write(`Dataset ${name}: ${report.train} train, ${report.eval} eval (from ${report.candidates} captured inferences)\n\n`);
  process.stdout.write(`${formatTable(['source', 'examples'], [['demonstration', report.selected.demonstration], ['well-scored (feedback)', report.selected.feedback], ['flagship (distillation)', report.selected.flagship], ['duplicate prompts dropped', report.duplicates]])}\n`);
  process.stdout.write(`\nskipped: ${skipped}\n`);
}

async function withStore<T>(configFile: string | undefined, run: (database: Database, config: ReturnType<typeof loadConfig>) => Promise<T>): Promise<T> {
  const config = loadConfig({ file: configFile });
  const database = await openDatabase(config.storage.url);
  try {
    await migrate(database);
    return await run(database, config);
  } finally {
    await database.close();
  }
}

function printLabels(path: string, report: LabelsReport): void {
  const { cases } = report;
  process.stdout.write(`Wrote ${report.written} router labels to ${path} (from ${report.candidates} captured inferences)\n\n`);
  process.stdout.write(`${formatTable(['outcome', 'labels', 'flagship_score, light_score'], [
    ['light answer good', cases.light_good, '1, 1'],
    ['light answer bad', cases.light_bad, 'flagship rate, 0'],
    ['flagship answer good', cases.flagship_good, '1, light rate'],
    ['flagship answer bad', cases.flagship_bad, '0, 0'],
    ['shadow verdict (both judged)', cases.shadow, 'from the verdict'],
  ])}\n`);
  const rates = Object.entries(report.rates).map(([scenario, r]) => `${scenario === '-' ? '(no scenario)' : scenario}: light ${r.light}, flagship ${r.flagship}`);
  if (rates.length > 0) process.stdout.write(`\nrates of good answers (smoothed): ${rates.join('; ')}\n`);
  const skipped = Object.entries(report.skipped).map(([reason, n]) => `${n} ${reason}`).join('; ');
  if (skipped) process.stdout.write(`skipped: ${skipped}\n`);
}

async function labelsCommand(values: { config?: string | undefined; json?: boolean | undefined; scenario?: string | undefined; since?: string | undefined; until?: string | undefined; metric?: string | undefined; threshold?: string | undefined; key?: string | undefined; output?: string | undefined }): Promise<number> {
  if (values.output === undefined) throw new DatasetError('labels needs --output FILE.jsonl');
  const path = values.output;
  const spec: LabelsSpec = {
    ...(values.scenario === undefined ? {} : { scenario: values.scenario }),
    ...window(values),
    ...(values.metric === undefined ? {} : { metric: values.metric }),
    ...(values.threshold === undefined ? {} : { threshold: number(values.threshold, 'threshold') }),
    ...(values.key === undefined ? {} : { apiKeyId: values.key }),
  };
  const report = await withStore(values.config, (database, config) => exportRouterLabels(database, config.flywheel, spec, path, Date.now()));
  if (values.json) process.stdout.write(`${JSON.stringify({ output: path, ...report }, null, 2)}\n`);
  else printLabels(path, report);
  return 0;
}

/** tidegate dataset build|list|export: datasets from captured traffic, exported for fine-tuning. */
export async function datasetCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string' }, json: { type: 'boolean' }, scenario: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' },
      curate: { type: 'string' }, metric: { type: 'string' }, threshold: { type: 'string' }, teacher: { type: 'string', multiple: true },
      'eval-share': { type: 'string' }, seed: { type: 'string' }, key: { type: 'string' }, format: { type: 'string' }, split: { type: 'string' }, output: { type: 'string' },
    },
  });
  const [action, name] = positionals;
  try {
    if (action === 'list') {
      const datasets = await withStore(values.config, (database) => listDatasets<DatasetSpec, BuildReport>(database));
      if (values.json) {
        process.stdout.write(`${JSON.stringify(datasets.map((d) => ({ name: d.name, created_at: new Date(d.createdAt).toISOString(), spec: d.spec, report: d.report, rows: d.rows })), null, 2)}\n`);
        return 0;
      }
      if (datasets.length === 0) {
        process.stdout.write('No datasets yet: tidegate dataset build NAME --scenario S\n');
        return 0;
      }
      process.stdout.write(`${formatTable(['name', 'built', 'scenario', 'curated from', 'train', 'eval'], datasets.map((d) => [d.name, new Date(d.createdAt).toISOString().slice(0, 16), d.spec.scenario ?? '-', d.spec.curate.join(','), d.rows.train, d.rows.eval]))}\n`);
      return 0;
    }
    if (action === 'labels') return await labelsCommand(values);
    if (name === undefined || (action !== 'build' && action !== 'export')) {
      process.stderr.write(usage);
      return 2;
    }
    if (action === 'build') {
      const spec: DatasetSpec = {
        name,
        curate: curation(values.curate),
        ...(values.scenario === undefined ? {} : { scenario: values.scenario }),
        ...window(values),
        ...(values.metric === undefined ? {} : { metric: values.metric }),
        ...(values.threshold === undefined ? {} : { threshold: number(values.threshold, 'threshold') }),
        ...(values.teacher === undefined ? {} : { teachers: values.teacher }),
        ...(values['eval-share'] === undefined ? {} : { evalShare: number(values['eval-share'], 'eval-share') }),
        ...(values.seed === undefined ? {} : { seed: values.seed }),
        ...(values.key === undefined ? {} : { apiKeyId: values.key }),
      };
      const report = await withStore(values.config, (database, config) => buildDataset(database, config.flywheel, spec, Date.now()));
      if (values.json) process.stdout.write(`${JSON.stringify({ name, ...report }, null, 2)}\n`);
      else printBuild(name, report);
      return 0;
    }
    const format = values.format as ExportFormat | undefined;
    if (format === undefined || !(EXPORT_FORMATS as readonly string[]).includes(format)) throw new DatasetError(`--format is one of ${EXPORT_FORMATS.join(', ')}`);
    const split = (values.split ?? 'train') as 'train' | 'eval' | 'all';
    if (!['train', 'eval', 'all'].includes(split)) throw new DatasetError('--split is train, eval or all');
    const path = values.output ?? `${name}.${format}.${split}.jsonl`;
    let progress: ReturnType<typeof createProgress> | undefined;
    const report = await withStore(values.config, (database, config) =>
      exportDataset(database, storageEngine(buildPrivacyEngine(config)).scanner, {
        name, format, split, path, now: Date.now(),
        onProgress: (done, total) => {
          if (total < 1000) return;
          progress ??= createProgress(total, `export ${name}`);
          progress.update(done);
        },
      }),
    );
    if (values.json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      process.stdout.write(`Wrote ${report.written} ${format} lines (${split}) to ${path}\n`);
      process.stdout.write(`schema: every line checked; ${Object.values(report.schemaRejected).reduce((a, b) => a + b, 0)} rejected\n`);
      process.stdout.write(`personal data: ${report.personalData.linesScanned} lines re-scanned, ${report.personalData.findings} findings${report.personalData.withheld > 0 ? `, ${report.personalData.withheld} lines withheld` : ''}\n`);
      const skipped = Object.entries(report.skipped).map(([reason, n]) => `${n} ${reason}`);
      if (report.missing > 0) skipped.push(`${report.missing} expired or purged since the build`);
      if (skipped.length > 0) process.stdout.write(`skipped: ${skipped.join('; ')}\n`);
    }
    return report.personalData.withheld > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof DatasetError || error instanceof ExportError) {
      process.stderr.write(`tidegate dataset: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
