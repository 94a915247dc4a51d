import { createConnection, createServer, type Socket } from 'node:net';

/**
 * A loopback TCP relay in front of a server (PostgreSQL here) that a test can break in the two
 * ways a network breaks:
 *
 * - `cut()`: every connection is closed and new ones are refused at once (a server restart, a
 *   killed backend): both ends learn of it immediately.
 * - `stall()`: nothing is forwarded any more and nothing is closed (a network partition, a frozen
 *   VM, a blackholed route): connections stay open, new ones are accepted and then hear nothing,
 *   and bytes written either way wait. `restore()` delivers what waited, in order, and then any
 *   close that happened meanwhile, as TCP's retransmissions do when a partition heals.
 *
 * It imports nothing from vitest, so scripts run outside the tests can use it too.
 */
export interface TcpLink {
  /** The relay's port on 127.0.0.1. */
  readonly port: number;
  /** `cut` or `stalled` while broken, `open` otherwise. */
  readonly state: 'open' | 'cut' | 'stalled';
  /** How many client connections are open through the relay now (held ones included). */
  readonly connections: number;
  /** Bytes waiting to be forwarded (both directions, every connection), while stalled. */
  readonly heldBytes: number;
  /** What clients sent that is waiting to be forwarded (latin1), while stalled. */
  heldUpstream(): string;
  /** How many connections clients have opened to the relay so far. */
  readonly accepted: number;
  /** How many client connections are open on the client's side (a held close not yet passed on counts as closed). */
  readonly openClients: number;
  /** Drops every open connection and refuses new ones (each is closed as soon as it arrives). */
  cut(): void;
  /** Stops forwarding without closing anything: the peers see silence, not an error. */
  stall(): void;
  /**
   * Stalls as soon as a client sends bytes containing `text` (e.g. a statement's SQL), after
   * forwarding them: the server receives that much and then hears nothing more.
   */
  stallAfter(text: string): void;
  /** Forwards again (after a stall: what waited first, then the closes that waited). */
  restore(): void;
  close(): Promise<void>;
}

interface Pair {
  inbound: Socket;
  outbound: Socket;
  /** Chunks waiting while stalled: towards the server, towards the client. */
  up: Buffer[];
  down: Buffer[];
  /** A side that ended or closed while stalled: its peer hears of it once the waiting bytes are through. */
  inboundDone: boolean;
  outboundDone: boolean;
}

/** Starts a relay on 127.0.0.1 (ephemeral port) forwarding to `host:port`. */
export async function startTcpLink(target: { host: string; port: number }): Promise<TcpLink> {
  const pairs = new Set<Pair>();
  let state: TcpLink['state'] = 'open';
  let accepted = 0;
  let trigger: string | undefined;

  const destroy = (pair: Pair) => {
    pairs.delete(pair);
    pair.inbound.destroy();
    pair.outbound.destroy();
  };
  // Delivers what waited, then passes on the ends that happened meanwhile.
  const flush = (pair: Pair) => {
    for (const chunk of pair.up.splice(0)) if (pair.outbound.writable) pair.outbound.write(chunk);
    for (const chunk of pair.down.splice(0)) if (pair.inbound.writable) pair.inbound.write(chunk);
    if (pair.inboundDone) pair.outbound.end();
    if (pair.outboundDone) pair.inbound.end();
  };

  // Half-open sockets: a FIN from one peer is not answered by the relay itself (a partition would
  // not answer it either); it is passed on to the other peer, at once or after the stall.
  const server = createServer({ allowHalfOpen: true }, (inbound) => {
    accepted++;
    if (state === 'cut') {
      inbound.destroy();
      return;
    }
    const outbound = createConnection({ host: target.host, port: target.port, allowHalfOpen: true });
    const pair: Pair = { inbound, outbound, up: [], down: [], inboundDone: false, outboundDone: false };
    pairs.add(pair);
    inbound.on('data', (chunk: Buffer) => {
      if (state === 'stalled') pair.up.push(chunk);
      else outbound.write(chunk);
      if (trigger !== undefined && state === 'open' && chunk.includes(trigger)) {
        trigger = undefined;
        state = 'stalled';
      }
    });
    outbound.on('data', (chunk: Buffer) => {
      if (state === 'stalled') pair.down.push(chunk);
      else inbound.write(chunk);
    });
    const done = (side: 'inbound' | 'outbound') => () => {
      if (side === 'inbound') pair.inboundDone = true;
      else pair.outboundDone = true;
      if (state === 'stalled') return;
      (side === 'inbound' ? outbound : inbound).end();
    };
    inbound.on('end', done('inbound'));
    outbound.on('end', done('outbound'));
    const closed = (side: 'inbound' | 'outbound') => () => {
      if (!pairs.has(pair)) return;
      if (state === 'stalled') {
        if (side === 'inbound') pair.inboundDone = true;
        else pair.outboundDone = true;
        return;
      }
      // Both directions finished, or one side reset: let the other side go too.
      if (inbound.destroyed && outbound.destroyed) pairs.delete(pair);
      else {
        if (side === 'inbound') outbound.end();
        else inbound.end();
        setTimeout(() => destroy(pair), 1_000).unref();
      }
    };
    inbound.on('error', () => undefined).on('close', closed('inbound'));
    outbound.on('error', () => undefined).on('close', closed('outbound'));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('tcp link: no address');

  return {
    port: address.port,
    get state() {
      return state;
    },
    get connections() {
      return pairs.size;
    },
    get heldBytes() {
      let n = 0;
      for (const p of pairs) for (const chunk of [...p.up, ...p.down]) n += chunk.length;
      return n;
    },
    heldUpstream() {
      return [...pairs].map((p) => Buffer.concat(p.up).toString('latin1')).join('');
    },
    get accepted() {
      return accepted;
    },
    get openClients() {
      let n = 0;
      for (const p of pairs) if (!p.inboundDone && !p.inbound.destroyed) n++;
      return n;
    },
    cut() {
      state = 'cut';
      for (const pair of [...pairs]) destroy(pair);
    },
    stall() {
      if (state === 'open') state = 'stalled';
    },
    stallAfter(text) {
      trigger = text;
    },
    restore() {
      const wasStalled = state === 'stalled';
      state = 'open';
      trigger = undefined;
      if (wasStalled) for (const pair of [...pairs]) flush(pair);
    },
    async close() {
      state = 'cut';
      for (const pair of [...pairs]) destroy(pair);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
