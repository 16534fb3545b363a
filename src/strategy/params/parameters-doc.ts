// renderParametersDoc(): docs/parameters.md, generated from the parameter table, the
// aliases and the cross-field rules. A test checks the committed file matches.
import { PARAM_SPECS } from './param-table.js';
import { CROSS_FIELD_RULES } from './cross-field-rules.js';
import { boundsText } from './read-param-input.js';
import type { ParamGroup, ParamSpec } from './param-types.js';

const GROUP_TITLES: Readonly<Record<ParamGroup, string>> = {
  model: 'Quote model and fair value',
  spread: 'Spread',
  levels: 'Levels and sizes',
  inventory: 'Inventory limits',
  skew: 'Inventory skew',
  regime: 'Market regimes (seed 003 table)',
  refresh: 'Quote refresh',
  risk: 'Risk: stop-loss and volatility pause',
  adverse_selection: 'Adverse selection',
  fees: 'Fees',
  markets: 'Market selection (many binary markets)',
  execution: 'Execution',
};

const GROUP_ORDER: readonly ParamGroup[] = [
  'model', 'spread', 'levels', 'inventory', 'skew', 'regime', 'refresh', 'risk', 'adverse_selection', 'fees', 'markets', 'execution',
];

/** How each QuoteParams field of the WASM ladder is derived (toQuoteParams). */
const QUOTE_PARAMS_MAPPING: readonly (readonly [string, string])[] = [
  ['model', '`quote_model`'],
  ['levels', '`quote_levels`'],
  ['halfSpreadBps', '`spread_bps` / 2 (0 with a price spread)'],
  ['halfSpreadTicks', '`spread_price` / tick size / 2 (0 with a bps spread); 0.04 on a 0.01 tick → 2'],
  ['levelSpacingBps / levelSpacingTicks', '`level_spacing_bps`; when null, the half-spread (bps, or ticks for a price spread)'],
  ['orderSizeLot', '`order_size` / lot size, a whole number (0.001 on a 0.00001 lot → 100)'],
  ['levelSizesLot', '`level_sizes` / lot size'],
  ['maxPositionLot', '`max_position` / lot size'],
  ['softLimitLot', '(`inventory_skew_threshold` ?? `rebalance_threshold` ?? `max_position` / 2) / lot size'],
  ['skewMode', '`skew_mode`, or `none` when `inventory_skew` is false'],
  ['skewFactor', '`skew_factor`'],
  ['adjTicksPerLot', '`skew_price_per_unit` × lot size / tick size (0.001 per contract on a 0.01 tick → 0.1)'],
  ['stepLot / stepAdjTicks', '`skew_step_size` / lot size, `skew_step_price` / tick size'],
  ['softSpreadMult', '`inventory_spread_multiplier`'],
  ['minSpreadBps / maxSpreadBps', '`min_spread_bps` / `max_spread_bps` (null → 0, no bound)'],
  ['minSpreadTicks / maxSpreadTicks', '`min_spread_price` / `max_spread_price` / tick size (null → 0)'],
  ['spreadMult', '`spread_multiplier`; the strategy multiplies in the dynamic volatility and regime multipliers'],
  ['bidSpreadMult / askSpreadMult / extraShiftTicks / sizeMult', '1 / 1 / 0 / 1; set live from imbalance and regime'],
  ['postOnly', '`post_only`'],
  ['gamma / k / a / horizon', '`gamma` / `k` / `a` / `horizon_seconds`'],
  ['sigma', '`sigma_bps` / 1e4 × mid price (0 when null: set live from the volatility estimator)'],
  ['tickSize / lotSize', 'the instrument\'s'],
  ['minPriceTick / maxPriceTick', 'binary contracts: 0.01 and 0.99 in ticks; otherwise 0 (no bound)'],
  ['fairMode', '`fair_value`'],
];

