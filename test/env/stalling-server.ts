/**
 * A server that accepts TLS connections and never answers: what a stalled forge looks like to
 * a client, for testing that fetches give up on their own instead of hanging.
 */
import { createServer, type TLSSocket } from 'node:tls';

/** A running stalling server. */
export interface StallingServer {
  /** `https://127.0.0.1:<port>`. */
  readonly url: string;
  /** How many TLS connections it has accepted. */
  connections(): number;
  stop(): Promise<void>;
}

/** Starts the server on a free loopback port with the PEM certificate and key given. */
export async function startStallingServer(tls: {
  readonly cert: string;
  readonly key: string;
}): Promise<StallingServer> {
  const sockets = new Set<TLSSocket>();
  let accepted = 0;
  const server = createServer({ cert: tls.cert, key: tls.key }, (socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('error', () => {}); // the client gives up; that is the point
    socket.on('close', () => sockets.delete(socket));
    socket.resume(); // read the request, answer nothing
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('stalling server: no address');
  return {
    url: `https://127.0.0.1:${address.port}`,
    connections: () => accepted,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
