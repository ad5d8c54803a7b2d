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
} as const;
