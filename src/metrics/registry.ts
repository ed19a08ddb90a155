/**
 * A small Prometheus registry (text exposition format 0.0.4): counters, fixed-bucket histograms and gauges
 * read at scrape time. Every metric caps its number of label sets; past the cap, observations land in one
 * series whose labels are all "_other", so memory and scrape size stay bounded whatever the traffic.
 */

export type Labels = readonly string[];
export const OTHER = '_other';

const escapeLabel = (value: string) => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escapeHelp = (value: string) => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

/** A sample value as Prometheus writes it (integers plainly, +Inf/-Inf/NaN by name). */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function labelText(names: readonly string[], values: Labels, extra?: readonly [string, string]): string {
  const pairs = names.map((name, i) => `${name}="${escapeLabel(values[i] ?? '')}"`);
  if (extra) pairs.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

abstract class Metric<Series> {
  protected readonly series = new Map<string, { labels: Labels; data: Series }>();

  constructor(readonly name: string, readonly help: string, readonly labelNames: readonly string[], readonly maxSeries: number) {
    if (!NAME.test(name)) throw new Error(`invalid metric name ${name}`);
    for (const label of labelNames) if (!LABEL.test(label) || label.startsWith('__') || label === 'le') throw new Error(`invalid label name ${label}`);
  }

  protected abstract fresh(): Series;

  protected get(labels: Labels): Series {
    if (labels.length !== this.labelNames.length) throw new Error(`${this.name} takes ${this.labelNames.length} labels, got ${labels.length}`);
    let key = labels.join('\u0000');
    let found = this.series.get(key);
    if (!found) {
      if (this.series.size >= this.maxSeries) {
        labels = this.labelNames.map(() => OTHER);
        key = labels.join('\u0000');
        found = this.series.get(key);
      }
      if (!found) {
        found = { labels: [...labels], data: this.fresh() };
        this.series.set(key, found);
      }
    }
    return found.data;
  }

  get seriesCount(): number {
    return this.series.size;
  }

  abstract render(): string;
}

export class Counter extends Metric<{ value: number }> {
  protected fresh() {
    return { value: 0 };
  }

  inc(labels: Labels, by = 1): void {
    if (!(by >= 0)) throw new RangeError(`${this.name}: a counter only goes up`);
    this.get(labels).value += by;
  }

  render(): string {
    let out = `# HELP ${this.name} ${escapeHelp(this.help)}\n# TYPE ${this.name} counter\n`;
    for (const { labels, data } of this.series.values()) out += `${this.name}${labelText(this.labelNames, labels)} ${formatValue(data.value)}\n`;
    return out;
  }
}

export class Histogram extends Metric<{ counts: number[]; sum: number; count: number }> {
  constructor(name: string, help: string, labelNames: readonly string[], maxSeries: number, readonly bounds: readonly number[]) {
    super(name, help, labelNames, maxSeries);
    for (let i = 1; i < bounds.length; i += 1) if (!(bounds[i]! > bounds[i - 1]!)) throw new Error(`${name}: bucket bounds must increase`);
  }

  protected fresh() {
    return { counts: new Array<number>(this.bounds.length + 1).fill(0), sum: 0, count: 0 };
  }

  observe(labels: Labels, value: number): void {
    if (!Number.isFinite(value)) return;
    const data = this.get(labels);
    let i = 0;
    while (i < this.bounds.length && value > this.bounds[i]!) i += 1;
    data.counts[i]! += 1;
    data.sum += value;
    data.count += 1;
  }

  render(): string {
    let out = `# HELP ${this.name} ${escapeHelp(this.help)}\n# TYPE ${this.name} histogram\n`;
    for (const { labels, data } of this.series.values()) {
      let cumulative = 0;
      this.bounds.forEach((bound, i) => {
        cumulative += data.counts[i]!;
        out += `${this.name}_bucket${labelText(this.labelNames, labels, ['le', formatValue(bound)])} ${cumulative}\n`;
      });
      out += `${this.name}_bucket${labelText(this.labelNames, labels, ['le', '+Inf'])} ${data.count}\n`;
      out += `${this.name}_sum${labelText(this.labelNames, labels)} ${formatValue(data.sum)}\n`;
      out += `${this.name}_count${labelText(this.labelNames, labels)} ${data.count}\n`;
    }
    return out;
  }
}

/** A gauge whose samples are read when scraped (queue depths, circuit states): nothing is stored. */
export class Gauge {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    readonly maxSeries: number,
    private readonly collect: () => Iterable<readonly [Labels, number]>,
  ) {
    if (!NAME.test(name)) throw new Error(`invalid metric name ${name}`);
  }

  render(): string {
    let out = `# HELP ${this.name} ${escapeHelp(this.help)}\n# TYPE ${this.name} gauge\n`;
    let n = 0;
    for (const [labels, value] of this.collect()) {
      if (++n > this.maxSeries) break;
      out += `${this.name}${labelText(this.labelNames, labels)} ${formatValue(value)}\n`;
    }
    return out;
  }
}

export class Registry {
  readonly #metrics: Array<Counter | Histogram | Gauge> = [];

  add<M extends Counter | Histogram | Gauge>(metric: M): M {
    if (this.#metrics.some((known) => known.name === metric.name)) throw new Error(`metric ${metric.name} registered twice`);
    this.#metrics.push(metric);
    return metric;
  }

  render(): string {
    return this.#metrics.map((metric) => metric.render()).join('');
  }
}

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
