/**
 * Which hosts a build may fetch remote kustomize resources from. Parsed once from the Action's
 * `allow-remote` input or an Application's `spec.allowRemote`; refused (`none`) by default.
 */

/** The closed set of allowance kinds. */
export const remoteAllowanceKinds = ['none', 'any', 'hosts'] as const;

/** Refuse every remote, allow every host (`*`), or allow only the listed hosts. */
export type RemoteAllowance =
  | { readonly kind: 'none' }
  | { readonly kind: 'any' }
  | { readonly kind: 'hosts'; readonly hosts: readonly string[] };

/** No remote resource is allowed. */
export const noRemote: RemoteAllowance = { kind: 'none' };

/**
 * Parses a host list (entries separated by new lines or commas; `*` allows any host). Throws
 * naming the entry when one is not a bare host name (a URL, a path, credentials).
 */
export function parseRemoteAllowance(entries: readonly string[] | string): RemoteAllowance {
  const list = (typeof entries === 'string' ? entries.split(/[\n,]/) : entries)
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e !== '');
  if (list.length === 0) return noRemote;
  if (list.includes('*')) return { kind: 'any' };
  for (const host of list) {
    if (!/^[a-z0-9.-]+(:\d+)?$/.test(host)) {
      throw new Error(`allow-remote: "${host}" is not a host name (write example.com, or *)`);
    }
  }
  return { kind: 'hosts', hosts: [...new Set(list)] };
}

/** Whether the allowance lets a remote reference through (a host with or without its port). */
export function allowsRemote(allowance: RemoteAllowance, host: string | undefined): boolean {
  if (allowance.kind === 'any') return true;
  if (allowance.kind === 'none' || host === undefined) return false;
  const bare = host.replace(/:\d+$/, '');
  return allowance.hosts.some((h) => h === host || h === bare);
}

/**
 * The host of a kustomize remote reference (`https://host/…`, `git::https://…`,
 * `ssh://git@host/…`, `git@host:org/repo`, `host/org/repo`), lower-cased with its port, or
 * undefined when none can be read.
 */
export function remoteHost(value: string): string | undefined {
  const stripped = value.replace(/^git::/, '');
  const url = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?([^/?#]+)/i.exec(stripped);
  if (url?.[1] !== undefined) return url[1].toLowerCase();
  const scp = /^[^@/\s]+@([^:/\s]+):/.exec(stripped);
  if (scp?.[1] !== undefined) return scp[1].toLowerCase();
  const bare = /^([a-z0-9-]+(?:\.[a-z0-9-]+)+(?::\d+)?)\//i.exec(stripped);
  return bare?.[1]?.toLowerCase();
}

/** The reference without user info and without a query string, safe for a message. */
export function redactRemote(value: string): string {
  if (/^ssh:\/\/[^:@/]*@/i.test(value)) return value.replace(/\?.*$/, ''); // a user name, no secret
  return value.replace(/^((?:git::)?[a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1').replace(/\?.*$/, '');
}
