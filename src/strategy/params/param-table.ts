// The one parameter schema: every strategy parameter the seeds name, with its type,
// unit, default, bounds, description, the seeds it comes from and the seeds' other
// names for it. validate(), patch() and docs/parameters.md all read this table.
import type { ParamSpec, ParamTable, ParamName, AliasSpec, StrategyParams } from './param-types.js';

const PRICE = 'price';
const QTY = 'quantity';

export const PARAM_TABLE: ParamTable = {
  // ── model ──────────────────────────────────────────────────────────────────────
  quote_model: {
    type: 'enum', values: ['linear', 'avellaneda_stoikov', 'glft'], default: 'linear', unit: '—', group: 'model', seeds: ['001'],
    description: 'Quote model: `linear` is the seeds\' spread-around-fair ladder with inventory skew; `avellaneda_stoikov` and `glft` (Guéant–Lehalle–Fernandez-Tapia) compute the reservation price and spread from `gamma`, `k`, `a`, `sigma_bps` and `horizon_seconds` (docs/quote-models.md).',
  },
  fair_value: {
    type: 'enum', values: ['mid', 'microprice'], default: 'mid', unit: '—', group: 'model', seeds: ['000', '001'],
    description: 'Fair value the quotes centre on when the book supplies it: `mid` = (best bid + best ask) / 2, `microprice` = size-weighted (bid × askQty + ask × bidQty) / (bidQty + askQty).',
  },
  fair_value_price: {
    type: 'number', nullable: true, default: null, min: 0, minExclusive: true, unit: 'price units', group: 'model', seeds: ['004'],
    description: 'A fair value the trader sets (and PATCHes as the view changes) instead of the book\'s: quotes centre on it (seed 004 starts from the trader\'s own model, "fair 0.50"). Must lie on the tick grid of every symbol. null = `fair_value` from the book.',
  },
  fair_value_source: {
    type: 'enum', values: ['book', 'event'], default: 'book', unit: '—', group: 'model', seeds: ['004'],
    description: 'Where the fair value comes from when `fair_value_price` is null: `book` = the symbol\'s own book (`fair_value`); `event` = the mid of the other symbols of its event in the event map (`serve --event-map`, PUT /api/events/:id), each read in this symbol\'s direction (an `opposite` symbol\'s mid m counts as 1 − m) and averaged over those with a two-sided live book — e.g. a Polymarket leg quoting around Kalshi\'s mid for the same event (seed 004 Pattern 2/3). With no such book the leg pulls its quotes (`no_fair_value`).',
  },
  post_only: {
    type: 'boolean', default: true, unit: '—', group: 'model', seeds: ['000'],
    description: 'Quotes never cross or lock the book: a bid at or above the best ask moves to one tick below it, an ask at or below the best bid to one tick above it (seed 000: quote wider than the market to avoid immediate fills).',
  },

  // ── spread ─────────────────────────────────────────────────────────────────────
  spread_bps: {
    type: 'number', nullable: true, default: 10, min: 0, minExclusive: true, max: 10000, unit: 'bps of fair value (full spread)', group: 'spread', seeds: ['000', '001', '003'],
    description: 'Full quoted spread, ask − bid, in basis points of the fair value; each side sits half of it from the centre (seed 001: `spread = mid × spread_bps / 10000`). Exactly one of `spread_bps` and `spread_price` is set; giving one clears the other. Default 10 bps (seed 003).',
    aliases: [
      { name: 'base_spread_bps', seeds: ['003'], note: 'Same quantity and unit (seed 003: "Base spread in basis points").' },
      { name: 'half_spread_bps', seeds: ['000'], scale: 2, note: 'Seed 000\'s config echoes `half_spread_bps` = spread_bps / 2; as input it sets spread_bps = 2 × half_spread_bps.' },
    ],
  },
  spread_price: {
    type: 'number', nullable: true, default: null, min: 0, minExclusive: true, unit: `${PRICE} (full spread)`, group: 'spread', seeds: ['002', '004'],
    description: 'Full quoted spread in price units, for instruments quoted in absolute price steps such as binary contracts (seed 002: 0.04 on a $1 contract = bid 0.50 / ask 0.54 around 0.52). Exactly one of `spread_bps` and `spread_price` is set.',
    aliases: [
      { name: 'target_spread', seeds: ['002'], note: 'Same quantity: price units (seed 002: "Typical: 2-5 cents (0.02-0.05)").' },
      { name: 'base_spread', seeds: ['002', '004'], note: 'Seed 004 writes 0.04 as "4%", meaning 4% of the contract\'s $1 payout; its worked example (fair 0.50 → bid 0.48, ask 0.52) uses it as price units, so it maps 1:1 to spread_price. It is not a fraction of the current price: 0.04 at fair 0.50 is 800 bps of price, not 400.' },
    ],
  },
  min_spread_bps: {
    type: 'number', nullable: true, default: null, min: 0, max: 10000, unit: 'bps of fair value (full spread)', group: 'spread', seeds: ['000', '003'],
    description: 'Floor on the full spread after every multiplier; null = no floor. Seed 000: at least 2 × the maker fee to break even.',
  },
  max_spread_bps: {
    type: 'number', nullable: true, default: null, min: 0, minExclusive: true, max: 10000, unit: 'bps of fair value (full spread)', group: 'spread', seeds: ['003'],
    description: 'Ceiling on the full spread after every multiplier; null = no ceiling. When a floor is above a ceiling, the floor wins.',
  },
  min_spread_price: {
    type: 'number', nullable: true, default: null, min: 0, unit: `${PRICE} (full spread)`, group: 'spread', seeds: ['004'],
    description: 'Floor on the full spread in price units; null = none. Combines with `min_spread_bps` (the wider floor wins).',
    aliases: [{ name: 'min_spread', seeds: ['004'], note: 'Price units, like `base_spread` (seed 004: 0.03 "3%" of the $1 payout).' }],
  },
  max_spread_price: {
    type: 'number', nullable: true, default: null, min: 0, minExclusive: true, unit: `${PRICE} (full spread)`, group: 'spread', seeds: ['004'],
    description: 'Ceiling on the full spread in price units; null = none. Combines with `max_spread_bps` (the narrower ceiling wins).',
    aliases: [{ name: 'max_spread', seeds: ['004'], note: 'Price units, like `base_spread` (seed 004: 0.15 "15%").' }],
  },
  spread_multiplier: {
    type: 'number', default: 1, min: 1, max: 3, unit: '× half-spread', group: 'spread', seeds: ['003'],
    description: 'Fixed multiplier on the spread before the floor and ceiling (seed 003: "Multiplier based on volatility (1.0-3.0)"). The dynamic volatility multiplier and the regime multiplier apply on top of it.',
  },
  dynamic_spread: {
    type: 'boolean', default: false, unit: '—', group: 'spread', seeds: ['001', '002'],
    description: 'Scale the spread by current / average volatility (seed 001: `adjusted_spread = base_spread × current_volatility / avg_volatility`), bounded to [1, `max_volatility_multiplier`]. Current = the `volatility_window_seconds` reading, average = the long-horizon reading of the volatility estimator (docs/volatility.md).',
  },
  max_volatility_multiplier: {
    type: 'number', default: 3, min: 1, max: 10, unit: '×', group: 'spread', seeds: ['001', '003'],
    description: 'Upper bound of the dynamic volatility multiplier (seed 003: 1.0-3.0).',
  },
  inventory_spread_multiplier: {
    type: 'number', default: 1.3, min: 1, max: 10, unit: '× half-spread', group: 'spread', seeds: ['004'],
    description: 'With `skew_mode: stepped`, the spread is multiplied by this once |inventory| exceeds the soft limit (seed 004: "Inventory > 10, apply multiplier" 1.3, 0.04 → 0.052).',
  },
  imbalance_threshold: {
    type: 'number', nullable: true, default: null, min: 0, minExclusive: true, max: 1, maxExclusive: true, unit: 'imbalance (−1…1)', group: 'spread', seeds: ['001'],
    description: 'Book imbalance (bid depth − ask depth) / (bid depth + ask depth) beyond which the quotes lean (seed 001: 0.2, "more buyers → increase ask spread, decrease bid spread"); null = off.',
  },
  imbalance_spread_adjust_pct: {
    type: 'number', default: 25, min: 0, max: 100, maxExclusive: true, unit: '% of half-spread', group: 'spread', seeds: ['001'],
    description: 'When imbalance > threshold the ask half-spread grows and the bid half-spread shrinks by this percentage (mirrored when imbalance < −threshold).',
  },
  imbalance_depth_levels: {
    type: 'integer', default: 5, min: 1, max: 1000, unit: 'book levels per side', group: 'spread', seeds: ['000', '001'],
    description: 'Book levels per side summed into the imbalance depths (seed 000 reads depth with `limit=5`).',
  },

  // ── levels ─────────────────────────────────────────────────────────────────────
  quote_levels: {
    type: 'integer', default: 1, min: 1, max: 32, unit: 'levels per side', group: 'levels', seeds: ['000', '001'],
    description: 'Quote levels on each side (seed 000: 3).',
  },
  level_spacing_bps: {
    type: 'number', nullable: true, default: null, min: 0, max: 10000, unit: 'bps of fair value', group: 'levels', seeds: ['000', '001'],
    description: 'Distance between adjacent levels of a side. null = the half-spread (seed 000: spread 4 bps → 2 bps spacing; seed 001: offsets 0.10%, 0.20%, 0.30%). Levels are always at least one tick apart.',
  },
  order_size: {
    type: 'number', default: 1, min: 0, minExclusive: true, unit: QTY, group: 'levels', seeds: ['000', '001', '002', '004'],
    description: 'Size of each quote (every level without its own size in `level_sizes`). Must be a whole number of lots. Seed 000: 0.001 BTC; seed 001: 1.0.',
    aliases: [{ name: 'quote_size', seeds: ['004'], note: 'Same quantity: contracts per quote.' }],
  },
  level_sizes: {
    type: 'array', default: [], maxItems: 32, items: { min: 0, minExclusive: true }, unit: `${QTY} per level`, group: 'levels', seeds: ['001'],
    description: 'Per-level sizes, best level first (seed 001: 2.0, 1.5, 1.0); levels beyond the list use `order_size`. At most `quote_levels` entries, each a whole number of lots and ≤ `max_position`.',
  },

  // ── inventory ──────────────────────────────────────────────────────────────────
  max_position: {
    type: 'number', default: 10, min: 0, minExclusive: true, unit: QTY, group: 'inventory', seeds: ['000', '001', '002', '003', '004'],
    description: 'Hard limit on net inventory, long or short: no bids at +max, no asks at −max, and sizes are trimmed so a fill never crosses it (seed 001: 10).',
    aliases: [{ name: 'max_inventory', seeds: ['001', '002', '003', '004'], note: 'Same quantity: the net position limit (seed 000 calls it max_position, "Maximum inventory (long or short)").' }],
  },
  max_gross_position: {
    type: 'number', nullable: true, default: null, min: 0, minExclusive: true, unit: QTY, group: 'inventory', seeds: ['004'],
    description: 'Cap on gross exposure, long and short legs added (for a binary market: YES + NO contracts held); null = no cap beyond `max_position`. At least `max_position`.',
    aliases: [{ name: 'max_position_size', seeds: ['004'], note: 'Seed 004 sets it together with max_inventory and larger (30 / 50, 75 / 150), so it is a separate, gross limit, not another name for max_position.' }],
  },
  inventory_skew_threshold: {
    type: 'number', nullable: true, default: null, min: 0, unit: QTY, group: 'inventory', seeds: ['003', '004'],
    description: 'Soft limit: inventory skew (and the stepped spread multiplier) applies only while |inventory| exceeds it. null = `rebalance_threshold` if set, else 50% of `max_position` (seed 003: "Soft limit: start skewing at 50% of max"). 0 skews from the first unit.',
  },
  rebalance_threshold: {
    type: 'number', nullable: true, default: null, min: 0, unit: QTY, group: 'inventory', seeds: ['002', '004'],
    description: 'Inventory beyond which rebalancing is due. Seed 002: where price adjustment starts, so it is the soft limit when `inventory_skew_threshold` is not set. Seed 004 sets both: skewing starts at `inventory_skew_threshold` and beyond `rebalance_threshold` an active reduction (an exit order) is due. null = none.',
  },

  // ── skew ───────────────────────────────────────────────────────────────────────
  inventory_skew: {
    type: 'boolean', default: true, unit: '—', group: 'skew', seeds: ['000', '003'],
    description: 'Shift quotes against the inventory (seed 000: `inventory_skew: true`). false quotes symmetrically whatever the inventory.',
  },
  skew_mode: {
    type: 'enum', values: ['factor', 'per_unit', 'stepped'], default: 'factor', unit: '—', group: 'skew', seeds: ['000', '002', '004'],
    description: 'How the inventory moves the quote centre (linear model): `factor` −(q / max_position) × skew_factor × half-spread (seeds 000, 001, 003); `per_unit` −q × skew_price_per_unit (seed 002); `stepped` −sign(q) × floor(|q| / skew_step_size) × skew_step_price (seed 004). When not given, it follows the style of the skew parameter given (giving two styles without skew_mode is an error).',
  },
  skew_factor: {
    type: 'number', default: 0.5, min: 0, max: 10, unit: 'fraction of half-spread at full inventory', group: 'skew', seeds: ['000', '001', '003'],
    description: 'Factor skew: at |inventory| = max_position the centre moves by skew_factor × half-spread (seed 000: 0.5 default, 0.8 to skew harder). Seed 001\'s skew_factor (0.001) scales the price instead, so its values are not comparable: 0.001 of price at full inventory with a 20 bps spread is skew_factor 1.0 here.',
    aliases: [{ name: 'inventory_skew', seeds: ['003'], whenType: 'number', note: 'Seed 003 uses inventory_skew as a number ("How much to skew quotes", 0.5 / 0.3 / 1.0 by regime): a number for inventory_skew sets skew_factor; a boolean is the on/off switch of seed 000.' }],
  },
  skew_price_per_unit: {
    type: 'number', default: 0, min: 0, unit: `${PRICE} per unit of inventory`, group: 'skew', seeds: ['002'],
    description: 'Per-unit skew: the centre moves this many price units per unit of inventory.',
    aliases: [
      { name: 'inventory_adjustment_factor', seeds: ['002'], note: 'Price units per contract. Seed 002 says 0.01 = "1 cent per contract" but its examples move 1 cent per 10 contracts, which is 0.001; the number is taken as written, per contract.' },
      { name: 'adjustment_factor', seeds: ['002'], note: 'Seed 002\'s short name for inventory_adjustment_factor.' },
    ],
  },
  skew_step_price: {
    type: 'number', default: 0, min: 0, unit: `${PRICE} per step`, group: 'skew', seeds: ['004'],
    description: 'Stepped skew: the centre moves this much per whole `skew_step_size` of inventory (seed 004: 25 contracts = 2 steps of 10 → 0.02).',
    aliases: [{ name: 'skew_price_adjustment_per_10', seeds: ['004'], implies: { skew_step_size: 10 }, note: 'Price units per 10 contracts (seed 004: 0.01 "1%" of the $1 payout); also sets skew_step_size 10.' }],
  },
  skew_step_size: {
    type: 'number', default: 10, min: 0, minExclusive: true, unit: QTY, group: 'skew', seeds: ['004'],
    description: 'Inventory per step of the stepped skew (seed 004: 10).',
  },

  // ── regime ─────────────────────────────────────────────────────────────────────
  regime_adjust: {
    type: 'boolean', default: false, unit: '—', group: 'regime', seeds: ['003'],
    description: 'Apply the seed 003 regime table below. Ranging / normal markets use the base parameters (spread_multiplier, skew_factor, 100% size).',
  },
  regime_trending_spread_multiplier: {
    type: 'number', default: 1.5, min: 1, max: 10, unit: '× half-spread', group: 'regime', seeds: ['003'],
    description: 'Trending markets: the side against the trend (the ask when trending up, the bid when trending down) widens by this (seed 003: 1.5×, "widen spread on ask side").',
  },
  regime_trending_skew_factor: {
    type: 'number', default: 0.3, min: 0, max: 10, unit: 'fraction of half-spread', group: 'regime', seeds: ['003'],
    description: 'skew_factor while trending (seed 003: 0.3, "reduce inventory skew").',
  },
  regime_trending_size_pct: {
    type: 'number', default: 80, min: 0, max: 100, unit: '% of order_size', group: 'regime', seeds: ['003'],
    description: 'Quote size while trending (seed 003: 80%).',
  },
  regime_high_vol_spread_multiplier: {
    type: 'number', default: 2, min: 1, max: 10, unit: '× half-spread', group: 'regime', seeds: ['003'],
    description: 'High volatility: both sides widen by this (seed 003: 2.0-3.0×).',
  },
  regime_high_vol_skew_factor: {
    type: 'number', default: 1, min: 0, max: 10, unit: 'fraction of half-spread', group: 'regime', seeds: ['003'],
    description: 'skew_factor in high volatility (seed 003: 1.0).',
  },
  regime_high_vol_size_pct: {
    type: 'number', default: 50, min: 0, max: 100, unit: '% of order_size', group: 'regime', seeds: ['003'],
    description: 'Quote size in high volatility (seed 003: 50%).',
  },
  regime_news_pause: {
    type: 'boolean', default: true, unit: '—', group: 'regime', seeds: ['003'],
    description: 'News regime: stop quoting (seed 003: "News Event: Pause, 0%"). false quotes at the high-volatility settings instead.',
  },

  // ── refresh ────────────────────────────────────────────────────────────────────
  quote_refresh_ms: {
    type: 'integer', default: 1000, min: 10, max: 3_600_000, unit: 'ms', group: 'refresh', seeds: ['003'],
    description: 'Quotes are recomputed and re-sent at least this often (seed 003: "How often to update quotes").',
  },
  update_freq_bars: {
    type: 'integer', default: 1, min: 1, max: 100_000, unit: 'bars', group: 'refresh', seeds: ['001'],
    description: 'When the strategy runs on bars (a backtest over OHLC data), requote every this many bars (seed 001: 1).',
    aliases: [{ name: 'update_freq', seeds: ['001'], note: 'Same quantity: "Update orders every N bars".' }],
  },
  max_quote_age_seconds: {
    type: 'number', default: 30, min: 0, minExclusive: true, max: 86_400, unit: 's', group: 'refresh', seeds: ['004'],
    description: 'A quote resting longer than this is cancelled and re-quoted (seed 004: 30, 5 for high frequency).',
  },
  requote_threshold_price: {
    type: 'number', nullable: true, default: null, min: 0, minExclusive: true, unit: PRICE, group: 'refresh', seeds: ['004'],
    description: 'Cancel and re-quote when the fair value moves more than this since the quotes were placed (seed 004: 0.02 on a $1 contract); also the order diff\'s tolerance: at a refresh a quote within this of its new price keeps its queue place. null = no price-move trigger, and the tolerance is half each level\'s distance from the fair value (seed 000: 1, 2 and 3 bps for its 2, 4 and 6 bps levels; one tick at level 1 of a 4-cent binary spread), so an unchanged ladder sends nothing (docs/strategy.md, Requote rules).',
    aliases: [{ name: 'price_change_requote_threshold', seeds: ['004'], note: 'Price units (seed 004: 0.01 "1%" of the $1 payout; its check is `abs(current_price − last_price) > 0.02`).' }],
  },
  cancel_on_fill: {
    type: 'boolean', default: false, unit: '—', group: 'refresh', seeds: ['003'],
    description: 'On a fill, cancel the opposite side\'s quotes until the next requote (seed 003).',
  },

  // ── risk ───────────────────────────────────────────────────────────────────────
  stop_loss_bps: {
    type: 'number', nullable: true, default: 200, min: 0, minExclusive: true, max: 10000, unit: 'bps of position value', group: 'risk', seeds: ['000', '003'],
    description: 'Close the position when its unrealized loss exceeds this share of its value (seed 000: 50 = 0.5%; seed 003: 2-3%, default 200 = 2%); null = no per-symbol stop.',
  },
  binary_stop_loss_price: {
    type: 'number', nullable: true, default: 0.1, min: 0, minExclusive: true, max: 1, unit: 'price units per contract', group: 'risk', seeds: ['004'],
    description: 'Binary contracts: close the position when the mid has moved this far against its average entry (default 0.10 = 10 cents of a $1 payout); '
      + 'stop_loss_bps does not apply to them, since a one-cent spread is already hundreds of bps of a low price. null = no per-symbol stop.',
  },
  exit_max_slippage_bps: {
    type: 'number', default: 50, min: 0, max: 10000, unit: 'bps of the mid', group: 'risk', seeds: [],
    description: 'Stop-loss flattens and forced exits are IOC limit orders no worse than the mid by this much (never a market order); what does not fill is retried at the next book update.',
  },
  binary_exit_max_slippage_price: {
    type: 'number', default: 0.03, min: 0, max: 1, unit: 'price units per contract', group: 'risk', seeds: ['004'],
    description: 'Binary contracts: the exit limit of stop-loss flattens and forced exits, in price units from the mid (default 3 cents).',
  },
  daily_loss_limit_pct: {
    type: 'number', nullable: true, default: 5, min: 0, minExclusive: true, max: 100, unit: '% of capital', group: 'risk', seeds: ['003'],
    description: 'Stop trading for the day when the day\'s loss (realized + unrealized) exceeds this share of `capital` (seed 003: 5%); null = none.',
  },
  capital: {
    type: 'number', default: 10_000, min: 0, minExclusive: true, unit: 'quote currency', group: 'risk', seeds: ['001', '003'],
    description: 'Capital allocated to the strategy, the base of `daily_loss_limit_pct` (seed 001: 10000).',
  },
  pause_on_volatility: {
    type: 'boolean', default: false, unit: '—', group: 'risk', seeds: ['000', '003'],
    description: 'Stop quoting while volatility over `volatility_window_seconds` exceeds `volatility_threshold_bps` (a `volatility_pause` event).',
  },
  volatility_threshold_bps: {
    type: 'number', default: 100, min: 0, minExclusive: true, max: 10000, unit: 'bps over the volatility window', group: 'risk', seeds: ['000'],
    description: 'Volatility pause threshold: realized volatility of mid log returns over the window (seed 000: 100 = 1% over 1 minute; docs/volatility.md).',
    aliases: [{ name: 'volatility_threshold', seeds: ['000'], note: 'Same quantity and unit (seed 000: "Pause if 1-min volatility exceeds 1%" for 100.0).' }],
  },
  volatility_window_seconds: {
    type: 'number', default: 60, min: 0, minExclusive: true, max: 86_400, unit: 's', group: 'risk', seeds: ['000'],
    description: 'Window of the volatility reading the pause and the dynamic spread use (seed 000: 1 minute).',
  },

  // ── adverse selection ──────────────────────────────────────────────────────────
  volume_spike_multiple: {
    type: 'number', nullable: true, default: 3, min: 1, minExclusive: true, max: 1000, unit: '× average volume', group: 'adverse_selection', seeds: ['004'],
    description: 'Cancel quotes and pause for the cooldown when traded volume over `volume_spike_window_seconds` exceeds this multiple of its average over `volume_baseline_seconds` (seed 004: 3.0); null = off.',
  },
  volume_spike_window_seconds: {
    type: 'number', default: 60, min: 0, minExclusive: true, max: 86_400, unit: 's', group: 'adverse_selection', seeds: ['004'],
    description: 'Window of the "current volume" of the spike check. Shorter than `volume_baseline_seconds`.',
  },
  volume_baseline_seconds: {
    type: 'number', default: 3600, min: 0, minExclusive: true, max: 604_800, unit: 's', group: 'adverse_selection', seeds: ['004'],
    description: 'Span over which the average volume per window is taken.',
  },
  large_trade_qty: {
    type: 'number', nullable: true, default: null, min: 0, minExclusive: true, unit: QTY, group: 'adverse_selection', seeds: ['001'],
    description: 'A market trade at least this large cancels all quotes, waits `adverse_selection_cooldown_ms` and re-quotes (seed 001: "cancel orders quickly after large trades"); null = off.',
  },
  adverse_selection_cooldown_ms: {
    type: 'integer', default: 5000, min: 0, max: 3_600_000, unit: 'ms', group: 'adverse_selection', seeds: ['001'],
    description: 'Quiet period after a large trade or a volume spike before quoting again (seed 001: `wait(cooldown_period)`).',
  },

  // ── fees ───────────────────────────────────────────────────────────────────────
  maker_fee_bps: {
    type: 'number', default: 10, min: -100, max: 1000, unit: 'bps of notional', group: 'fees', seeds: ['000', '001'],
    description: 'Fee on passive fills, negative for a rebate (seed 000: 0.1% maker fee; its trades pay 0.05 on 0.001 BTC at ~50,000). The paper exchange charges the strategy this rate; when a definition does not give it, the venue\'s schedule fills it in (serve --maker-fee-bps, a backtest\'s top-level maker_fee_bps; default 10).',
    aliases: [
      { name: 'fee_rate_bps', seeds: ['000'], note: 'Seed 000: `min_spread_bps = 2 * fee_rate_bps` for the maker fee.' },
      { name: 'fee_bps', seeds: [], note: 'Shorthand for the maker fee, the one a market maker mostly pays.' },
    ],
  },
  fee_model: {
    type: 'enum', values: ['bps', 'kalshi', 'kalshi_maker_fees', 'polymarket'], default: 'bps', unit: '—', group: 'fees', seeds: ['004'],
    description: 'How the paper exchange charges the strategy\'s fills: `bps` (maker_fee_bps / taker_fee_bps of the notional), `kalshi` (Kalshi\'s quadratic fee 0.07·C·P·(1−P) on takers, rounded up to the cent; makers free), `kalshi_maker_fees` (also 0.0175·C·P·(1−P) on makers, for series that charge it), `polymarket` (takers C·rate·(P(1−P))^exponent with `polymarket_fee_rate` and `polymarket_fee_exponent`; makers free). Sources in docs/prediction-markets.md.',
  },
  polymarket_fee_rate: {
    type: 'number', default: 0, min: 0, max: 1, unit: 'fraction', group: 'fees', seeds: [],
    description: 'The Polymarket market\'s taker fee rate for `fee_model: polymarket` (e.g. 0.03).',
  },
  polymarket_fee_exponent: {
    type: 'integer', default: 1, min: 0, max: 16, unit: '—', group: 'fees', seeds: [],
    description: 'The Polymarket market\'s fee exponent for `fee_model: polymarket` (1 gives the P(1−P) curve).',
  },
  taker_fee_bps: {
    type: 'number', default: 10, min: -100, max: 1000, unit: 'bps of notional', group: 'fees', seeds: ['001'],
    description: 'Fee on aggressive fills (inventory reduction, stop-loss exits); seed 001: exchange fees 0.01-0.10%. Charged and defaulted like maker_fee_bps (serve --taker-fee-bps).',
  },

  // ── markets ────────────────────────────────────────────────────────────────────
  max_markets: {
    type: 'integer', default: 10, min: 1, max: 1000, unit: 'markets', group: 'markets', seeds: ['004'],
    description: 'Most markets quoted at once by one strategy scanning many (seed 004: 5 conservative, 15 aggressive, 25 high-frequency).',
  },
  min_liquidity: {
    type: 'number', nullable: true, default: null, min: 0, unit: 'quote currency', group: 'markets', seeds: ['004'],
    description: 'Skip markets with less liquidity than this (seed 004: $10,000 conservative, $3,000 aggressive); null = no filter.',
  },
  max_time_to_resolution_hours: {
    type: 'number', nullable: true, default: null, min: 0, minExclusive: true, unit: 'h', group: 'markets', seeds: ['004'],
    description: 'Skip binary markets resolving later than this (seed 004: 72 conservative, 168 aggressive); null = no limit.',
  },
  resolution_tier_hours: {
    type: 'array', default: [6], maxItems: 8, items: { min: 0, minExclusive: true }, unit: 'h', group: 'markets', seeds: ['004'],
    description: 'Binary contracts: hours before resolution at which the spread widens, one per tier (seed 004: "time multiplier (< 6h)"); with `resolution_tier_multipliers` of the same length. The tightest tier whose hours exceed the time left applies.',
  },
  resolution_tier_multipliers: {
    type: 'array', default: [2], maxItems: 8, items: { min: 1 }, unit: '× spread', group: 'markets', seeds: ['004'],
    description: 'Spread multiplier of each `resolution_tier_hours` tier (seed 004: 2.0 under 6 h).',
  },
  forced_exit_hours: {
    type: 'number', default: 0.5, min: 0, unit: 'h', group: 'markets', seeds: ['004'],
    description: 'Binary contracts: this close to resolution, quoting stops and the position is closed with protective exits (seed 004: "time_to_close < 0.5 … FORCE EXIT"); 0 = hold to resolution.',
  },
  forced_exit_min_position: {
    type: 'number', default: 5, min: 0, unit: 'contracts', group: 'markets', seeds: ['004'],
    description: 'The forced exit closes positions larger than this (seed 004: `abs(inventory.net_position) > 5`); smaller ones are held to resolution.',
  },

  // ── model constants ────────────────────────────────────────────────────────────
  gamma: {
    type: 'number', default: 0.1, min: 0, minExclusive: true, unit: 'per price unit per order_size', group: 'model', seeds: ['001'],
    description: 'Risk aversion γ of the avellaneda_stoikov and glft models (Avellaneda & Stoikov 2008 use 0.1). Inventory enters these models in units of `order_size`.',
  },
  k: {
    type: 'number', default: 1.5, min: 0, minExclusive: true, unit: 'per price unit', group: 'model', seeds: ['001'],
    description: 'Order-arrival decay k: fills arrive at A·exp(−k·δ) at distance δ from the mid (Avellaneda & Stoikov 2008 use 1.5).',
  },
  a: {
    type: 'number', default: 140, min: 0, minExclusive: true, unit: 'per second', group: 'model', seeds: ['001'],
    description: 'Order-arrival intensity A of the glft model (Avellaneda & Stoikov 2008 use 140).',
    aliases: [{ name: 'A', seeds: [], note: 'The papers\' symbol.' }],
  },
  sigma_bps: {
    type: 'number', nullable: true, default: null, min: 0, max: 10000, unit: 'bps of mid per √second', group: 'model', seeds: ['001'],
    description: 'Volatility σ for the avellaneda_stoikov and glft models; null = the live estimate from the volatility estimator. Converted to price units at the mid.',
  },
  horizon_seconds: {
    type: 'number', default: 60, min: 0, max: 31_536_000, unit: 's', group: 'model', seeds: ['001'],
    description: 'Time left T − t of the avellaneda_stoikov model (a binary contract passes its time to resolution instead). glft ignores it.',
  },

  // ── execution ──────────────────────────────────────────────────────────────────
  paper_mode: {
    type: 'boolean', default: true, unit: '—', group: 'execution', seeds: ['004'],
    description: 'Send the strategy\'s orders to the paper exchange even when a live venue is connected (seed 004: "Enable paper mode").',
  },
};

