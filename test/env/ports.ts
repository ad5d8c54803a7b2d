/** Free loopback ports for the local environment's servers. */
import { createServer } from 'node:net';

/**
 * A port that was free a moment ago on 127.0.0.1. Racy by nature (another process may take it
 * before we bind), which is acceptable for a single-user test machine; callers that can bind
 * port 0 themselves should do that instead.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not read the bound port'));
      });
    });
  });
}
