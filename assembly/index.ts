// The module's exports: the memory map constants, and the book, quote,
// volatility, frame and Monte-Carlo APIs. Only i32 and f64 cross this boundary.
export * from './layout';
export * from './book/api';
export * from './quote/api';
export * from './vol/api';
export * from './feed/frame-apply';
export * from './sim/monte-carlo';

/** First byte above AssemblyScript's static data; must be >= LAYOUT_END. */
export function heapBase(): i32 {
  return <i32>__heap_base;
}
