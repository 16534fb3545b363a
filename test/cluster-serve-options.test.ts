// serve's cluster flags: a bad value is a usage error (exit 2) before anything is
// opened or bound, naming the flag or its environment variable; a NATS server nobody
// answers on is exit 1 with a message that says how to start one. No nats-server needed.
import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseClusterOptions } from '../src/cluster/cluster-options.js';
import { requireDist, runCli } from './support/cli-process.js';
import { freePort } from './support/free-port.js';

describe('serve --cluster options', () => {
  it('parses the flags and their environment variables (the flag wins); no --cluster is one process', () => {
    expect(parseClusterOptions([], {})).toBeNull();
    expect(parseClusterOptions(['--cluster', 'nats://127.0.0.1:4222', '--node-id', 'n1'], {})).toEqual({ url: 'nats://127.0.0.1:4222', nodeId: 'n1', leaseTtlMs: 10_000 });
    expect(parseClusterOptions(['--node-id', 'n2'], { SPREADCORE_CLUSTER: 'nats://h:4222', SPREADCORE_NODE_ID: 'n1', SPREADCORE_LEASE_TTL_MS: '3000' }))
      .toEqual({ url: 'nats://h:4222', nodeId: 'n2', leaseTtlMs: 3000 });
    const c = ['--cluster', 'nats://h:4222', '--node-id', 'n1'];
    expect(parseClusterOptions([...c, '--md-publish'], {})).toEqual({ url: 'nats://h:4222', nodeId: 'n1', leaseTtlMs: 10_000, mdPublish: true });
    expect(parseClusterOptions(c, { SPREADCORE_MD_PUBLISH: '1' })?.mdPublish).toBe(true);
    expect(parseClusterOptions([...c, '--md-source', 'nats'], {})?.mdSource).toBe('nats');
    expect(parseClusterOptions(c, { SPREADCORE_MD_SOURCE: 'nats' })?.mdSource).toBe('nats');
    expect(parseClusterOptions([...c, '--md-source', 'local'], { SPREADCORE_MD_SOURCE: 'nats' })?.mdSource).toBeUndefined();
    expect(parseClusterOptions([...c, '--forward-timeout-ms', '800', '--cluster-daily-loss-limit', '250.5', '--cluster-event-exposure-limit', '40'], {}))
      .toEqual({ url: 'nats://h:4222', nodeId: 'n1', leaseTtlMs: 10_000, forwardTimeoutMs: 800, dailyLossLimit: 250.5, eventExposureLimit: 40 });
    expect(parseClusterOptions(c, { SPREADCORE_CLUSTER_DAILY_LOSS_LIMIT: '100', SPREADCORE_FORWARD_TIMEOUT_MS: '1500' }))
      .toEqual({ url: 'nats://h:4222', nodeId: 'n1', leaseTtlMs: 10_000, forwardTimeoutMs: 1500, dailyLossLimit: 100 });
  });

  it('refuses bad values with a usage error naming the flag or variable', () => {
    const bad = (args: string[], env: Record<string, string> = {}): string => {
      try { parseClusterOptions(args, env); } catch (e) { return (e as Error).message; }
      return 'no error';
    };
    expect(bad(['--cluster', 'http://x:4222', '--node-id', 'a'])).toMatch(/--cluster must be a NATS URL/);
    expect(bad(['--cluster', 'nats://x:4222'])).toMatch(/--cluster needs --node-id/);
    expect(bad(['--cluster', 'nats://x:4222', '--node-id', 'a b'])).toMatch(/--node-id must be 1-64 letters/);
    expect(bad(['--node-id', 'a'])).toMatch(/--node-id applies with --cluster only/);
    expect(bad(['--cluster', 'nats://x:4222', '--node-id', 'a', '--lease-ttl-ms', '10'])).toMatch(/--lease-ttl-ms must be an integer from 1000/);
    expect(bad(['--cluster', 'nats://x:4222', '--node-id', 'a'], { SPREADCORE_LEASE_TTL_MS: 'x' })).toMatch(/environment variable SPREADCORE_LEASE_TTL_MS/);
    expect(bad([], { SPREADCORE_CLUSTER: 'x' })).toMatch(/environment variable SPREADCORE_CLUSTER/);
    expect(bad(['--md-publish'])).toMatch(/--md-publish applies with --cluster only/);
    expect(bad(['--md-source', 'nats'])).toMatch(/--md-source applies with --cluster only/);
    expect(bad(['--cluster', 'nats://x:4222', '--node-id', 'a', '--md-source', 'kafka'])).toMatch(/--md-source must be nats or local/);
    expect(bad(['--cluster', 'nats://x:4222', '--node-id', 'a', '--md-source', 'nats', '--md-publish'])).toMatch(/does not go with --md-source nats/);
    expect(bad(['--cluster', 'nats://x:4222', '--node-id', 'a', '--md-source', 'nats', '--market', 'binance'])).toMatch(/leave out --market/);
    expect(bad(['--cluster-daily-loss-limit', '10'])).toMatch(/--cluster-daily-loss-limit applies with --cluster only/);
    expect(bad(['--cluster', 'nats://x:4222', '--node-id', 'a', '--cluster-daily-loss-limit', '-5'])).toMatch(/--cluster-daily-loss-limit must be a positive number/);
    expect(bad(['--cluster', 'nats://x:4222', '--node-id', 'a', '--cluster-event-exposure-limit', '0'])).toMatch(/--cluster-event-exposure-limit must be a positive number/);
    expect(bad(['--cluster', 'nats://x:4222', '--node-id', 'a', '--forward-timeout-ms', '5'])).toMatch(/--forward-timeout-ms must be an integer from 100/);
    expect(bad(['--cluster', 'nats://x:4222', '--node-id', 'a'], { SPREADCORE_FORWARD_TIMEOUT_MS: 'x' })).toMatch(/environment variable SPREADCORE_FORWARD_TIMEOUT_MS/);
    expect(bad(['--cluster', 'nats://x:4222', '--node-id', 'a'], { SPREADCORE_CLUSTER_EVENT_EXPOSURE_LIMIT: 'lots' })).toMatch(/environment variable SPREADCORE_CLUSTER_EVENT_EXPOSURE_LIMIT/);
  });

  it('spreadcore serve: exit 2 for a bad flag, exit 1 with how to start NATS when nobody answers', async () => {
    requireDist();
    const r2 = await runCli(['serve', '--port', '0', '--cluster', 'nats://127.0.0.1:1', '--node-id', 'bad id']);
    expect(r2.code).toBe(2);
    expect(r2.out).toMatch(/--node-id must be/);
    const port = await freePort();
    const dir = `/tmp/spreadcore-cluster-unreachable-${port}`;
    const r1 = await runCli(['serve', '--port', '0', '--data-dir', dir, '--cluster', `nats://127.0.0.1:${port}`, '--node-id', 'n1'], {}, 60_000);
    rmSync(dir, { recursive: true, force: true });
    expect(r1.code, r1.out).toBe(1);
    expect(r1.out).toMatch(/cannot reach NATS at nats:\/\/127\.0\.0\.1:\d+ .*nats-server -js/);
  }, 90_000);
});
