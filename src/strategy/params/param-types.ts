// The canonical strategy parameters (snake_case, units in the names) and the shape of
// the declarative table that describes them (param-table.ts).
import type { QuoteModelName, FairModeName } from '../../wasm/quote-api.js';

export type SkewStyle = 'factor' | 'per_unit' | 'stepped';

/** One strategy's validated parameters. Quantities are in the instrument's base units, prices in its quote units. */
export interface StrategyParams {
  readonly quote_model: QuoteModelName;
  readonly fair_value_price: number | null;
  readonly fair_value: FairModeName;
  readonly fair_value_source: 'book' | 'event';
  readonly post_only: boolean;
  readonly spread_bps: number | null;
  readonly spread_price: number | null;
  readonly min_spread_bps: number | null;
  readonly max_spread_bps: number | null;
  readonly min_spread_price: number | null;
  readonly max_spread_price: number | null;
  readonly spread_multiplier: number;
  readonly dynamic_spread: boolean;
  readonly max_volatility_multiplier: number;
  readonly inventory_spread_multiplier: number;
  readonly imbalance_threshold: number | null;
  readonly imbalance_spread_adjust_pct: number;
  readonly imbalance_depth_levels: number;
  readonly quote_levels: number;
  readonly level_spacing_bps: number | null;
  readonly order_size: number;
  readonly level_sizes: readonly number[];
  readonly max_position: number;
  readonly max_gross_position: number | null;
  readonly inventory_skew_threshold: number | null;
  readonly rebalance_threshold: number | null;
  readonly inventory_skew: boolean;
  readonly skew_mode: SkewStyle;
  readonly skew_factor: number;
  readonly skew_price_per_unit: number;
  readonly skew_step_price: number;
  readonly skew_step_size: number;
  readonly regime_adjust: boolean;
  readonly regime_trending_spread_multiplier: number;
  readonly regime_trending_skew_factor: number;
  readonly regime_trending_size_pct: number;
  readonly regime_high_vol_spread_multiplier: number;
  readonly regime_high_vol_skew_factor: number;
  readonly regime_high_vol_size_pct: number;
  readonly regime_news_pause: boolean;
  readonly quote_refresh_ms: number;
  readonly update_freq_bars: number;
  readonly max_quote_age_seconds: number;
  readonly requote_threshold_price: number | null;
  readonly cancel_on_fill: boolean;
  readonly stop_loss_bps: number | null;
  readonly fee_model: 'bps' | 'kalshi' | 'kalshi_maker_fees' | 'polymarket';
  readonly polymarket_fee_rate: number;
  readonly polymarket_fee_exponent: number;
  readonly binary_stop_loss_price: number | null;
  readonly exit_max_slippage_bps: number;
  readonly binary_exit_max_slippage_price: number;
  readonly daily_loss_limit_pct: number | null;
  readonly capital: number;
  readonly pause_on_volatility: boolean;
  readonly volatility_threshold_bps: number;
  readonly volatility_window_seconds: number;
  readonly volume_spike_multiple: number | null;
  readonly volume_spike_window_seconds: number;
  readonly volume_baseline_seconds: number;
  readonly large_trade_qty: number | null;
  readonly adverse_selection_cooldown_ms: number;
  readonly maker_fee_bps: number;
  readonly taker_fee_bps: number;
  readonly max_markets: number;
  readonly min_liquidity: number | null;
  readonly max_time_to_resolution_hours: number | null;
  readonly resolution_tier_hours: readonly number[];
  readonly resolution_tier_multipliers: readonly number[];
  readonly forced_exit_hours: number;
  readonly forced_exit_min_position: number;
  readonly gamma: number;
  readonly k: number;
  readonly a: number;
  readonly sigma_bps: number | null;
  readonly horizon_seconds: number;
  readonly paper_mode: boolean;
}

export type ParamName = keyof StrategyParams;
export type ParamValue = number | boolean | string | null | readonly number[];
export type SeedId = '000' | '001' | '002' | '003' | '004';

export type ParamGroup =
  | 'model' | 'spread' | 'levels' | 'inventory' | 'skew' | 'regime'
  | 'refresh' | 'risk' | 'adverse_selection' | 'fees' | 'markets' | 'execution';

/** Another name a seed uses for a parameter. canonical value = alias value × scale. */
export interface AliasSpec {
  readonly name: string;
  readonly seeds: readonly SeedId[];
  /** canonical = alias × scale (default 1). Powers of ten and 2 only, so the conversion is exact. */
  readonly scale?: number;
  /** The name is an alias only for values of this JSON type (inventory_skew: a number is a skew factor). */
  readonly whenType?: 'number';
  /** Values the alias sets on other fields (skew_price_adjustment_per_10 → skew_step_size 10). */
  readonly implies?: Readonly<Partial<Record<ParamName, ParamValue>>>;
  /** How the alias maps, for docs/parameters.md. */
  readonly note: string;
}

interface SpecCommon {
  readonly unit: string;
  readonly group: ParamGroup;
  readonly description: string;
  readonly seeds: readonly SeedId[];
  readonly aliases?: readonly AliasSpec[];
}

export interface Bounds {
  readonly min?: number;
  readonly minExclusive?: boolean;
  readonly max?: number;
  readonly maxExclusive?: boolean;
}

export interface NumberSpec extends SpecCommon, Bounds {
  readonly type: 'number' | 'integer';
  readonly default: number | null;
  /** null is accepted (and means what the description says). */
  readonly nullable?: boolean;
}
/** A number parameter whose default has type T: nullable exactly when T includes null. */
export type NumberSpecOf<T extends number | null> = NumberSpec & { readonly default: T } &
  (null extends T ? { readonly nullable: true } : { readonly nullable?: false });
export interface BooleanSpec extends SpecCommon {
  readonly type: 'boolean';
  readonly default: boolean;
}
export interface EnumSpec<T extends string = string> extends SpecCommon {
  readonly type: 'enum';
  readonly values: readonly T[];
  readonly default: T;
}
export interface ArraySpec extends SpecCommon {
  readonly type: 'array';
  readonly default: readonly number[];
  readonly maxItems: number;
  /** Bounds of every item. */
  readonly items: Bounds;
}

export type SpecFor<T> =
  [T] extends [boolean] ? BooleanSpec
    : [T] extends [readonly number[]] ? ArraySpec
      : [T] extends [number | null] ? NumberSpecOf<T>
        : [T] extends [string] ? EnumSpec<T>
          : never;

/** The table: one entry per canonical parameter, in documentation order. */
export type ParamTable = { readonly [K in ParamName]: SpecFor<StrategyParams[K]> };

export type ParamSpec = (NumberSpec | BooleanSpec | EnumSpec | ArraySpec) & { readonly name: ParamName };
