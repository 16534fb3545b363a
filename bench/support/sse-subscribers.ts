// Child process of the SSE fan-out benchmark: N EventSource-like subscribers of
// GET /api/stream over raw node:net sockets (HTTP/1.1, chunked transfer decoding,
// SSE frames split on blank lines). Per subscriber it counts events, remembers the
// first event id it saw and the id of every fill in arrival order, so the parent can
// check that each subscriber got every fill published after it joined, exactly once
// and in order. Answers over IPC: connect, progress, verify.
import { connect as netConnect, type Socket } from 'node:net';
import { answerIpc } from './child-ipc.js';

class Subscriber {
  status = 0;
  chunked = false;
  closed = false;
  firstId = -1;
  lastId = -1;
  events = 0;
  /** Events with id ≥ windowFrom. */
  inWindow = 0;
  readonly fills: number[] = [];
  private head = '';
  private inBody = false;
  private raw = '';
  /** Bytes left of the current chunk; -1: a size line is next; -2: the CRLF after a chunk is next. */
  private need = -1;
  private text = '';

  constructor(readonly socket: Socket, private readonly windowFrom: { id: number }) {}

  onData(buf: Buffer): void {
    let s = buf.toString('latin1');
    if (!this.inBody) {
      this.head += s;
      const end = this.head.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = this.head.slice(0, end).toLowerCase();
      this.status = Number(head.slice(9, 12));
      this.chunked = head.includes('\r\ntransfer-encoding: chunked');
      s = this.head.slice(end + 4);
      this.head = '';
      this.inBody = true;
    }
    if (this.chunked) this.dechunk(s); else this.text += s;
    this.frames();
  }

  private dechunk(s: string): void {
    const r = this.raw + s;
    let pos = 0;
    for (;;) {
      if (this.need === -1) {
        const eol = r.indexOf('\r\n', pos);
        if (eol < 0) break;
        const size = parseInt(r.slice(pos, eol), 16);
        pos = eol + 2;
        if (!(size > 0)) { this.closed = true; break; }
        this.need = size;
      } else if (this.need === -2) {
        if (r.length - pos < 2) break;
        pos += 2;
        this.need = -1;
      } else {
        const take = Math.min(this.need, r.length - pos);
        if (take === 0) break;
        this.text += r.slice(pos, pos + take);
        pos += take;
        this.need -= take;
        if (this.need === 0) this.need = -2;
      }
    }
    this.raw = r.slice(pos);
  }

  private frames(): void {
    const t = this.text;
    let p = 0;
    for (;;) {
      const end = t.indexOf('\n\n', p);
      if (end < 0) break;
      let f = t.slice(p, end);
      p = end + 2;
      while (f.charCodeAt(0) === 58 /* ':' comment */) {
        const nl = f.indexOf('\n');
        f = nl < 0 ? '' : f.slice(nl + 1);
      }
      if (!f.startsWith('id: ')) continue; // retry:, or a bare comment
      const nl = f.indexOf('\n');
      const id = Number(f.slice(4, nl));
      if (this.firstId < 0) this.firstId = id;
      this.lastId = id;
      this.events++;
      if (id >= this.windowFrom.id) this.inWindow++;
      if (f.startsWith('event: fill\n', nl + 1)) this.fills.push(id);
    }
    this.text = p === 0 ? t : t.slice(p);
  }
}

const subs: Subscriber[] = [];
const windowFrom = { id: Number.MAX_SAFE_INTEGER };

function open(port: number, path: string): Promise<Subscriber> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: '127.0.0.1', port });
    const sub = new Subscriber(socket, windowFrom);
    socket.setNoDelay(true);
    socket.once('connect', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\n\r\n`));
    let settled = false;
    socket.on('data', (b: Buffer) => {
      sub.onData(b);
      if (!settled && sub.status !== 0) { settled = true; if (sub.status === 200) resolve(sub); else reject(new Error(`subscriber got HTTP ${sub.status}`)); }
    });
    socket.on('error', (e) => { sub.closed = true; if (!settled) { settled = true; reject(e); } });
    socket.on('close', () => { sub.closed = true; });
  });
}

answerIpc({
  connect: async (a: { port: number; n: number; path: string }) => {
    for (let i = 0; i < a.n; i += 50) {
      const batch = await Promise.all(Array.from({ length: Math.min(50, a.n - i) }, () => open(a.port, a.path)));
      subs.push(...batch);
    }
    return { connected: subs.length, chunked: subs.every((s) => s.chunked) };
  },
  window: (fromId: number) => { windowFrom.id = fromId; return null; },
  /** The smallest last id seen by a live subscriber, and how many are closed. */
  progress: () => ({ minLastId: Math.min(...subs.filter((s) => !s.closed).map((s) => s.lastId)), closed: subs.filter((s) => s.closed).length }),
  /** Checks every subscriber's fills against the fill ids the hub published. */
  verify: (a: { fillIds: number[]; toId: number }) => {
    let ok = 0;
    let missing = 0;
    let duplicates = 0;
    let outOfOrder = 0;
    let checkedFills = 0;
    const inWindow: number[] = [];
    for (const s of subs) {
      const expected = a.fillIds.filter((id) => id >= s.firstId && id <= a.toId);
      const got = s.fills.filter((id) => id <= a.toId);
      checkedFills += expected.length;
      const seen = new Set<number>();
      let dup = 0;
      let ooo = 0;
      for (let i = 0; i < got.length; i++) {
        if (seen.has(got[i]!)) dup++;
        seen.add(got[i]!);
        if (i > 0 && got[i]! <= got[i - 1]!) ooo++;
      }
      let miss = 0;
      for (const id of expected) if (!seen.has(id)) miss++;
      missing += miss;
      duplicates += dup;
      outOfOrder += ooo;
      if (miss === 0 && dup === 0 && ooo === 0 && got.length === expected.length) ok++;
      inWindow.push(s.inWindow);
    }
    return { subscribers: subs.length, ok, missing, duplicates, outOfOrder, checkedFills, closed: subs.filter((s) => s.closed).length, inWindow, events: subs.reduce((x, s) => x + s.events, 0) };
  },
  cpu: () => process.cpuUsage(),
  close: () => { for (const s of subs) s.socket.destroy(); return null; },
});
