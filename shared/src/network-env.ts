/**
 * The part of a parent's environment that git (and kustomize, which runs git and fetches
 * URLs itself) needs to reach a server at all: a custom CA (self-hosted runners, GitHub
 * Enterprise Server, a private forge) and proxies. Everything else of the parent environment
 * stays out of the tools' environment (see `exec.ts`), so these are passed on by name.
 */

/** The variables passed on, in both spellings where tools read both. */
export const forwardedNetworkVariables = [
  'GIT_SSL_CAINFO',
  'GIT_SSL_CAPATH',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'HTTPS_PROXY',
  'https_proxy',
  'HTTP_PROXY',
  'http_proxy',
  'NO_PROXY',
  'no_proxy',
] as const;

/** The forwarded network variables that are set (and not empty) in `env`. */
export function networkEnv(
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of forwardedNetworkVariables) {
    const value = env[name];
    if (value !== undefined && value !== '') kept[name] = value;
  }
  return kept;
}
