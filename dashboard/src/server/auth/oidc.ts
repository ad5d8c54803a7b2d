/**
 * The OpenID Connect boundary: issuer discovery, the authorization code flow with PKCE, state and
 * nonce, and RP-initiated logout, through `openid-client`, which checks the ID token's
 * signature against the provider's keys, `iss`, `aud`, `exp`, `iat` and `nonce`. Only the one
 * configured signing algorithm is accepted: never `none`, never an HMAC keyed with the secret.
 */
import * as client from 'openid-client';

/** How to reach the provider and who this client is. */
export interface OidcSettings {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUrl: string;
  readonly scopes: string;
  /** The one algorithm ID tokens must be signed with (RS256 unless the provider signs otherwise). */
  readonly signingAlgorithm: string;
  /** The `fetch` the client uses (tests pass one that tampers with responses). */
  readonly fetch?: client.CustomFetch;
}

/** What the server keeps between the redirect to the provider and the callback. */
export interface PendingLogin {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  /** A path of this server to go back to. */
  readonly returnTo: string;
}

/** A completed sign-in: the verified claims of the ID token (the tokens themselves are dropped). */
export interface SignIn {
  readonly claims: Record<string, unknown>;
  /** When the ID token expires, in seconds since the epoch. */
  readonly expiresAt: number;
}

/** The provider as the server uses it. */
export interface OidcClient {
  begin(returnTo: string): Promise<{ url: URL; pending: PendingLogin }>;
  complete(callbackUrl: URL, pending: PendingLogin): Promise<SignIn>;
  /**
   * The provider's end-session URL, when it has one. It names the client by `client_id`, never
   * by an `id_token_hint`, so that no token travels in a URL.
   */
  logoutUrl(postLogoutRedirect: string): URL | undefined;
}

/** A sign-in that did not complete; the message carries no token or secret. */
export class SignInError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SignInError';
  }
}

/** Algorithms that never sign an ID token here. */
const refusedAlgorithms = /^(none|HS\d+)$/i;

/** Discovers the provider and returns the client. */
export async function discoverOidc(settings: OidcSettings): Promise<OidcClient> {
  if (refusedAlgorithms.test(settings.signingAlgorithm))
    throw new SignInError(
      `ID token signing algorithm ${settings.signingAlgorithm} is refused: use an asymmetric one (RS256, ES256, PS256, EdDSA)`,
    );
  const issuer = new URL(settings.issuer);
  const insecure = issuer.protocol === 'http:' && isLoopback(issuer.hostname);
  let config: client.Configuration;
  try {
    config = await client.discovery(
      issuer,
      settings.clientId,
      {
        client_secret: settings.clientSecret,
        id_token_signed_response_alg: settings.signingAlgorithm,
      },
      client.ClientSecretBasic(settings.clientSecret),
      {
        ...(insecure ? { execute: [client.allowInsecureRequests] } : {}),
        ...(settings.fetch ? { [client.customFetch]: settings.fetch } : {}),
      },
    );
  } catch (error) {
    throw new SignInError(
      `discover the OpenID provider ${settings.issuer}: ${reasonOf(error)}: check --issuer (its /.well-known/openid-configuration must answer)`,
      { cause: error },
    );
  }
  if (settings.fetch) config[client.customFetch] = settings.fetch;
  // The ID token comes straight from the token endpoint, where OpenID Connect lets a client
  // trust TLS instead of the signature; verify the signature anyway (against the provider's
  // JWKS), so a token the provider did not sign is refused whatever the transport.
  client.enableNonRepudiationChecks(config);
  return {
    begin: async (returnTo) => {
      const pending: PendingLogin = {
        state: client.randomState(),
        nonce: client.randomNonce(),
        codeVerifier: client.randomPKCECodeVerifier(),
        returnTo,
      };
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: settings.redirectUrl,
        scope: settings.scopes,
        state: pending.state,
        nonce: pending.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(pending.codeVerifier),
        code_challenge_method: 'S256',
      });
      return { url, pending };
    },
    complete: async (callbackUrl, pending) => {
      try {
        const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
          pkceCodeVerifier: pending.codeVerifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        });
        const claims = tokens.claims();
        if (!claims) throw new SignInError('the provider sent no ID token');
        return { claims: { ...claims }, expiresAt: claims.exp };
      } catch (error) {
        throw new SignInError(`complete the sign-in: ${reasonOf(error)}`, { cause: error });
      }
    },
    logoutUrl: (postLogoutRedirect) => {
      if (!config.serverMetadata().end_session_endpoint) return undefined;
      return client.buildEndSessionUrl(config, {
        client_id: settings.clientId,
        post_logout_redirect_uri: postLogoutRedirect,
      });
    },
  };
}

/**
 * What failed, from the error and the errors it wraps: openid-client's messages are fixed texts
 * naming the check ("unexpected JWT \"aud\" (audience) claim value"); of the data they carry
 * only the claim's name is kept, since the rest may hold the token itself.
 */
function reasonOf(error: unknown): string {
  if (error instanceof SignInError) return error.message;
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    parts.push(`${e.message.split('\n')[0]}${typeof code === 'string' ? ` (${code})` : ''}`);
    const cause: unknown = e.cause;
    const claim = (cause as { claim?: unknown } | undefined)?.claim;
    if (typeof claim === 'string') parts.push(`claim ${claim}`);
    e = cause;
  }
  return parts.join(': ') || String(error);
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
}
