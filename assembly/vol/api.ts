export function volVersion(): i32 { return 1; }
