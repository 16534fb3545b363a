// The cluster's ground: a real nats-server with JetStream, started by the tests on a free
// loopback port. Its KV bucket gives leases (create refuses a taken key, update needs the
// last revision, entries expire with the bucket's TTL) and what it stores survives a restart.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Kvm } from '@nats-io/kv';
import { describeNats, startNats, type NatsServer } from './support/nats.js';
import { sleep } from './support/wait.js';

describeNats('nats-server with JetStream', () => {
  let srv: NatsServer;
  let nc: NatsConnection;
  beforeAll(async () => { srv = await startNats(); nc = await connect({ servers: srv.url }); });
  afterAll(async () => { await nc?.close(); await srv?.stop(); });

  it('KV create refuses a taken key, update checks the revision, entries expire with the TTL, data survives a restart', async () => {
    const kv = await new Kvm(nc).create('t_leases', { ttl: 1000, history: 1 });
    const rev = await kv.create('BTCUSDT', 'node-a');
    await expect(kv.create('BTCUSDT', 'node-b')).rejects.toThrow(/wrong last sequence/);
    await expect(kv.update('BTCUSDT', 'node-b', rev + 5)).rejects.toThrow(/wrong last sequence/);
    const rev2 = await kv.update('BTCUSDT', 'node-a', rev);
    expect(rev2).toBeGreaterThan(rev);
    await sleep(1600);
    expect(await kv.get('BTCUSDT')).toBeNull();
    const durable = await new Kvm(nc).create('t_durable', { history: 1 });
    await durable.put('k', 'v');
    await nc.close();
    await srv.kill();
    await srv.restart();
    nc = await connect({ servers: srv.url });
    const again = await new Kvm(nc).open('t_durable');
    expect((await again.get('k'))?.string()).toBe('v');
  }, 30_000);
});
