// Runs fn over items with at most `size` in flight; rethrows the first failure
// after every item has been tried.
export async function pool<T>(items: readonly T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const errors: unknown[] = [];
  await Promise.all(Array.from({ length: size }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
      try {
        await fn(item);
      } catch (e) {
        errors.push(e);
      }
    }
  }));
  if (errors.length > 0) throw errors[0];
}
