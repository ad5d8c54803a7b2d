/**
 * What callers ask of the source layer, what it needs from the outside world, and the one check
 * every request passes before git runs: URL, ref and credentials must all be acceptable.
 */
import { checkCredentials, type GitCredentials } from './credentials.ts';
import { SourceError } from './failure.ts';
import type { GitRunner } from './git.ts';
import { refProblem, type SourceRef } from './refs.ts';
import { parseSourceUrl, type SourceUrl, type UrlPolicy } from './url.ts';

/** A repository, a ref in it and the credentials to read it with. */
export interface SourceRequest {
  readonly url: string;
  readonly ref: SourceRef;
  /** From the Application's Secret; anonymous access when absent. */
  readonly credentials?: GitCredentials;
}

/** Where the source layer writes a line per check, checkout and failure (the reconciler's log). */
export interface SourceLog {
  debug(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

/** The boundaries the source layer works through. */
export interface SourceDeps {
  readonly git: GitRunner;
  /** Where private credential files live while a command runs; created 0700 when missing. */
  readonly scratchDir: string;
  /** Gets one line per check, checkout and failure; nothing it receives holds a secret. */
  readonly log?: SourceLog;
}

/** A request that passed {@link prepareSource}. */
export interface PreparedSource {
  readonly url: SourceUrl;
  readonly ref: SourceRef;
  readonly credentials: GitCredentials | undefined;
}

/**
 * Checks a request before any process runs: the URL against `policy`, the ref name, and that the
 * credentials fit the transport (an SSH source without `known_hosts` stops here).
 * @throws SourceError `InvalidSource`.
 */
export function prepareSource(request: SourceRequest, policy: UrlPolicy): PreparedSource {
  const url = parseSourceUrl(request.url, policy);
  const problem = refProblem(request.ref);
  if (problem !== undefined) throw new SourceError(url.redacted, 'InvalidSource', problem);
  checkCredentials(request.credentials, url);
  const ref =
    request.ref.kind === 'commit'
      ? { kind: 'commit' as const, name: request.ref.name.toLowerCase() }
      : request.ref;
  return { url, ref, credentials: request.credentials };
}
