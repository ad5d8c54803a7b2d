/** Health probes over loopback HTTP(S). */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * True when `url` answers 200 within two seconds. For https, `ca` is the PEM CA to trust;
 * `insecure` skips verification for components that serve a self-signed certificate of their own.
 */
export function answersOk(url: string, ca?: string, insecure = false): Promise<boolean> {
  return new Promise((resolve) => {
    const target = new URL(url);
    const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request(
      target,
      { method: 'GET', timeout: 2000, rejectUnauthorized: !insecure, ...(ca ? { ca } : {}) },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}
