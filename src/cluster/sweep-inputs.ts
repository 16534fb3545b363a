// A distributed sweep's inputs in the JetStream object store, named by the SHA-256 of
// their bytes (sha256-<hex>): the recording and the spec JSON. The coordinator stores
// each once (a sweep of the same recording again finds it there); a worker fetches
// them and checks the bytes against the name before it runs anything, so workers need
// no shared filesystem and never run a point on a recording other than the one asked.
import { createHash } from 'node:crypto';
import type { ObjectStore } from '@nats-io/obj';
import { SpreadcoreError } from '../errors.js';

export function contentName(bytes: Uint8Array): string {
  return `sha256-${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Stores bytes under their content name unless an object of that name is already there; returns the name. */
export async function putInput(store: ObjectStore, bytes: Uint8Array, description: string): Promise<string> {
  const name = contentName(bytes);
  const info = await store.info(name);
  if (info !== null && !info.deleted && info.size === bytes.length) return name;
  await store.putBlob({ name, description }, bytes);
  return name;
}

/** The object's bytes, checked against the SHA-256 its name states. */
export async function getInput(store: ObjectStore, name: string, what: string): Promise<Uint8Array> {
  const bytes = await store.getBlob(name);
  if (bytes === null) throw new SpreadcoreError('SPREADCORE_ERR_NOT_FOUND', `the sweep's ${what} ${name} is not in the object store`);
  const got = contentName(bytes);
  if (got !== name) throw new SpreadcoreError('SPREADCORE_ERR_IO', `the sweep's ${what} read from the object store does not match its hash: ${name} asked, ${got} read`);
  return bytes;
}
