// "Did you mean …?" for unknown parameter names: the closest known name within a small
// edit distance.

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/** Unit suffixes of parameter names, for "stop_loss" → "stop_loss_bps". */
const UNIT_SUFFIXES = ['bps', 'pct', 'ms', 'seconds', 'hours', 'price', 'qty', 'bars'];

/**
 * The known name that is `name` plus a unit suffix ("stop_loss" → "stop_loss_bps"), else
 * the closest known name (case-insensitive) within 2 edits or a third of its length.
 */
export function closestName(name: string, known: Iterable<string>): string | null {
  const lower = name.toLowerCase();
  const names = [...known];
  for (const suffix of UNIT_SUFFIXES) {
    const hit = names.find((k) => k.toLowerCase() === `${lower}_${suffix}`);
    if (hit !== undefined) return hit;
  }
  const limit = Math.max(2, Math.floor(name.length / 3));
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const k of names) {
    const d = editDistance(lower, k.toLowerCase());
    if (d < bestDistance) { best = k; bestDistance = d; }
  }
  return bestDistance <= limit ? best : null;
}
