// Address arithmetic for book regions. Everything here is @inline and unchecked:
// callers validate the book index and side once at the API boundary.
import {
  BOOKS_OFFSET, BOOK_BYTES, BOOK_BID_OFFSET, BOOK_ASK_OFFSET,
  SIDE_QTY_OFFSET, SIDE_L0_OFFSET, SIDE_L1_OFFSET, SIDE_OVF_OFFSET,
} from '../layout';

@inline export function bookPtr(book: i32): usize {
  return <usize>BOOKS_OFFSET + <usize>book * <usize>BOOK_BYTES;
}
@inline export function sidePtr(book: i32, side: i32): usize {
  return bookPtr(book) + <usize>(side == 0 ? BOOK_BID_OFFSET : BOOK_ASK_OFFSET);
}
@inline export function qtyPtr(sp: usize): usize { return sp + <usize>SIDE_QTY_OFFSET; }
@inline export function l0Ptr(sp: usize): usize { return sp + <usize>SIDE_L0_OFFSET; }
@inline export function l1Ptr(sp: usize): usize { return sp + <usize>SIDE_L1_OFFSET; }
@inline export function ovfPtr(sp: usize): usize { return sp + <usize>SIDE_OVF_OFFSET; }
