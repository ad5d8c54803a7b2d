/**
 * Git credentials from a Secret (keys `username`, `password`, `bearerToken`, `identity`,
 * `known_hosts`, `ca.crt`, as Flux names them), and the pure mapping from them to git
 * configuration.
 *
 * Secrets never go into a URL or an argument list (both end up in `ps`, error messages and logs).
 * HTTPS credentials become an `Authorization` header set through `GIT_CONFIG_COUNT/KEY/VALUE`
 * environment variables; an SSH key and the pinned host keys become files in a private directory
 * named by `GIT_SSH_COMMAND`. No credential helper is involved (CVE-2020-5260, CVE-2020-11008).
 */
import { createHmac } from 'node:crypto';
import { inspect } from 'node:util';
import { SourceError } from './failure.ts';
import type { SourceUrl } from './url.ts';

/** The Secret keys a source reads; any other key is ignored. */
export const credentialKeys = [
  'username',
  'password',
  'bearerToken',
  'identity',
  'known_hosts',
  'ca.crt',
] as const;

/** Decoded credentials. Printing, inspecting or serializing them shows `[REDACTED]`. */
export interface GitCredentials {
  readonly username?: string;
  readonly password?: string;
  readonly bearerToken?: string;
  /** An SSH private key (PEM or OpenSSH format), unencrypted. */
  readonly identity?: string;
  /** Host keys in `known_hosts` format; required for SSH. */
  readonly knownHosts?: string;
  /** PEM certificates to trust for HTTPS instead of the system's. */
  readonly caCert?: string;
}

const fieldOfKey = {
  username: 'username',
  password: 'password',
  bearerToken: 'bearerToken',
  identity: 'identity',
  known_hosts: 'knownHosts',
  'ca.crt': 'caCert',
} as const satisfies Record<(typeof credentialKeys)[number], keyof GitCredentials>;

/**
 * Credentials from a Secret's `data` as the API returns it (base64 values). Empty values count
 * as absent. The result hides its values from `console.log`, `util.inspect` and `JSON.stringify`.
 */
export function credentialsFromSecretData(
  data: Readonly<Record<string, string>> | undefined,
): GitCredentials {
  const fields: Record<string, string> = {};
  for (const key of credentialKeys) {
    const encoded = data?.[key];
    const value = encoded === undefined ? '' : Buffer.from(encoded, 'base64').toString('utf8');
    if (value !== '') fields[fieldOfKey[key]] = value;
  }
  return hidden(fields);
}

/** Marks a credentials object so that printing it shows `[REDACTED]` instead of its values. */
export function hidden(credentials: GitCredentials): GitCredentials {
  const copy = { ...credentials };
  Object.defineProperties(copy, {
    toJSON: { value: () => '[REDACTED]' },
    toString: { value: () => '[REDACTED]' },
    [inspect.custom]: { value: () => '[REDACTED]' },
  });
  return Object.freeze(copy);
}

/** The values that must never appear in text that leaves the process. */
export function secretsOf(credentials: GitCredentials | undefined): string[] {
  if (credentials === undefined) return [];
  const { password, bearerToken, identity } = credentials;
  return [password, bearerToken, identity].filter((value): value is string => value !== undefined);
}

/**
 * A keyed digest of credentials, so that checkouts are shared only between callers holding the
 * same credentials. The key is random per store, which makes the digest useless for guessing.
 */
export function credentialsFingerprint(
  credentials: GitCredentials | undefined,
  key: Buffer,
): string {
  const hmac = createHmac('sha256', key);
  for (const name of credentialKeys) {
    hmac.update(`${name}\0${credentials?.[fieldOfKey[name]] ?? ''}\0`);
  }
  return hmac.digest('hex');
}

/** A file the auth plan needs written, mode 0600, inside its private directory. */
export interface AuthFile {
  readonly path: string;
  readonly content: string;
}

/** How git gets its credentials for one command. */
export interface AuthPlan {
  readonly files: readonly AuthFile[];
  /** Environment for git; holds secrets, so it is never logged. */
  readonly env: Readonly<Record<string, string>>;
  /** Values to redact from anything git prints. */
  readonly secrets: readonly string[];
}

/**
 * Maps credentials to git configuration for `url`, with files placed in `dir` (a private
 * directory that does not exist yet). Keys that do not apply to the transport are ignored.
 * @throws SourceError `InvalidSource` when the credentials cannot serve the URL, for example an
 *   SSH source without `known_hosts`.
 */
