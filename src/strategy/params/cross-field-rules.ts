// Rules between parameters, checked on the complete parameter set after defaults (or
// the current values, for a PATCH) are filled in. `text` is what docs/parameters.md
// lists; `check` returns a message or null.
import type { ParamName, StrategyParams } from './param-types.js';

/** Renders a parameter for a message: its name as given, its value, and where the value came from. */
export type ParamRef = (field: ParamName) => string;

export interface CrossFieldRule {
  readonly fields: readonly ParamName[];
  readonly text: string;
  readonly check: (p: StrategyParams, ref: ParamRef) => string | null;
}

function atMost(a: ParamName, b: ParamName, p: StrategyParams, ref: ParamRef): string | null {
  const x = p[a];
  const y = p[b];
  if (typeof x !== 'number' || typeof y !== 'number') return null;
  return x <= y ? null : `${ref(a)} must be <= ${ref(b)}`;
}

export const CROSS_FIELD_RULES: readonly CrossFieldRule[] = [
  {
    fields: ['spread_bps', 'spread_price'],
    text: 'Exactly one of `spread_bps` and `spread_price` is set. Giving one clears the other; giving both (under any names) is an error.',
    check: (p) => (p.spread_bps === null) === (p.spread_price === null)
      ? (p.spread_bps === null
        ? 'a spread is required: set spread_bps (bps of the fair value) or spread_price (price units; target_spread, base_spread)'
        : 'spread_bps and spread_price are both set: give one spread')
      : null,
  },
  {
    fields: ['min_spread_bps', 'max_spread_bps'],
    text: '`min_spread_bps` ≤ `max_spread_bps`.',
    check: (p, ref) => atMost('min_spread_bps', 'max_spread_bps', p, ref),
  },
  {
    fields: ['min_spread_price', 'max_spread_price'],
    text: '`min_spread_price` ≤ `max_spread_price`.',
    check: (p, ref) => atMost('min_spread_price', 'max_spread_price', p, ref),
  },
  {
    fields: ['spread_bps', 'min_spread_bps', 'max_spread_bps'],
    text: '`spread_bps` lies within [`min_spread_bps`, `max_spread_bps`] (each bound when set).',
    check: (p, ref) => atMost('min_spread_bps', 'spread_bps', p, ref) ?? atMost('spread_bps', 'max_spread_bps', p, ref),
  },
  {
    fields: ['spread_price', 'min_spread_price', 'max_spread_price'],
    text: '`spread_price` lies within [`min_spread_price`, `max_spread_price`] (each bound when set).',
    check: (p, ref) => atMost('min_spread_price', 'spread_price', p, ref) ?? atMost('spread_price', 'max_spread_price', p, ref),
  },
  {
    fields: ['order_size', 'max_position'],
    text: '`order_size` ≤ `max_position`.',
    check: (p, ref) => atMost('order_size', 'max_position', p, ref),
  },
  {
    fields: ['resolution_tier_hours', 'resolution_tier_multipliers'],
    text: '`resolution_tier_hours` and `resolution_tier_multipliers` have the same length.',
    check: (p, ref) => p.resolution_tier_hours.length === p.resolution_tier_multipliers.length
      ? null
      : `${ref('resolution_tier_hours')} has ${p.resolution_tier_hours.length} entries but ${ref('resolution_tier_multipliers')} has ${p.resolution_tier_multipliers.length}`,
  },
  {
    fields: ['level_sizes', 'quote_levels'],
    text: '`level_sizes` has at most `quote_levels` entries.',
    check: (p, ref) => p.level_sizes.length <= p.quote_levels
      ? null
      : `${ref('level_sizes')} has ${p.level_sizes.length} entries, more than ${ref('quote_levels')}`,
  },
  {
    fields: ['level_sizes', 'max_position'],
    text: 'Every entry of `level_sizes` ≤ `max_position`.',
    check: (p, ref) => {
      const i = p.level_sizes.findIndex((s) => s > p.max_position);
      return i < 0 ? null : `level_sizes[${i}] ${p.level_sizes[i]} must be <= ${ref('max_position')}`;
    },
  },
  {
    fields: ['max_position', 'max_gross_position'],
    text: '`max_gross_position` ≥ `max_position` when set.',
    check: (p, ref) => atMost('max_position', 'max_gross_position', p, ref),
  },
  {
    fields: ['inventory_skew_threshold', 'max_position'],
    text: '`inventory_skew_threshold` ≤ `max_position` (the soft limit is inside the hard one).',
    check: (p, ref) => atMost('inventory_skew_threshold', 'max_position', p, ref),
  },
  {
    fields: ['rebalance_threshold', 'max_position'],
    text: '`rebalance_threshold` ≤ `max_position`.',
    check: (p, ref) => atMost('rebalance_threshold', 'max_position', p, ref),
  },
  {
    fields: ['inventory_skew_threshold', 'rebalance_threshold'],
    text: '`inventory_skew_threshold` ≤ `rebalance_threshold` when both are set (skewing starts before a rebalance is due).',
    check: (p, ref) => atMost('inventory_skew_threshold', 'rebalance_threshold', p, ref),
  },
  {
    fields: ['volume_spike_window_seconds', 'volume_baseline_seconds'],
    text: '`volume_spike_window_seconds` < `volume_baseline_seconds`.',
    check: (p, ref) => p.volume_spike_window_seconds < p.volume_baseline_seconds
      ? null
      : `${ref('volume_spike_window_seconds')} must be < ${ref('volume_baseline_seconds')}`,
  },
];
