/**
 * Keep-alive HTTPS agents, shared by every client of the process and keyed by TLS identity (CA,
 * client certificate and key, server name). client-node's agents open a new TLS connection per
 * request; an apply of hundreds of objects takes several requests each, and every Application
 * gets its own (impersonating) client, so connections are pooled here instead. A rotated
 * certificate is a new identity and gets a new agent, with one TLS context for its connections.
 */
import { createHash } from 'node:crypto';
import https from 'node:https';
import { createSecureContext } from 'node:tls';

/** Identities kept; the oldest is dropped (not destroyed: a watch may still use it) beyond this. */
const maxAgents = 16;
const agents = new Map<string, https.Agent>();

/** The shared keep-alive agent for the TLS settings of `opts` (as set by client-node). */
export function keepAliveAgent(opts: https.RequestOptions): https.Agent {
  const tls = {
    ca: opts.ca,
    cert: opts.cert,
    key: opts.key,
    pfx: opts.pfx,
    passphrase: opts.passphrase,
    servername: opts.servername,
    rejectUnauthorized: opts.rejectUnauthorized,
  };
  // Every request asks; the settings are usually the very same objects as last time.
  if (last && sameSettings(last.tls, tls)) return last.agent;
  const id = identity(tls);
  let agent = agents.get(id);
  if (!agent) {
    // One TLS context (parsed CA, certificate and key) for all of the agent's connections,
    // instead of one per connection.
    const { servername, rejectUnauthorized, ...credentials } = definedOnly(tls);
    agent = new https.Agent({
      ...definedOnly({ servername, rejectUnauthorized }),
      secureContext: createSecureContext(credentials),
      keepAlive: true,
    });
    agents.set(id, agent);
    const oldest = agents.keys().next().value;
    if (agents.size > maxAgents && oldest !== undefined) agents.delete(oldest);
  }
  last = { tls, agent };
  return agent;
}

type TlsSettings = Record<string, unknown>;

let last: { tls: TlsSettings; agent: https.Agent } | undefined;

function sameSettings(a: TlsSettings, b: TlsSettings): boolean {
  return Object.keys(b).every((key) => a[key] === b[key]);
}

/** A digest of the settings, hashing certificate bytes directly rather than as JSON text. */
function identity(tls: TlsSettings): string {
  const hash = createHash('sha256');
  for (const [key, value] of Object.entries(tls)) {
    hash.update(`${key}\0`);
    for (const part of Array.isArray(value) ? value : [value]) {
      if (Buffer.isBuffer(part) || typeof part === 'string') hash.update(part);
      else hash.update(JSON.stringify(part) ?? 'undefined');
      hash.update('\0');
    }
  }
  return hash.digest('hex');
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
