// An instrument's price and quantity grids. Tick and lot sizes are decimal strings.
import { DecimalGrid } from '../numeric/decimal-grid.js';

export type InstrumentKind = 'spot' | 'perp' | 'binary';

export interface InstrumentSpec {
  symbol: string;
  tickSize: string;
  lotSize: string;
  kind?: InstrumentKind;
}

export class Instrument {
  readonly symbol: string;
  readonly kind: InstrumentKind;
  readonly price: DecimalGrid;
  readonly qty: DecimalGrid;

  constructor(spec: InstrumentSpec) {
    this.symbol = spec.symbol;
    this.kind = spec.kind ?? 'spot';
    this.price = new DecimalGrid(spec.tickSize);
    this.qty = new DecimalGrid(spec.lotSize);
  }

  get tickSize(): string { return this.price.step; }
  get lotSize(): string { return this.qty.step; }
}
