/**
 * What a user may do, asked of the API server as that user (a SelfSubjectAccessReview made with
 * impersonation), so the dashboard shows exactly the actions RBAC allows. Answers are kept for
 * a short while per user and namespace: RBAC changes show within {@link accessTtlMs}.
 */
import { AuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';

/** The actions of the dashboard, and the verb on applications.kustodian.dev each needs. */
export const actions = ['sync', 'suspend', 'resume'] as const;
export type Action = (typeof actions)[number];

/**
 * `sync` is a custom verb (Kubernetes has none for "reconcile now"): a user granted it may ask
 * for a sync without being able to patch the Application; `patch` implies it.
 */
export const verbsOf: Record<Action, readonly string[]> = {
  sync: ['sync', 'patch'],
  suspend: ['patch'],
  resume: ['patch'],
};

/** The actions allowed in one namespace. */
export type Allowed = Record<Action, boolean>;

export const accessTtlMs = 30_000;

/** Asks the API server what the user of `kc` may do. */
export class AccessReviewer {
  readonly #api: AuthorizationV1Api;
  readonly #cache = new Map<string, { at: number; allowed: Promise<boolean> }>();
  readonly #now: () => number;

  constructor(kc: KubeConfig, now: () => number = Date.now) {
    this.#api = kc.makeApiClient(AuthorizationV1Api);
    this.#now = now;
  }

  /** Whether the user may `verb` applications in `namespace`. */
  can(verb: string, namespace: string): Promise<boolean> {
    const key = `${verb} ${namespace}`;
    const hit = this.#cache.get(key);
    if (hit && this.#now() - hit.at < accessTtlMs) return hit.allowed;
    const allowed = this.#api
      .createSelfSubjectAccessReview({
        body: {
          spec: {
            resourceAttributes: {
              group: 'kustodian.dev',
              resource: 'applications',
              verb,
              namespace,
            },
          },
        },
      })
      .then((review) => review.status?.allowed === true)
      .catch(() => false);
    this.#cache.set(key, { at: this.#now(), allowed });
    return allowed;
  }

  /** Every action's answer in one namespace. */
  async allowed(namespace: string): Promise<Allowed> {
    const entries = await Promise.all(
      actions.map(async (action) => {
        const answers = await Promise.all(verbsOf[action].map((v) => this.can(v, namespace)));
        return [action, answers.some(Boolean)] as const;
      }),
    );
    return Object.fromEntries(entries) as Allowed;
  }
}
