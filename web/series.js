// A bounded time series for uPlot: one x column (seconds) and N y columns (null =
// no value at that x). Rows older than windowSec behind the newest, or beyond maxRows,
// are dropped, so memory stays bounded however long the page runs. pushMerged() keeps
// live samples at one row per mergeSec (the latest values win), so hours of history
// and live updates fit in the same bounds.

export class Series {
  constructor(columns, { windowSec = 4 * 3600, maxRows = 20000 } = {}) {
    this.columns = columns;
    this.windowSec = windowSec;
    this.maxRows = maxRows;
    this.clear();
  }

  clear() {
    this.x = [];
    this.ys = this.columns.map(() => []);
    this.mergeable = false;
  }

  /** Like push, but overwrites the last row when it was also merged and is less than mergeSec older. */
  pushMerged(tSec, values, mergeSec = 1) {
    const n = this.x.length;
    if (this.mergeable && n > 0 && tSec - this.x[n - 1] < mergeSec) {
      for (let i = 0; i < this.ys.length; i++) {
        const v = values[i];
        this.ys[i][n - 1] = typeof v === 'number' && Number.isFinite(v) ? v : null;
      }
      return;
    }
    this.push(tSec, values);
    this.mergeable = true;
  }

  get length() { return this.x.length; }

  /** Appends a row at tSec (kept non-decreasing: an earlier time is moved up to the last one). */
  push(tSec, values) {
    const last = this.x.length > 0 ? this.x[this.x.length - 1] : -Infinity;
    this.x.push(tSec < last ? last : tSec);
    this.mergeable = false;
    for (let i = 0; i < this.ys.length; i++) {
      const v = values[i];
      this.ys[i].push(typeof v === 'number' && Number.isFinite(v) ? v : null);
    }
    this.trim();
  }

  trim() {
    const n = this.x.length;
    if (n === 0) return;
    const oldest = this.x[n - 1] - this.windowSec;
    let drop = 0;
    while (drop < n && this.x[drop] < oldest) drop++;
    drop = Math.max(drop, n - this.maxRows);
    if (drop > 0) {
      this.x.splice(0, drop);
      for (const y of this.ys) y.splice(0, drop);
    }
  }

  /** The oldest x held (seconds), or null. */
  first() { return this.x.length > 0 ? this.x[0] : null; }

  /** The columns as uPlot data: [x, ...ys]. */
  data() { return [this.x, ...this.ys]; }

  /** The last non-null value of column i. */
  lastValue(i) {
    const y = this.ys[i];
    for (let k = y.length - 1; k >= 0; k--) if (y[k] !== null) return y[k];
    return null;
  }
}
