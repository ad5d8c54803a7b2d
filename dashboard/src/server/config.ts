/**
 * kustodian-server's settings, parsed once at the edge from flags and environment variables
 * (a flag wins). The client secret is read from a file or `KUSTODIAN_OIDC_CLIENT_SECRET` and is
 * never printed; {@link describe} shows the settings without it.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';

/** The parsed settings. */
export interface ServerConfig {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUrl: string;
  readonly scopes: string;
  readonly signingAlgorithm: string;
  readonly usernameClaim: string;
  readonly groupsClaim: string;
  readonly usernamePrefix: string;
  readonly groupsPrefix: string;
  readonly listenHost: string;
  readonly listenPort: number;
  readonly cookieSecure: boolean;
  readonly sessionTtlMs: number;
  readonly kubeconfig: string | undefined;
  readonly context: string | undefined;
}

const options = {
  issuer: { type: 'string', env: 'KUSTODIAN_OIDC_ISSUER' },
  'client-id': { type: 'string', env: 'KUSTODIAN_OIDC_CLIENT_ID' },
  'client-secret-file': { type: 'string', env: 'KUSTODIAN_OIDC_CLIENT_SECRET_FILE' },
  'redirect-url': { type: 'string', env: 'KUSTODIAN_OIDC_REDIRECT_URL' },
  scopes: { type: 'string', env: 'KUSTODIAN_OIDC_SCOPES', default: 'openid email groups' },
  'signing-algorithm': {
    type: 'string',
    env: 'KUSTODIAN_OIDC_SIGNING_ALGORITHM',
    default: 'RS256',
  },
  'username-claim': { type: 'string', env: 'KUSTODIAN_OIDC_USERNAME_CLAIM', default: 'email' },
  'groups-claim': { type: 'string', env: 'KUSTODIAN_OIDC_GROUPS_CLAIM', default: 'groups' },
  'username-prefix': { type: 'string', env: 'KUSTODIAN_OIDC_USERNAME_PREFIX', default: 'oidc:' },
  'groups-prefix': { type: 'string', env: 'KUSTODIAN_OIDC_GROUPS_PREFIX', default: 'oidc:' },
  listen: { type: 'string', env: 'KUSTODIAN_LISTEN', default: '127.0.0.1:8080' },
  'cookie-secure': { type: 'string', env: 'KUSTODIAN_COOKIE_SECURE', default: 'true' },
  'session-ttl': { type: 'string', env: 'KUSTODIAN_SESSION_TTL', default: '8h' },
  kubeconfig: { type: 'string', env: 'KUBECONFIG' },
  context: { type: 'string', env: 'KUSTODIAN_CONTEXT' },
} as const;

/** The help text of `kustodian-server --help`. */
export const usage = `Usage: kustodian-server [options]

Options (each also read from the environment variable in brackets):
${Object.entries(options)
  .map(
    ([name, o]) =>
      `  --${name.padEnd(20)} [${o.env}]${'default' in o ? ` default ${JSON.stringify(o.default)}` : ''}`,
  )
  .join('\n')}
  The client secret: a file (--client-secret-file) or KUSTODIAN_OIDC_CLIENT_SECRET.`;

const schema = z.object({
  issuer: z.url({ error: 'set --issuer to the OpenID provider, e.g. https://dex.example.com' }),
  clientId: z.string().min(1, { error: 'set --client-id' }),
  clientSecret: z.string().min(1, {
    error: 'set --client-secret-file or KUSTODIAN_OIDC_CLIENT_SECRET',
  }),
  redirectUrl: z.url({
    error:
      "set --redirect-url to this server's callback, e.g. https://kustodian.example.com/auth/callback",
  }),
});

/** Parses argv and env; throws an Error naming the setting and what to do. */
export function parseConfig(argv: readonly string[], env: NodeJS.ProcessEnv): ServerConfig {
  const { values } = parseArgs({
    args: [...argv],
    options: Object.fromEntries(
      Object.entries(options).map(([name, o]) => [name, { type: o.type }]),
    ),
    strict: true,
  });
  const get = (name: keyof typeof options): string | undefined => {
    const o = options[name];
    const given = values[name];
    if (typeof given === 'string') return given;
    return env[o.env] ?? ('default' in o ? o.default : undefined);
  };
  const secretFile = get('client-secret-file');
  let clientSecret = env.KUSTODIAN_OIDC_CLIENT_SECRET ?? '';
  if (secretFile) {
    try {
      clientSecret = readFileSync(secretFile, 'utf8').trim();
    } catch (error) {
      throw new Error(`read the client secret file ${secretFile}: ${(error as Error).message}`);
    }
  }
  const parsed = schema.safeParse({
    issuer: get('issuer'),
    clientId: get('client-id'),
    clientSecret,
    redirectUrl: get('redirect-url'),
  });
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join('; '));
  const listen = get('listen') ?? '';
  const colon = listen.lastIndexOf(':');
  const listenPort = Number(listen.slice(colon + 1));
  if (colon < 0 || !Number.isInteger(listenPort))
    throw new Error(`--listen ${listen}: give host:port, e.g. 0.0.0.0:8080`);
  const redirect = new URL(parsed.data.redirectUrl);
  const cookieSecure = get('cookie-secure') !== 'false';
  if (!cookieSecure && !(redirect.protocol === 'http:' && isLoopback(redirect.hostname)))
    throw new Error(
      '--cookie-secure=false is only allowed when the redirect URL is plain http on loopback',
    );
  return {
    ...parsed.data,
    scopes: get('scopes') ?? '',
    signingAlgorithm: get('signing-algorithm') ?? 'RS256',
    usernameClaim: get('username-claim') ?? 'email',
    groupsClaim: get('groups-claim') ?? 'groups',
    usernamePrefix: get('username-prefix') ?? '',
    groupsPrefix: get('groups-prefix') ?? '',
    listenHost: listen.slice(0, colon).replace(/^\[|\]$/g, ''),
    listenPort,
    cookieSecure,
    sessionTtlMs: durationMs(get('session-ttl') ?? '8h'),
    kubeconfig: get('kubeconfig'),
    context: get('context'),
  };
}

/** The settings as a log line may show them: without the client secret. */
export function describe(config: ServerConfig): Record<string, unknown> {
  const { clientSecret: _secret, ...shown } = config;
  return shown;
}

function durationMs(text: string): number {
  const match = /^(\d+)(s|m|h)$/.exec(text);
  if (!match) throw new Error(`--session-ttl ${text}: give a duration such as 30m or 8h`);
  return Number(match[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 's' | 'm' | 'h'];
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
}
