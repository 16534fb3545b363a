// Counts WebAssembly instantiations in this thread. Imported first by the sweep
// worker, so it wraps WebAssembly.Instance (the one way src/wasm/load.ts creates
// the core) before any engine module can create an instance; the worker reports
// the count with every result, which shows each worker loads the core once, not
// once per task.
let instances = 0;

WebAssembly.Instance = new Proxy(WebAssembly.Instance, {
  construct(target, args, newTarget): object {
    instances++;
    return Reflect.construct(target, args, newTarget) as object;
  },
});

export function wasmInstances(): number {
  return instances;
}
