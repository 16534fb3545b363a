// The control methods the HTTP API calls, in cluster mode: the same answers, plus the
// cluster's part. load also stores the definition in the strategies bucket (every node
// loads it); start/stop/delete set the state the cluster wants (the node holding the
// market's lease acts on it); kill/resume write the kill switch key (every node halts
// or resumes). The original methods stay reachable for the cluster node itself.
import { SpreadcoreError } from '../errors.js';
import type { TradingEngine } from '../engine/trading-engine.js';
import type { ClusterNode } from './cluster-node.js';

export interface EngineOriginals {
  load: TradingEngine['load'];
  start: TradingEngine['start'];
  stop: TradingEngine['stop'];
  delete: TradingEngine['delete'];
  kill: TradingEngine['kill'];
  resumeTrading: TradingEngine['resumeTrading'];
  patchParameters: TradingEngine['patchParameters'];
}

function clusterBody(body: unknown): { symbol: string; def: Record<string, unknown> } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', 'the strategy must be a JSON object');
  const b = body as Record<string, unknown>;
  if (b['universe'] !== undefined) throw new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', 'in a cluster a strategy trades one market: a universe strategy is not supported (docs/cluster.md)');
  const syms = b['symbols'];
  if (!Array.isArray(syms) || syms.length !== 1 || typeof syms[0] !== 'string') {
    throw new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', 'in a cluster a strategy trades one market: give "symbols" with exactly one symbol (its lease decides which node runs it; docs/cluster.md)');
  }
  return { symbol: syms[0], def: { ...b } };
}

const report = (node: ClusterNode, what: string) => (e: unknown): void => { node.lastError = `${what}: ${e instanceof Error ? e.message : String(e)}`; };

export function installEngineHooks(eng: TradingEngine, node: ClusterNode): EngineOriginals {
  const orig: EngineOriginals = {
    load: eng.load.bind(eng), start: eng.start.bind(eng), stop: eng.stop.bind(eng), delete: eng.delete.bind(eng),
    kill: eng.kill.bind(eng), resumeTrading: eng.resumeTrading.bind(eng), patchParameters: eng.patchParameters.bind(eng),
  };
  const ownerOf = (symbol: string): string | null => {
    if (node.leases.held.has(symbol)) return node.cfg.nodeId;
    return node.leases.table.get(symbol)?.record.node_id ?? null;
  };
  const symbolOf = (id: string): string => {
    const s = node.strategies.all.get(id)?.symbol;
    if (s !== undefined) return s;
    const here = eng.list().find((x) => x.strategy_id === id);
    if (here === undefined) throw new SpreadcoreError('SPREADCORE_ERR_STRATEGY_NOT_FOUND', `no strategy ${JSON.stringify(id)}`);
    return here.symbols[0]!;
  };

  eng.load = (body) => {
    const { symbol, def } = clusterBody(body);
    const r = orig.load(body);
    node.strategies.put(r.strategy_id, symbol, def, 'loaded').catch(report(node, `storing ${r.strategy_id}`));
    return { ...r, cluster: { market: symbol, owner: ownerOf(symbol) } } as typeof r;
  };
  eng.start = (id) => {
    const symbol = symbolOf(id);
    node.strategies.setWanted(id, 'running').catch(report(node, `starting ${id}`));
    if (node.leases.usable(symbol)) return { ...orig.start(id), cluster: { market: symbol, owner: node.cfg.nodeId } } as ReturnType<typeof orig.start>;
    // another node runs the market: it starts the strategy at its next round
    const owner = ownerOf(symbol);
    return { ok: true, strategy_id: id, status: 'running', initial_quotes: { bid_levels: [], ask_levels: [] }, cluster: { market: symbol, owner, started_by: owner ?? 'the next node to take the market' } } as unknown as ReturnType<typeof orig.start>;
  };
  eng.stop = (id) => {
    const symbol = symbolOf(id);
    node.strategies.setWanted(id, 'stopped').catch(report(node, `stopping ${id}`));
    const st = eng.list().find((x) => x.strategy_id === id)?.status;
    if (st === 'running' || st === 'paused') return { ...orig.stop(id), cluster: { market: symbol, owner: ownerOf(symbol) } } as ReturnType<typeof orig.stop>;
    return { ok: true, strategy_id: id, status: 'stopped', final_state: { quotes_cancelled: 0, position: 0, unrealized_pnl: 0, realized_pnl: 0, total_pnl: 0 }, cluster: { market: symbol, owner: ownerOf(symbol), stopped_by: ownerOf(symbol) } } as unknown as ReturnType<typeof orig.stop>;
  };
  eng.delete = (id) => {
    const r = orig.delete(id);
    node.strategies.setWanted(id, 'deleted').catch(report(node, `deleting ${id}`));
    return r;
  };
  eng.patchParameters = (id, body) => {
    const r = orig.patchParameters(id, body);
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
      const patch = async (attempt: number): Promise<void> => {
        try {
          const seq = await node.strategies.patch(id, body as Record<string, unknown>);
          node.paramsApplied.set(id, seq);
        } catch (e) {
          if (attempt < 10 && /wrong last sequence/i.test(String(e))) return patch(attempt + 1);
          throw e;
        }
      };
      patch(0).catch(report(node, `storing the parameters of ${id}`));
    }
    return r;
  };
  eng.kill = (note = '') => {
    const r = orig.kill(note);
    node.kill.write('HALTED', note).catch(report(node, 'writing the kill switch'));
    return { ...r, cluster: { kill_switch: 'written' } } as typeof r;
  };
  eng.resumeTrading = (note = '') => {
    const r = orig.resumeTrading(note);
    node.kill.write('ACTIVE', note).catch(report(node, 'writing the kill switch'));
    return r;
  };
  return orig;
}
