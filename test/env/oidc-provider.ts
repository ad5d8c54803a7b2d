/**
 * A real OpenID Connect provider on loopback (the `oidc-provider` package) for the dashboard's
 * tests and the demo: discovery, authorization code with PKCE, RP-initiated logout, and open
 * dynamic client registration, so that each dashboard registers its own redirect URL. Its login
 * page is the provider's own development page: any password is accepted for the known users.
 *
 * The signing key is written to a file of the environment (mode 0600) so that security tests can
 * sign tokens the provider would sign, with claims it never would (expired, another audience).
 */

import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { freePort } from './ports.ts';

/** A test user: its login and the groups the provider puts in the `groups` claim. */
export interface OidcTestUser {
  readonly login: string;
  readonly email?: string;
  readonly groups: readonly string[];
}

/**
 * The users of the test provider. `alice` administers the platform, `bob` only views team b;
 * `nobody` has neither email nor groups, an identity the dashboard must refuse.
 */
export const oidcTestUsers: readonly OidcTestUser[] = [
  { login: 'alice', email: 'alice@example.test', groups: ['platform-admins'] },
  { login: 'bob', email: 'bob@example.test', groups: ['viewers-team-b'] },
  { login: 'nobody', groups: [] },
];

/** What tests need of the provider. */
export interface OidcProviderInfo {
  /** `http://127.0.0.1:<port>`, the issuer and the base of discovery. */
  readonly issuer: string;
  /** A JSON Web Key Set with the provider's private signing key, for security tests. */
  readonly jwksFile: string;
  readonly users: readonly OidcTestUser[];
}

/** A running provider. */
export interface OidcProvider {
  readonly info: OidcProviderInfo;
  stop(): Promise<void>;
}

/** Starts the provider on a free loopback port; its key goes into `dir`. */
export async function startOidcProvider(dir: string): Promise<OidcProvider> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = {
    ...(await exportJWK(privateKey)),
    kid: 'test-signing-key',
    alg: 'RS256',
    use: 'sig',
  };
  const jwksFile = join(dir, 'oidc-jwks.json');
  await writeFile(jwksFile, JSON.stringify({ keys: [jwk] }), { mode: 0o600 });
  const users = new Map(oidcTestUsers.map((user) => [user.login, user]));
  const provider = new Provider(issuer, {
    jwks: { keys: [jwk] },
    cookies: { keys: [crypto.randomUUID()] },
    features: {
      devInteractions: { enabled: true },
      registration: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], groups: ['groups'] },
    scopes: ['openid', 'email', 'groups', 'offline_access'],
    // The groups claim in the ID token, as most providers put it there (Dex, Keycloak, Entra).
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    findAccount: (_ctx, id) => {
      const user = users.get(id);
      if (!user) return undefined;
      return {
        accountId: id,
        claims: () => ({
          sub: id,
          ...(user.email ? { email: user.email, email_verified: true } : {}),
          ...(user.groups.length > 0 ? { groups: [...user.groups] } : {}),
        }),
      };
    },
    // Every client of the test provider is first party: no consent page.
    loadExistingGrant: async (ctx) => {
      const session = ctx.oidc.session;
      const client = ctx.oidc.client;
      if (!session?.accountId || !client) return undefined;
      const existing = session.grantIdFor(client.clientId);
      if (existing) return ctx.oidc.provider.Grant.find(existing);
      const grant = new ctx.oidc.provider.Grant({
        clientId: client.clientId,
        accountId: session.accountId,
      });
      grant.addOIDCScope('openid email groups');
      await grant.save();
      return grant;
    },
  });
  const server: Server = createServer(provider.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    info: { issuer, jwksFile, users: oidcTestUsers },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
