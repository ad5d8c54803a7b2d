/**
 * Plain HTTPS requests to the API server with the kubeconfig's credentials: what the
 * environment tests use to see exactly what the server stores, with no client model in between.
 */
import { request } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/** A parsed JSON answer and its status. */
export interface RawResponse {
  readonly status: number;
  readonly body: unknown;
  readonly text: string;
}

/** Sends one request; `body` is sent as JSON with the given content type. */
export async function rawRequest(
  kc: KubeConfig,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<RawResponse> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error('the kubeconfig has no current cluster');
  const url = new URL(path, server);
  const options: Parameters<typeof request>[1] = {
    method,
    headers: { accept: 'application/json' },
  };
  await kc.applyToHTTPSOptions(options);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  if (payload !== undefined) {
    options.headers = { ...options.headers, 'content-type': contentType };
  }
  return new Promise((resolve, reject) => {
    const req = request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // Not JSON (for example /metrics): keep the text.
        }
        resolve({ status: res.statusCode ?? 0, body: parsed, text });
      });
    });
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Server-side apply of one object as `fieldManager`, returning the stored object. */
export async function serverSideApply(
  kc: KubeConfig,
  path: string,
  object: unknown,
  fieldManager: string,
): Promise<Record<string, unknown>> {
  const res = await rawRequest(
    kc,
    'PATCH',
    `${path}?fieldManager=${fieldManager}&force=true`,
    object,
    'application/apply-patch+yaml',
  );
  if (res.status >= 300) throw new Error(`apply ${path}: HTTP ${res.status}: ${res.text}`);
  return res.body as Record<string, unknown>;
}
