// placeholder until the quote ladder lands
export function quoteVersion(): i32 { return 1; }
