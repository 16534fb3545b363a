// The shapes the report functions take.

export interface ChartSeries {
  name: string;
  /** '#rrggbb'; a palette colour when absent. */
  color?: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** 'line' (default): straight segments; 'step': horizontal then vertical; 'points': dots. */
  style?: 'line' | 'step' | 'points';
}

export interface LineChartOptions {
  title: string;
  /** Smaller text under the title, wrapped to the width (e.g. the settings the data came from). */
  subtitle?: string;
  /** Pixels, default 1000. */
  width?: number;
  /** Pixels, default 500. */
  height?: number;
  xLabel?: string;
  yLabel?: string;
  /** x values are epoch milliseconds; the axis shows UTC times. */
  xIsTime?: boolean;
  series: ChartSeries[];
}

export interface HeatmapOptions {
  title: string;
  xName: string;
  yName: string;
  xValues: number[];
  yValues: number[];
  /** z[yi][xi]; null (or a non-finite number) = no result for that parameter pair. */
  z: (number | null)[][];
  zName: string;
  /** What the values came from (settings), under the best-cell line; wrapped at spaces, at most four lines. */
  subtitle?: string;
  width?: number;
  height?: number;
}

export interface ReportChart {
  title: string;
  yLabel?: string;
  xIsTime?: boolean;
  series: ChartSeries[];
}

export interface ReportTable {
  title: string;
  columns: string[];
  rows: (string | number)[][];
}

/** A picture in the HTML report: PNG bytes in base64, or an SVG document inlined in the page (exactly one of them). */
export interface ReportImage {
  title: string;
  pngBase64?: string;
  svg?: string;
}

export interface HtmlReportOptions {
  title: string;
  subtitle?: string;
  summary: { label: string; value: string }[];
  charts: ReportChart[];
  tables?: ReportTable[];
  images?: ReportImage[];
}
