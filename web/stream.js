// The event stream (/api/stream, docs/sse.md) that reconnects by itself.
//
// Without a token: EventSource. The browser reconnects it (sending Last-Event-ID)
// after the server ends the stream or the connection drops; when it gives up (a
// non-200 answer, e.g. 503 while the server restarts) a new EventSource is opened
// after a backoff with ?last_event_id= so the resume point survives.
// With a token: EventSource cannot send headers, so the stream is read with fetch
// (Authorization and Last-Event-ID headers) and parsed here, with the same reconnects.
//
// onState(state, detail): 'connecting' | 'live' | 'reconnecting' | 'unauthorized' | 'stopped'.
// onEvent(name, data, id): every event, 'resync' included.
// onReopen(resumed): a connection opened again after a drop; resumed is false when the
// page had no event id to resume from (the events in between are lost: reload state).

export const STREAM_EVENTS = ['quote_update', 'fill', 'order', 'volatility_pause', 'risk', 'strategy_state', 'pnl', 'resync'];

const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 8000;

export class EventStream {
  constructor({ url = '/api/stream', token = () => '', onEvent, onState, onReopen = () => {} }) {
    this.url = url;
    this.token = token;
    this.onEvent = onEvent;
    this.onState = onState;
    this.onReopen = onReopen;
    this.opens = 0;
    this.lastEventId = '';
    this.state = 'stopped';
    this.es = null;
    this.abort = null;
    this.timer = null;
    this.backoffMs = MIN_BACKOFF_MS;
    this.retryMs = 3000;
    this.connects = 0;
    this.stopped = true;
  }

  start() {
    this.stopped = false;
    this.open();
  }

  stop() {
    this.stopped = true;
    this.closeTransport();
    this.setState('stopped');
  }

  /** Drop the current connection and open a new one now (e.g. the token changed). */
  restart() {
    this.closeTransport();
    this.backoffMs = MIN_BACKOFF_MS;
    if (!this.stopped) this.open();
  }

  setState(state, detail = '') {
    if (state === this.state && !detail) return;
    this.state = state;
    this.onState(state, detail);
  }

  closeTransport() {
    if (this.timer !== null) { clearTimeout(this.timer); this.timer = null; }
    if (this.es !== null) { this.es.close(); this.es = null; }
    if (this.abort !== null) { this.abort.abort(); this.abort = null; }
  }

  scheduleReconnect(detail) {
    if (this.stopped || this.timer !== null) return;
    this.setState('reconnecting', detail);
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    this.timer = setTimeout(() => { this.timer = null; this.open(); }, delay);
  }

  dispatch(name, data, id) {
    if (id) this.lastEventId = id;
    let payload;
    try { payload = JSON.parse(data); } catch { return; }
    this.onEvent(name, payload, id);
  }

  open() {
    this.connects++;
    if (this.state !== 'reconnecting') this.setState('connecting');
    if (this.token()) this.openFetch(); else this.openEventSource();
  }

  opened() {
    this.opens++;
    this.setState('live');
    if (this.opens > 1) this.onReopen(this.lastEventId !== '');
  }

  urlWithResume() {
    return this.lastEventId ? `${this.url}?last_event_id=${encodeURIComponent(this.lastEventId)}` : this.url;
  }

  openEventSource() {
    const es = new EventSource(this.urlWithResume());
    this.es = es;
    es.onopen = () => { this.backoffMs = MIN_BACKOFF_MS; this.opened(); };
    for (const name of STREAM_EVENTS) es.addEventListener(name, (ev) => this.dispatch(name, ev.data, ev.lastEventId));
    es.onerror = () => {
      if (this.es !== es) return;
      if (es.readyState === EventSource.CLOSED) {
        // the browser gave up (non-200 answer): a 401 waits for a token, anything else is retried here
        this.es = null;
        es.close();
        this.refusedForToken().then((needsToken) => {
          if (this.stopped || this.es !== null || this.abort !== null || this.timer !== null) return;
          if (needsToken) this.setState('unauthorized', 'the stream needs a bearer token');
          else this.scheduleReconnect('stream refused; retrying');
        });
      } else {
        this.setState('reconnecting', 'connection lost; the browser retries');
      }
    };
  }

  /** Whether the stream answers 401 (EventSource does not tell the status). */
  async refusedForToken() {
    const ctl = new AbortController();
    try {
      const res = await fetch(this.url, { cache: 'no-store', signal: ctl.signal, headers: { accept: 'text/event-stream' } });
      return res.status === 401;
    } catch {
      return false;
    } finally {
      ctl.abort();
    }
  }

  async openFetch() {
    const ctl = new AbortController();
    this.abort = ctl;
    const headers = { accept: 'text/event-stream', authorization: `Bearer ${this.token()}` };
    if (this.lastEventId) headers['last-event-id'] = this.lastEventId;
    let res;
    try {
      res = await fetch(this.url, { headers, cache: 'no-store', signal: ctl.signal });
    } catch {
      if (this.abort === ctl) { this.abort = null; this.scheduleReconnect('connection failed'); }
      return;
    }
    if (this.abort !== ctl) { ctl.abort(); return; }
    if (res.status === 401) {
      this.abort = null;
      ctl.abort();
      this.setState('unauthorized', 'the token was refused');
      return;
    }
    if (!res.ok || !res.body) {
      this.abort = null;
      ctl.abort();
      this.scheduleReconnect(`stream answered ${res.status}`);
      return;
    }
    this.backoffMs = MIN_BACKOFF_MS;
    this.opened();
    try {
      await this.readSse(res.body, ctl);
    } catch { /* aborted or dropped */ }
    if (this.abort === ctl) {
      this.abort = null;
      this.scheduleReconnect('connection lost');
    }
  }

  async readSse(body, ctl) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    let name = 'message';
    let data = [];
    let id = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done || ctl.signal.aborted) return;
      buf += value;
      let nl;
      while ((nl = buf.search(/\r\n|\r|\n/)) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + (buf[nl] === '\r' && buf[nl + 1] === '\n' ? 2 : 1));
        if (line === '') {
          if (data.length > 0) this.dispatch(name, data.join('\n'), id || this.lastEventId);
          name = 'message'; data = []; id = '';
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let val = colon < 0 ? '' : line.slice(colon + 1);
        if (val.startsWith(' ')) val = val.slice(1);
        if (field === 'event') name = val;
        else if (field === 'data') data.push(val);
        else if (field === 'id') id = val;
        else if (field === 'retry' && /^\d+$/.test(val)) this.retryMs = Number(val);
      }
    }
  }
}
