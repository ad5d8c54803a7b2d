/**
 * The cheap check a reconcile starts with: which commit does the Application's ref name right
 * now? One `git ls-remote` for a branch or tag, nothing at all for a pinned commit. The commit
 * it returns is then fetched, built and applied as is, never re-resolved in between.
 */
import { withAuth } from './auth-files.ts';
import { SourceError } from './failure.ts';
import { commitFromLsRemote, lsRemotePatterns, missingRefMessage } from './refs.ts';
import { prepareSource, type SourceDeps, type SourceRequest } from './request.ts';
import { gitStep } from './run-git.ts';

/**
 * The full commit hash `request.ref` points at (lower case). A commit ref is returned as given,
 * without network traffic.
 * @throws SourceError `fetch <redacted url>: ...` with a reason: `InvalidSource` before any
 *   traffic, `AuthFailed`, `Unreachable`, `Timeout` or `Other` from git, `RefNotFound` when the
 *   repository has no such branch or tag.
 */
export async function resolveRevision(request: SourceRequest, deps: SourceDeps): Promise<string> {
  const source = prepareSource(request, deps.git.policy);
  const { url, ref } = source;
  if (ref.kind === 'commit') return ref.name;
  try {
    const listed = await withAuth(deps.scratchDir, source.credentials, url, (auth) =>
      gitStep(deps.git, url, ['ls-remote', '--', url.url, ...lsRemotePatterns(ref)], auth),
    );
    const commit = commitFromLsRemote(listed.stdout, ref);
    if (commit === undefined) {
      throw new SourceError(url.redacted, 'RefNotFound', missingRefMessage(ref));
    }
    deps.log?.debug('resolved source', { url: url.redacted, [ref.kind]: ref.name, commit });
    return commit;
  } catch (error) {
    if (error instanceof SourceError) {
      deps.log?.warn('source check failed', { url: url.redacted, reason: error.reason, error });
    }
    throw error;
  }
}
