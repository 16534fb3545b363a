// Position and working orders per strategy and symbol, in lots, kept up to date by
// the order manager on every submit, fill and close. The risk gate reads it: pending
// orders count as exposure. Lookups do not allocate (nested maps, no string keys).

export class SymbolExposure {
  /** Net position from fills: bought − sold. */
  positionLot = 0;
  /** Unfilled quantity of open BUY / SELL orders (working or on their way). */
  openBuyLot = 0;
  openSellLot = 0;
  openOrders = 0;
}

export class StrategyExposure {
  private readonly byStrategy = new Map<string, Map<string, SymbolExposure>>();

  get(strategyId: string, symbol: string): SymbolExposure | undefined {
    return this.byStrategy.get(strategyId)?.get(symbol);
  }

  getOrCreate(strategyId: string, symbol: string): SymbolExposure {
    let m = this.byStrategy.get(strategyId);
    if (m === undefined) { m = new Map(); this.byStrategy.set(strategyId, m); }
    let e = m.get(symbol);
    if (e === undefined) { e = new SymbolExposure(); m.set(symbol, e); }
    return e;
  }

  /** Every (strategy, symbol) with its exposure (allocates: for views and tests). */
  entries(): { strategyId: string; symbol: string; exposure: SymbolExposure }[] {
    const out: { strategyId: string; symbol: string; exposure: SymbolExposure }[] = [];
    for (const [strategyId, m] of this.byStrategy) for (const [symbol, exposure] of m) out.push({ strategyId, symbol, exposure });
    return out;
  }
}
