/**
 * Which repository URLs a source may use. The rules come from git's history of URL attacks:
 * only known transports (no `ext::`, `fd::` or `git://`), no host or URL that could be read as an
 * option (`ssh://-oProxyCommand=...`, CVE-2017-1000117), no credentials inside the URL (they
 * leak through error messages: Argo CD CVE-2023-25163, Flux CVE-2024-31216), plain HTTP and
 * local paths only when explicitly allowed.
 */
import { redactUrl } from '../redact.ts';
import { SourceError } from './failure.ts';

/** The transports a source URL can use. */
export const transports = ['https', 'http', 'ssh', 'file'] as const;

/** One of {@link transports}. */
export type Transport = (typeof transports)[number];

/** What is allowed beyond HTTPS and SSH. */
export interface UrlPolicy {
  /** Allow plain `http://` (no TLS: credentials and content travel in the clear). */
  readonly allowHttp?: boolean;
  /** Allow `file://` repositories; meant for tests. */
  readonly allowFile?: boolean;
}

/** A URL that passed the checks. */
export interface SourceUrl {
  /** The URL as given; it holds no credentials. */
  readonly url: string;
  readonly transport: Transport;
  /** The URL fit for messages, logs and status. */
  readonly redacted: string;
}

/** `[user@]host:path`, git's scp-like SSH syntax; neither user nor host may start with `-`. */
const scpLike =
  /^(?:[A-Za-z0-9_][A-Za-z0-9._-]*@)?(?:[A-Za-z0-9][A-Za-z0-9.-]*|\[[0-9A-Fa-f:.]+\]):(?!\/\/|:)./;

/**
 * Checks a repository URL against the transport rules and `policy`.
 * @throws SourceError with reason `InvalidSource`, naming the redacted URL.
 */
export function parseSourceUrl(url: string, policy: UrlPolicy): SourceUrl {
  const redacted = redactUrl(url);
  const refuse = (why: string): never => {
    throw new SourceError(redacted, 'InvalidSource', why);
  };
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused.
  if (url === '' || /[\s\u0000-\u001f\u007f]/.test(url)) refuse('URL is empty or has whitespace');
  if (url.startsWith('-')) refuse('URL starts with -');
  // `<helper>::<address>` runs a remote helper (`ext::` runs any command); git checks it first.
  if (/^[A-Za-z0-9][A-Za-z0-9+.-]*::/.test(url))
    refuse('remote helpers (<name>::) are not allowed');
  const transport = scpLike.test(url) && !url.includes('://') ? 'ssh' : transportOf(url, refuse);
  if (transport === 'http' && policy.allowHttp !== true) {
    refuse('plain http:// is not allowed; use https:// or allow HTTP explicitly');
  }
  if (transport === 'file' && policy.allowFile !== true) refuse('file:// URLs are not allowed');
  return { url, transport, redacted };
}

function transportOf(url: string, refuse: (why: string) => never): Transport {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return refuse('not a URL git can use (https://, ssh:// or user@host:path)');
  }
  const transport = parsed.protocol.slice(0, -1);
  if (transport === 'file') return 'file';
  if (transport !== 'https' && transport !== 'http' && transport !== 'ssh') {
    return refuse(`transport ${parsed.protocol} is not allowed; use https:// or ssh://`);
  }
  if (parsed.hostname === '' || parsed.hostname.startsWith('-')) {
    return refuse('the host is empty or starts with -');
  }
  if (parsed.password !== '' || (transport !== 'ssh' && parsed.username !== '')) {
    return refuse('credentials must come from the Secret, not from the URL');
  }
  return transport;
}