/** Where the seeds disagree, and what this schema does about it. */
const SEED_NOTES: readonly string[] = [
  'Seed 004 calls `base_spread` 0.04 "4%" and also computes bid = 0.50 − 0.04 / 2 = 0.48 from it. Both hold for a $1 binary contract: 4% of the payout is 4 cents. It is taken as price units (`spread_price`), which reproduces every worked example (scenario 2: bid 0.454, ask 0.506). The same goes for `min_spread`, `max_spread`, `skew_price_adjustment_per_10` and `price_change_requote_threshold`. Reading it as a fraction of the current price instead (400 bps) would put the quotes at 0.49 / 0.51 at fair 0.50, which none of seed 004\'s examples show.',
  'Seed 001 writes `base_spread = 20  # bps` in a pseudocode fragment, while seeds 002 and 004 use `base_spread` in price units. `base_spread` follows seeds 002 / 004; a spread in bps is `spread_bps` (or `base_spread_bps`).',
  '`max_inventory` (seeds 001–004) and `max_position` (seed 000) are one parameter. Seed 004\'s `max_position_size` is given next to `max_inventory` with a larger value (30 / 50, 75 / 150), so it is a separate gross limit, `max_gross_position`.',
  'Seed 004 sets `inventory_skew_threshold` and `rebalance_threshold` together with different values (8 / 15, 15 / 30), so they cannot be one parameter: skewing starts beyond `inventory_skew_threshold`, and `rebalance_threshold` marks where an active reduction is due. Seed 002 defines `rebalance_threshold` as where price adjustment starts, so it serves as the soft limit when `inventory_skew_threshold` is not given.',
  'Seed 003 puts the soft limit at 50% of max, and that is the default. Seed 000\'s stream and seed 002\'s scenarios skew from the first fill; set `inventory_skew_threshold: 0` for that behaviour. Seed 002 also calls 50% of max_inventory "typical" for rebalance_threshold, which contradicts its own scenarios.',
  '`inventory_skew` is a boolean in seed 000 (on/off) and a number in seed 003 ("how much to skew", 0.5 / 0.3 / 1.0 by regime). A boolean sets `inventory_skew`; a number sets `skew_factor`.',
  '`skew_factor` has three scales in the seeds. Seed 000 (0.5, 0.8) is a fraction of the half-spread at full inventory, and that is the canonical meaning. Seed 001 (0.001) scales the price: its formula `bid *= (1 − skew)`, `ask *= (1 + skew)` moves the two sides apart instead of shifting them, although its comment says the prices should go down when long. Seed 003 writes `−inventory × skew_factor`, which is the per-unit style (`skew_price_per_unit`), but its table values (0.5 / 0.3 / 1.0) match seed 000\'s scale.',
  'Seed 002 says `inventory_adjustment_factor` 0.01 is "1 cent per contract", but its examples move 1 cent per 10 contracts (0.001 per contract). The value is taken as written, per contract.',
  'Seed 003 gives 10 bps as the default of `base_spread_bps`, and seed 001\'s parameter block shows `spread_bps: 20`. The default is 10.',
  'Seed 000 says a 0.1% maker fee means `min_spread_bps = 2`. 0.1% is 10 bps, so 2 × fee is 20 bps. Its trades (fee 0.05 on 0.001 BTC at ~50,000) confirm 10 bps, the default `maker_fee_bps`.',
  'Seed 000\'s Step 6 stream shows the quote moving from 49,990 / 50,010 to 49,988 / 50,012 after a buy: both sides move out by 2, which no skew style produces (a skew shifts both sides the same way). The factor skew moves both down instead: 49,988 / 50,008 at 0.004 BTC long with `inventory_skew_threshold: 0`.',
  'Seed 001\'s multi-level example lists per-level offsets (0.10%, 0.20%, 0.30%) and sizes (2.0, 1.5, 1.0). The ladder spaces levels evenly, so this is `spread_bps` 20 (half-spread 10 bps), `level_spacing_bps` 10 and `level_sizes` [2, 1.5, 1]. Uneven offsets cannot be expressed.',
  'Names in the seeds that are not strategy parameters are refused as unknown: `hedge_threshold` (seed 001; no hedging venue), `slippage`, `desired_profit` and `exchange_fee` (seed 001\'s break-even arithmetic), `timeframe` and `symbols` (fields of the strategy, not of its parameters), and the `target_position` / `aggression` of `reduce_inventory` (a request of its own). Seed 004\'s time-to-resolution and low-liquidity spread adjustments have no named parameters in the seed and are not part of this schema.',
];

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function typeText(s: ParamSpec): string {
  switch (s.type) {
    case 'enum': return `enum: ${s.values.map((v) => `\`${v}\``).join(', ')}`;
    case 'array': return 'array of numbers';
    case 'boolean': return 'boolean';
    default: return s.nullable ? `${s.type} or null` : s.type;
  }
}

function defaultText(s: ParamSpec): string {
  if (s.default === null) return '`null`';
  if (Array.isArray(s.default)) return `\`[${s.default.join(', ')}]\``;
  return `\`${String(s.default)}\``;
}

