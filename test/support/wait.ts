// Polling helpers for tests that wait on servers, sockets and child processes.
// Bounded: every wait has a timeout and fails with what it was waiting for.

export async function waitFor(what: string, cond: () => boolean, timeoutMs = 5000, pollMs = 2): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
