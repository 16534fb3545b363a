// Writer of the Prometheus text exposition format 0.0.4: each family once, with
// `# HELP` and `# TYPE`, then its samples; counters end in `_total`; histograms as
// cumulative `_bucket{le="…"}` samples ending with le="+Inf", then `_sum` and
// `_count`. Names are checked against the format's grammar; label values are
// escaped (backslash, double quote, line feed), HELP text too (backslash, line feed).
// Format reference: https://prometheus.io/docs/instrumenting/exposition_formats/
import { SpreadcoreError } from '../errors.js';
import type { FixedHistogram } from './prometheus-histogram.js';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export type Labels = Readonly<Record<string, string>>;

export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** A sample value: integers as they are, +Inf / -Inf / NaN spelled as the format wants. */
export function formatValue(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Number.isNaN(v)) return 'NaN';
  return String(v);
}

function labelText(labels: Labels | undefined, extra?: string): string {
  const parts: string[] = [];
  if (labels !== undefined) {
    for (const [k, v] of Object.entries(labels)) {
      if (!LABEL_NAME.test(k) || k.startsWith('__')) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `bad metric label name ${JSON.stringify(k)}`);
      parts.push(`${k}="${escapeLabelValue(v)}"`);
    }
  }
  if (extra !== undefined) parts.push(extra);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

export class PrometheusText {
  private readonly lines: string[] = [];
  private readonly families = new Set<string>();

  private family(name: string, type: 'counter' | 'gauge' | 'histogram', help: string): void {
    if (!METRIC_NAME.test(name)) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `bad metric name ${JSON.stringify(name)}`);
    if (type === 'counter' && !name.endsWith('_total')) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `counter ${name} must end in _total`);
    if (this.families.has(name)) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `metric family ${name} written twice`);
    this.families.add(name);
    this.lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
  }

  /** A counter family: one sample per label set (no labels: pass [[undefined, v]] or a number). */
  counter(name: string, help: string, samples: number | readonly (readonly [Labels | undefined, number])[]): this {
    return this.simple(name, 'counter', help, samples);
  }

  gauge(name: string, help: string, samples: number | readonly (readonly [Labels | undefined, number])[]): this {
    return this.simple(name, 'gauge', help, samples);
  }

  private simple(name: string, type: 'counter' | 'gauge', help: string, samples: number | readonly (readonly [Labels | undefined, number])[]): this {
    this.family(name, type, help);
    const list = typeof samples === 'number' ? [[undefined, samples] as const] : samples;
    for (const [labels, v] of list) this.lines.push(`${name}${labelText(labels)} ${formatValue(v)}`);
    return this;
  }

  /** A histogram family from one or more FixedHistograms (one per label set). */
  histogram(name: string, help: string, samples: FixedHistogram | readonly (readonly [Labels | undefined, FixedHistogram])[]): this {
    this.family(name, 'histogram', help);
    const list = 'bounds' in samples ? [[undefined, samples] as const] : samples;
    for (const [labels, h] of list) {
      const counts = h.counts; // the engine observes only between scrapes (one thread): the sample is consistent
      let cum = 0;
      for (let i = 0; i < h.bounds.length; i++) {
        cum += counts[i]!;
        this.lines.push(`${name}_bucket${labelText(labels, `le="${formatValue(h.bounds[i]!)}"`)} ${cum}`);
      }
      cum += counts[h.bounds.length]!;
      this.lines.push(`${name}_bucket${labelText(labels, 'le="+Inf"')} ${cum}`);
      this.lines.push(`${name}_sum${labelText(labels)} ${formatValue(h.sum)}`);
      this.lines.push(`${name}_count${labelText(labels)} ${cum}`);
    }
    return this;
  }

  toString(): string {
    return this.lines.length === 0 ? '' : `${this.lines.join('\n')}\n`;
  }
}
