/** The exit codes of `kustodian`, a closed vocabulary scripts can rely on. */
export const exitCodes = {
  ok: 0,
  /** The Application failed (sync failed, not Ready). */
  failed: 1,
  usage: 2,
  notFound: 3,
  forbidden: 4,
  unreachable: 5,
  timeout: 6,
  suspended: 7,
  /** The kubeconfig is missing, unreadable or lacks the context. */
  kubeconfig: 8,
  /** `diff`: the changes could not be found: the fetch, the render or a dry run failed. */
  incomplete: 9,
} as const;

/** The exit codes as `--help` lists them. */
export const exitCodesHelp = `
Exit codes:
  0  done (the Application reached what was asked)
  1  the Application failed (its Ready condition is False), or an unexpected error;
     diff: the sync would change something; rollback: the commit could not be made
  2  usage error (unknown command or option, bad value); rollback: no git token
  3  no such Application (or object)
  4  not allowed: RBAC denied a verb on a resource, or the credentials were rejected
  5  the API server is unreachable
  6  timed out waiting
  7  the Application is suspended
  8  the kubeconfig is missing, unreadable, or lacks the context
  9  diff: the changes could not be found (the fetch, the render or a dry run failed)`;
