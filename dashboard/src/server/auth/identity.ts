/**
 * From the claims of a verified ID token to the Kubernetes identity the server impersonates:
 * the username claim and the groups claim, each with a prefix (`oidc:` by default, as the API
 * server's own `--oidc-username-prefix` would add), so that they cannot collide with
 * `system:` users and groups or with the server's own service account.
 */

/** How claims map to a Kubernetes user. */
export interface ClaimMapping {
  readonly usernameClaim: string;
  readonly groupsClaim: string;
  readonly usernamePrefix: string;
  readonly groupsPrefix: string;
}

/** The user the server acts as. */
export interface Identity {
  readonly username: string;
  readonly groups: readonly string[];
}

/** Why claims do not make an identity. */
export const identityRefusals = ['no-username', 'reserved-name'] as const;
export type IdentityRefusal = (typeof identityRefusals)[number];

export type IdentityResult =
  | { readonly ok: true; readonly identity: Identity }
  | { readonly ok: false; readonly refusal: IdentityRefusal; readonly message: string };

const reserved = /^system:/;

/**
 * The identity of verified claims. An empty or missing username is refused (never mapped to
 * anyone, least of all the server's own account), as is a name in the `system:` space; groups
 * that are not strings, or that land in `system:`, are dropped.
 */
export function identityOf(claims: Record<string, unknown>, mapping: ClaimMapping): IdentityResult {
  const raw = claims[mapping.usernameClaim];
  const name = typeof raw === 'string' ? raw.trim() : '';
  if (!name)
    return {
      ok: false,
      refusal: 'no-username',
      message: `the ID token has no "${mapping.usernameClaim}" claim: ask the provider's administrator to release it to this client, or set --username-claim`,
    };
  const username = `${mapping.usernamePrefix}${name}`;
  if (reserved.test(username))
    return {
      ok: false,
      refusal: 'reserved-name',
      message: `the user name ${username} is in the reserved system: space: set --username-prefix`,
    };
  const rawGroups = claims[mapping.groupsClaim];
  const list = Array.isArray(rawGroups)
    ? rawGroups
    : typeof rawGroups === 'string'
      ? [rawGroups]
      : [];
  const groups = [
    ...new Set(
      list
        .filter((g): g is string => typeof g === 'string' && g.trim() !== '')
        .map((g) => `${mapping.groupsPrefix}${g.trim()}`)
        .filter((g) => !reserved.test(g)),
    ),
  ].sort();
  return { ok: true, identity: { username, groups } };
}