export function planAuth(
  credentials: GitCredentials | undefined,
  url: SourceUrl,
  dir: string,
): AuthPlan {
  const secrets = secretsOf(credentials);
  if (url.transport === 'ssh') return { ...sshPlan(credentials, url, dir), secrets };
  if (url.transport === 'file' || credentials === undefined) return { files: [], env: {}, secrets };
  const config: [string, string][] = [];
  const files: AuthFile[] = [];
  const header = authorizationHeader(credentials, url);
  if (header !== undefined) config.push(['http.extraHeader', header]);
  if (credentials.caCert !== undefined) {
    const path = `${dir}/ca.crt`;
    files.push({ path, content: credentials.caCert });
    config.push(['http.sslCAInfo', path]);
  }
  return {
    files,
    env: configEnv(config),
    secrets: header === undefined ? secrets : [...secrets, header],
  };
}

/**
 * Refuses credentials that cannot serve `url`, before anything is written or run.
 * @throws SourceError `InvalidSource`.
 */
export function checkCredentials(credentials: GitCredentials | undefined, url: SourceUrl): void {
  if (url.transport === 'ssh') sshPlan(credentials, url, '/');
  else if (url.transport !== 'file' && credentials !== undefined)
    authorizationHeader(credentials, url);
}

function authorizationHeader(credentials: GitCredentials, url: SourceUrl): string | undefined {
  const refuse = (why: string): never => {
    throw new SourceError(url.redacted, 'InvalidSource', `Secret: ${why}`);
  };
  const { username, password, bearerToken } = credentials;
  const values = [username, password, bearerToken].filter((value) => value !== undefined);
  // A line break would let the value add headers of its own.
  if (values.some((value) => /[\r\n\0]/.test(value))) refuse('a credential contains a line break');
  if (bearerToken !== undefined) {
    if (username !== undefined || password !== undefined) {
      refuse('give either bearerToken or username and password, not both');
    }
    return `Authorization: Bearer ${bearerToken}`;
  }
  if (username === undefined && password === undefined) return undefined;
  if (username === undefined || password === undefined) refuse('username and password go together');
  if (username?.includes(':')) refuse('username contains a colon');
  return `Authorization: Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

function sshPlan(credentials: GitCredentials | undefined, url: SourceUrl, dir: string) {
  const refuse = (why: string): never => {
    throw new SourceError(url.redacted, 'InvalidSource', why);
  };
  const knownHosts =
    credentials?.knownHosts ??
    refuse(
      'an SSH source needs known_hosts in its Secret: hosts whose key is not pinned are refused',
    );
  const identity =
    credentials?.identity ?? refuse('an SSH source needs identity (a private key) in its Secret');
  const keyPath = `${dir}/identity`;
  const hostsPath = `${dir}/known_hosts`;
  const command = [
    'ssh -F /dev/null',
    `-i ${shellQuote(keyPath)}`,
    '-o IdentitiesOnly=yes',
    `-o UserKnownHostsFile=${shellQuote(hostsPath)}`,
    '-o GlobalKnownHostsFile=/dev/null',
    '-o StrictHostKeyChecking=yes',
    '-o BatchMode=yes',
    '-o ConnectTimeout=30',
  ].join(' ');
  return {
    files: [
      // ssh refuses a key file whose last line has no newline.
      { path: keyPath, content: identity.endsWith('\n') ? identity : `${identity}\n` },
      { path: hostsPath, content: knownHosts },
    ],
    env: { GIT_SSH_COMMAND: command, GIT_SSH_VARIANT: 'ssh' },
  };
}

/** `GIT_CONFIG_COUNT`/`KEY_n`/`VALUE_n`: configuration git reads from its environment. */
export function configEnv(entries: readonly (readonly [string, string])[]): Record<string, string> {
  if (entries.length === 0) return {};
  const env: Record<string, string> = { GIT_CONFIG_COUNT: String(entries.length) };
  entries.forEach(([key, value], index) => {
    env[`GIT_CONFIG_KEY_${index}`] = key;
    env[`GIT_CONFIG_VALUE_${index}`] = value;
  });
  return env;
}

/** Quotes a path for the shell git runs `GIT_SSH_COMMAND` with. */
function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