/** The table as a list, in documentation order. */
export const PARAM_SPECS: readonly ParamSpec[] = Object.freeze(
  (Object.keys(PARAM_TABLE) as ParamName[]).map((name) => Object.freeze({ ...PARAM_TABLE[name], name }) as ParamSpec),
);

export const SPEC_BY_NAME: ReadonlyMap<string, ParamSpec> = new Map(PARAM_SPECS.map((s) => [s.name, s]));

export interface AliasEntry { readonly alias: AliasSpec; readonly spec: ParamSpec }

/** Alias name → the aliases with that name (inventory_skew has one, for numbers only). */
export const ALIASES_BY_NAME: ReadonlyMap<string, readonly AliasEntry[]> = (() => {
  const m = new Map<string, AliasEntry[]>();
  for (const spec of PARAM_SPECS) {
    for (const alias of spec.aliases ?? []) {
      const list = m.get(alias.name) ?? [];
      list.push({ alias, spec });
      m.set(alias.name, list);
    }
  }
  return m;
})();

/** Canonical defaults (every parameter's default value), frozen. */
export const DEFAULT_PARAMS = Object.freeze(
  Object.fromEntries(PARAM_SPECS.map((s) => [s.name, Array.isArray(s.default) ? Object.freeze([...s.default]) : s.default])),
) as unknown as StrategyParams;