function boundsCell(s: ParamSpec): string {
  if (s.type === 'array') return `at most ${s.maxItems} items, each ${boundsText(s.items) ?? 'any'}`;
  if (s.type === 'number' || s.type === 'integer') return boundsText(s) ?? '—';
  return '—';
}

function aliasNames(s: ParamSpec): string {
  const names = (s.aliases ?? []).map((a) => `\`${a.name}\``);
  return names.length > 0 ? names.join(', ') : '—';
}

function seedsText(seeds: readonly string[]): string {
  return seeds.length > 0 ? seeds.join(', ') : '—';
}

export function renderParametersDoc(): string {
  const out: string[] = [];
  const line = (s = ''): void => { out.push(s); };

  line('# Strategy parameters');
  line();
  line('<!-- Generated from src/strategy/params/param-table.ts; do not edit by hand.');
  line('     Regenerate: npm run build:ts && node dist/src/strategy/params/write-parameters-doc.js -->');
  line();
  line('A strategy takes one parameter object. It is the `parameters` of `POST /api/strategy/load` and the body of');
  line('`PATCH /api/strategy/{id}/parameters` (seed 000). Names are snake_case and carry their unit: `_bps`, `_pct`,');
  line('`_ms`, `_seconds`, `_hours`, and `_price` for price units. The other names the seeds use are accepted as aliases.');
  line('The code is in `src/strategy/params/`: `validateParams`, `patchParams`, `toQuoteParams`, `configView`,');
  line('`regimeAdjustment`.');
  line();
  line('Units:');
  line();
  line('- **bps**: basis points (1/10,000) of the fair value, unless the unit says otherwise.');
  line('- **price**: quote currency per unit of the instrument, e.g. USDT per BTC, or dollars per contract of a $1 binary');
  line('  contract (so 0.04 is 4 cents).');
  line('- **quantity**: base units (BTC) or contracts. Quote sizes must be whole lots of the instrument.');
  line('- **null**: accepted only where the default is null or the description gives null a meaning.');
  line();
  line('## Validation');
  line();
  line('`validateParams(input, { instrument })` returns the complete parameters with defaults filled in, or throws a');
  line('`ParameterError` (code `SPREADCORE_ERR_BAD_PARAM`). The error lists every problem, separated by "; ", and each');
  line('problem names the field the way the input wrote it, for example');
  line('`target_spread (alias of spread_price) must be > 0, got 0`. These are refused:');
  line();
  line('- unknown names, with the closest known name suggested;');
  line('- the keys `__proto__`, `constructor` and `prototype`;');
  line('- a value of the wrong JSON type: the string `"4.0"` where a number is expected, an array where a scalar is');
  line('  expected, `1` where a boolean is expected;');
  line('- NaN or ±Infinity, values out of bounds, and non-integers for integer parameters;');
  line('- two names for one parameter with different values (`max_position` 5 with `max_inventory` 6). The same value');
  line('  twice is accepted;');
  line('- two different spreads (`spread_bps` with `target_spread`);');
  line('- two skew styles without `skew_mode`;');
  line('- anything that breaks a cross-field rule (below).');
  line();
  line('With an instrument, `order_size` and each entry of `level_sizes` must also be a whole number of lots, and');
  line('`spread_price` must be at least one tick. Quantities and prices are checked on their decimal form');
  line('(0.001 on a 0.00001 lot is exactly 100 lots), never by dividing doubles.');
  line();
  line('## PATCH and the audit trail');
  line();
  line('`patchParams(current, partial, { instrument })` applies a partial object with the same checks. It returns:');
  line();
  line('- `next`: the new parameters;');
  line('- `changes`: an array of `{ field, old, new }` for every field that changed, in table order. This includes a field');
  line('  that a rule changed, e.g. `spread_bps` becoming null when `target_spread` is set, or `skew_mode` following the');
  line('  skew parameter given;');
  line('- `updatedParameters`: the request\'s own keys with their new values, in the request\'s units. This is seed 000\'s');
  line('  `updated_parameters`.');
  line();
  line('A rejected patch throws and changes nothing. `current` is never modified, and patching any parameters with');
  line('themselves changes nothing. Setting one spread clears the other. Setting a skew parameter without `skew_mode`');
  line('selects that parameter\'s style.');
  line();
  line('## Parameters');
  for (const group of GROUP_ORDER) {
    const specs = PARAM_SPECS.filter((s) => s.group === group);
    if (specs.length === 0) continue;
    line();
    line(`### ${GROUP_TITLES[group]}`);
    line();
    line('| parameter | type | unit | default | bounds | aliases | seeds |');
    line('|---|---|---|---|---|---|---|');
    for (const s of specs) {
      line(`| \`${s.name}\` | ${cell(typeText(s))} | ${cell(s.unit)} | ${defaultText(s)} | ${cell(boundsCell(s))} | ${aliasNames(s)} | ${seedsText(s.seeds)} |`);
    }
    line();
    for (const s of specs) line(`- \`${s.name}\`: ${s.description}`);
  }
  line();
  line('## Aliases');
  line();
  line('| alias | parameter | conversion | seeds | mapping |');
  line('|---|---|---|---|---|');
  for (const s of PARAM_SPECS) {
    for (const a of s.aliases ?? []) {
      const parts: string[] = [];
      parts.push(a.scale !== undefined && a.scale !== 1 ? `${s.name} = ${a.scale} × ${a.name}` : 'same value');
      if (a.whenType) parts.push(`only for a ${a.whenType} value`);
      for (const [f, v] of Object.entries(a.implies ?? {})) parts.push(`also sets ${f} = ${String(v)}`);
      line(`| \`${a.name}\` | \`${s.name}\` | ${cell(parts.join('; '))} | ${seedsText(a.seeds)} | ${cell(a.note)} |`);
    }
  }
  line();
  line('## Cross-field rules');
  line();
  line('These are checked on the complete parameters, after defaults (validate) or current values (PATCH) are filled');
  line('in. The error names the fields and says where each value came from, e.g.');
  line('`order_size 1 (default) must be <= max_inventory 0.5 (alias of max_position)`.');
  line();
  for (const r of CROSS_FIELD_RULES) line(`- ${r.text}`);
  line();
  line('## To the quote ladder');
  line();
  line('`toQuoteParams(params, instrument, midPrice?)` builds the WASM ladder\'s `QuoteParams` (docs/quote-models.md).');
  line('Prices are divided by the tick size and quantities by the lot size on their decimal forms. The result is exact');
  line('whenever it is a whole number, and fractional ticks are allowed for spreads and skews.');
  line();
  line('| QuoteParams | from |');
  line('|---|---|');
  for (const [field, from] of QUOTE_PARAMS_MAPPING) line(`| \`${field}\` | ${cell(from)} |`);
  line();
  line('`regimeAdjustment(params, regime)` returns the `spreadMult`, `bidSpreadMult`, `askSpreadMult`, `skewFactor` and');
  line('`sizeMult` for a regime (`ranging`, `trending_up`, `trending_down`, `high_volatility`, `news`), and whether to');
  line('pause. `configView(params)` returns seed 000\'s `config` object: `spread_bps`, `half_spread_bps`, `order_size`,');
  line('`max_position`, `quote_levels`.');
  line();
  line('## Where the seeds disagree');
  line();
  for (const n of SEED_NOTES) line(`- ${n}`);
  line();
  return out.join('\n');
}
