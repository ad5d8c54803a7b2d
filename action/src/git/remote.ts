/**
 * Where the config repository lives and how git authenticates to it, without the token ever
 * being part of a URL: the URL is logged and stored in `.git/config`, so the token travels as
 * an `http.<url>.extraHeader` given through `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_n`/
 * `GIT_CONFIG_VALUE_n` in the environment of each git process (as `actions/checkout` does with
 * its `AUTHORIZATION: basic` header). The header is scoped to the remote's origin, so a
 * redirect or a submodule on another host never receives it.
 */
import { StepError } from '@kustodian/shared/errors';
import { redactUrl } from '@kustodian/shared/redact';

/** The URL schemes accepted for `repository` (plain http is refused: the token would travel in clear). */
export const remoteSchemes = ['https', 'ssh', 'file'] as const;
export type RemoteScheme = (typeof remoteSchemes)[number];

/** A resolved remote: the URL git uses, its scheme, and the GitHub name when it has one. */
export interface Remote {
  readonly url: string;
  readonly scheme: RemoteScheme;
  /** `owner/name` when the repository was given that way (a GitHub repository). */
  readonly nameWithOwner?: string;
}

const ownerName = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
const scpLike = /^[A-Za-z0-9_.-]+@[A-Za-z0-9.-]+:[^\s]+$/;

/**
 * Resolves the `repository` input: `owner/name` becomes `<serverUrl>/owner/name.git`; an
 * `https://`, `ssh://`, `user@host:path` or `file://` URL is taken as is.
 * URLs with credentials in them are refused: the token has its own input.
 */
export function resolveRemote(repository: string, serverUrl: string): Remote {
  const fail = (why: string): never => {
    throw new StepError('parse', 'input repository', `${why}; got "${redactUrl(repository)}"`);
  };
  if (ownerName.test(repository) && !repository.split('/').some((part) => /^\.+$/.test(part))) {
    const base = serverUrl.replace(/\/+$/, '');
    return {
      url: `${base}/${repository}.git`,
      scheme: schemeOf(base, fail),
      nameWithOwner: repository,
    };
  }
  if (scpLike.test(repository)) return { url: repository, scheme: 'ssh' };
  let url: URL;
  try {
    url = new URL(repository);
  } catch {
    return fail('expected owner/name or a git URL (https://, ssh://, user@host:path, file://)');
  }
  const scheme = schemeOf(repository, fail);
  if (url.password !== '' || (url.username !== '' && scheme !== 'ssh')) {
    fail('credentials do not belong in the URL; pass them with the token input');
  }
  return { url: repository, scheme };
}

function schemeOf(url: string, fail: (why: string) => never): RemoteScheme {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  const found = remoteSchemes.find((known) => known === scheme);
  return (
    found ?? fail(`unsupported URL scheme "${scheme ?? ''}"; expected ${remoteSchemes.join(', ')}`)
  );
}

/** `GITHUB_SERVER_URL` when the runner does not set it. */
export const defaultServerUrl = 'https://github.com';

/** The tokens the action is given. */
export interface GivenTokens {
  /** The `token` input: set by the user for the repository they named. */
  readonly token?: string;
  /** The `github-token` input: the workflow's own token (`github.token`) by default. */
  readonly githubToken?: string;
}

/**
 * The token to reach `remote` with. `token`, when set, is the user's choice for the repository
 * they named and goes to its host. The workflow's own token (`githubToken`) goes only to the
 * GitHub server the workflow runs on (`serverUrl`, from `GITHUB_SERVER_URL`), over https: a
 * `repository` on another forge must never receive it (it would let that forge's operator act
 * as the workflow on GitHub).
 */
export function tokenForRemote(
  remote: Remote,
  tokens: GivenTokens,
  serverUrl: string,
): string | undefined {
  if (tokens.token !== undefined && tokens.token !== '') return tokens.token;
  if (tokens.githubToken === undefined || tokens.githubToken === '') return undefined;
  return remote.scheme === 'https' && sameOrigin(remote.url, serverUrl)
    ? tokens.githubToken
    : undefined;
}

/** Whether two https URLs have the same scheme, host and port. */
function sameOrigin(url: string, other: string): boolean {
  try {
    const a = new URL(url);
    const b = new URL(other);
    return a.protocol === 'https:' && a.origin === b.origin;
  } catch {
    return false;
  }
}

/** Every form of `token` that could be shown: itself, its git header, and the header's base64. */
export function tokenForms(token: string): string[] {
  if (token === '') return [];
  const header = authorizationHeader(token);
  return [token, header, header.slice(header.lastIndexOf(' ') + 1)];
}

/** The `AUTHORIZATION` header value for `token`, as GitHub expects it for git over HTTPS. */
export function authorizationHeader(token: string): string {
  return `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`, 'utf8').toString('base64')}`;
}

/**
 * The environment that gives git `token` (the one {@link tokenForRemote} chose) for `remote`:
 * nothing for `ssh` and `file` remotes or without a token, else one
 * `http.<origin>/.extraHeader` entry. Prompts are off in
 * every case, so a missing credential fails instead of waiting for a terminal.
 */
export function gitAuthEnv(remote: Remote, token: string | undefined): Record<string, string> {
  const env: Record<string, string> = { GIT_TERMINAL_PROMPT: '0', GCM_INTERACTIVE: 'never' };
  if (token === undefined || token === '' || remote.scheme !== 'https') {
    return env;
  }
  const origin = new URL(remote.url).origin;
  return {
    ...env,
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: `http.${origin}/.extraHeader`,
    GIT_CONFIG_VALUE_0: authorizationHeader(token),
  };
}
