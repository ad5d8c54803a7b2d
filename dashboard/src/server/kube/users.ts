/**
 * The Kubernetes clients of each signed-in user: the query layer over a KubeConfig that
 * impersonates them, and their access reviewer. Kept per session, dropped when it ends.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { Applications } from '@kustodian/query/applications';
import { applicationsApi } from '@kustodian/query/kube';
import { applicationChanges } from '@kustodian/query/watch';
import type { Session } from '../auth/sessions.ts';
import { AccessReviewer } from './access.ts';
import { kubeConfigAs } from './impersonate.ts';

/** What the server reads and does as one user. */
export interface UserKube {
  readonly kc: KubeConfig;
  readonly apps: Applications;
  readonly access: AccessReviewer;
  /** The namespaces the user may list Applications in, when not cluster-wide (cached). */
  visibleNamespaces?: { at: number; namespaces: string[] | undefined };
}

/** The clients of every live session. */
export class UserKubes {
  readonly #base: KubeConfig;
  readonly #bySession = new Map<string, UserKube>();

  constructor(base: KubeConfig) {
    this.#base = base;
  }

  /** The clients of a session's user. */
  of(session: Session): UserKube {
    let user = this.#bySession.get(session.id);
    if (!user) {
      const kc = kubeConfigAs(this.#base, session.identity);
      user = {
        kc,
        apps: new Applications(applicationsApi(kc), applicationChanges(kc)),
        access: new AccessReviewer(kc),
      };
      this.#bySession.set(session.id, user);
    }
    return user;
  }

  /** Forgets a session's clients. */
  drop(sessionId: string): void {
    this.#bySession.delete(sessionId);
  }
}
