// The seed 003 regime table applied to the quote ladder: the multipliers, skew factor
// and size a regime calls for, as QuoteParams fields for WasmQuoter.update().
import type { QuoteParams } from '../../wasm/quote-api.js';
import type { StrategyParams } from './param-types.js';

export type MarketRegime = 'ranging' | 'trending_up' | 'trending_down' | 'high_volatility' | 'news';

export interface RegimeAdjustment {
  /** Stop quoting (news, with regime_news_pause). */
  readonly pause: boolean;
  readonly quote: Pick<QuoteParams, 'spreadMult' | 'bidSpreadMult' | 'askSpreadMult' | 'skewFactor' | 'sizeMult'>;
}

/**
 * Ranging (or regime_adjust off): the base parameters. Trending: the side against the
 * trend widens, a lighter skew, a smaller size. High volatility: both sides widen, a
 * heavier skew, half size. News: pause (or the high-volatility settings).
 */
export function regimeAdjustment(p: StrategyParams, regime: MarketRegime): RegimeAdjustment {
  const base = { spreadMult: p.spread_multiplier, bidSpreadMult: 1, askSpreadMult: 1, skewFactor: p.skew_factor, sizeMult: 1 };
  if (!p.regime_adjust || regime === 'ranging') return { pause: false, quote: base };
  if (regime === 'trending_up' || regime === 'trending_down') {
    const m = p.regime_trending_spread_multiplier;
    return {
      pause: false,
      quote: {
        ...base,
        bidSpreadMult: regime === 'trending_down' ? m : 1,
        askSpreadMult: regime === 'trending_up' ? m : 1,
        skewFactor: p.regime_trending_skew_factor,
        sizeMult: p.regime_trending_size_pct / 100,
      },
    };
  }
  const highVol = {
    ...base,
    spreadMult: p.spread_multiplier * p.regime_high_vol_spread_multiplier,
    skewFactor: p.regime_high_vol_skew_factor,
    sizeMult: p.regime_high_vol_size_pct / 100,
  };
  if (regime === 'news' && p.regime_news_pause) return { pause: true, quote: { ...highVol, sizeMult: 0 } };
  return { pause: false, quote: highVol };
}
