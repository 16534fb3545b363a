// A process of many raw-socket SSE subscribers (forked by a test; driven over IPC).
// Readers read everything; stuck subscribers read the status line and then never read
// again (the kernel's buffers fill, then the server's). Connections come from many
// loopback addresses (127.0.A.B: Linux routes all of 127/8 to lo) so a per-address
// subscriber limit does not refuse them, unless the test asks for one address.
//
//   {cmd: 'connect', port, path, readers, stuck, perAddress, firstOctet}
//     → {statuses: {200: n, 429: n, ...}, bodies: {status: first body}}
//   {cmd: 'stats'} → {readersOpen, readerBytes, readerEvents, stuckOpen}
//   {cmd: 'close'} → closes everything, then exits
import { connect } from 'node:net';

const sockets = [];
const readers = [];
const stuck = [];

function address(i, perAddress, firstOctet) {
  const a = Math.floor(i / perAddress);
  return `127.${firstOctet}.${Math.floor(a / 250)}.${(a % 250) + 2}`;
}

function open(port, path, localAddress, keepReading) {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port, localAddress });
    sockets.push(s);
    const st = { socket: s, status: 0, head: '', bytes: 0, events: 0, open: true, keepReading };
    s.on('error', () => { st.open = false; });
    s.on('close', () => { st.open = false; if (st.status === 0) resolve(st); });
    s.on('connect', () => s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`));
    s.on('data', (b) => {
      if (st.status === 0) {
        st.head += b.toString('latin1');
        const m = /^HTTP\/1\.1 (\d{3})/.exec(st.head);
        if (m === null || !st.head.includes('\r\n\r\n')) return;
        st.status = Number(m[1]);
        resolve(st);
        if (!keepReading) { s.pause(); return; }
      }
      st.bytes += b.length;
      // "\nid: " starts every event frame
      for (let k = b.indexOf('id: '); k >= 0; k = b.indexOf('id: ', k + 4)) st.events++;
    });
  });
}

process.on('message', async (msg) => {
  if (msg.cmd === 'connect') {
    const { port, path, perAddress, firstOctet } = msg;
    const statuses = {};
    const bodies = {};
    const jobs = [];
    const total = msg.readers + msg.stuck;
    for (let i = 0; i < total; i++) {
      jobs.push(open(port, path, address(i, perAddress, firstOctet), i >= msg.stuck)); // the first `stuck` never read
      if (i % 50 === 49) await new Promise((r) => setTimeout(r, 5)); // not all in one burst
    }
    const done = await Promise.all(jobs);
    for (const st of done) {
      statuses[st.status] = (statuses[st.status] ?? 0) + 1;
      if (st.status !== 200 && bodies[st.status] === undefined) bodies[st.status] = st.head.slice(st.head.indexOf('\r\n\r\n') + 4);
      if (st.status === 200) (st.keepReading ? readers : stuck).push(st);
    }
    process.send({ statuses, bodies, readers: readers.length, stuck: stuck.length });
  } else if (msg.cmd === 'stats') {
    process.send({
      readersOpen: readers.filter((r) => r.open).length,
      readerBytes: readers.reduce((a, r) => a + r.bytes, 0),
      readerEvents: readers.reduce((a, r) => a + r.events, 0),
      minReaderEvents: readers.length === 0 ? 0 : Math.min(...readers.map((r) => r.events)),
      stuckOpen: stuck.filter((r) => r.open).length,
    });
  } else if (msg.cmd === 'close') {
    for (const s of sockets) s.destroy();
    process.send({ closed: sockets.length });
    setTimeout(() => process.exit(0), 20);
  }
});
