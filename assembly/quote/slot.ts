// Address arithmetic for a quoter's parameter and output blocks. Unchecked:
// quoteCompute / quoteReset validate the slot once.
import { QUOTE_PARAMS_OFFSET, QUOTE_PARAM_SLOTS, QUOTE_OUT_OFFSET, QUOTE_OUT_SLOTS } from '../layout';

@inline export function paramPtr(slot: i32): usize {
  return <usize>QUOTE_PARAMS_OFFSET + ((<usize>slot * <usize>QUOTE_PARAM_SLOTS) << 3);
}
@inline export function outPtr(slot: i32): usize {
  return <usize>QUOTE_OUT_OFFSET + ((<usize>slot * <usize>QUOTE_OUT_SLOTS) << 3);
}
/** f64 slot idx of a block. */
@inline export function getSlot(block: usize, idx: i32): f64 {
  return load<f64>(block + (<usize>idx << 3));
}
@inline export function setSlot(block: usize, idx: i32, v: f64): void {
  store<f64>(block + (<usize>idx << 3), v);
}
