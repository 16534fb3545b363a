// Which live node runs a market: rendezvous (highest random weight) hashing. Every
// node computes the same answer from the same live list, and when a node joins or
// leaves only the markets it wins or held move.
import { createHash } from 'node:crypto';

function weight(node: string, market: string): number {
  return createHash('sha1').update(`${node}\u0000${market}`).digest().readUInt32BE(0);
}

/** The node that should own `market` among `nodes` (null when there is none). */
export function rendezvousOwner(market: string, nodes: readonly string[]): string | null {
  let best: string | null = null;
  let bestW = -1;
  for (const n of nodes) {
    const w = weight(n, market);
    if (w > bestW || (w === bestW && best !== null && n < best)) { best = n; bestW = w; }
  }
  return best;
}
