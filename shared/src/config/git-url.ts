/**
 * Git remote addresses: which forms are accepted, which are insecure, and which carry
 * credentials. Credentials never belong in a URL: URLs end up in error messages and logs
 * (Argo CD CVE-2023-25163, Flux CVE-2024-31216), so such URLs are refused, and never echoed.
 */
import { z } from 'zod';
import { REDACTED, redactUrl } from '../redact.ts';

/** The forms of a git address: `scp` is `git@host:path`. */
export const GIT_URL_KINDS = ['https', 'http', 'ssh', 'scp', 'file'] as const;
/** One of {@link GIT_URL_KINDS}. */
export type GitUrlKind = (typeof GIT_URL_KINDS)[number];

/** What an address is, once read. */
export interface GitUrlInfo {
  kind: GitUrlKind;
  /** Whether the address holds a password or token (for http(s), any userinfo counts). */
  hasCredentials: boolean;
}

/** `[user@]host:path`, git's scp-like syntax; a colon before any slash and no `://`. */
const scpLike = /^(?:([^@/\s]*)@)?([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):(?!\/\/)(\S+)$/;

/** Reads an address, or returns `undefined` when it is none of the {@link GIT_URL_KINDS}. */
export function classifyGitUrl(text: string): GitUrlInfo | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    const match = scpLike.exec(text);
    if (!match) return undefined;
    return { kind: 'scp', hasCredentials: (match[1] ?? '').includes(':') };
  }
  if (!isGitUrlKind(scheme) || scheme === 'scp') return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (scheme !== 'file' && url.hostname === '') return undefined;
  if (/\s/.test(text)) return undefined;
  const userinfo = scheme === 'ssh' ? url.password : url.username || url.password;
  return { kind: scheme, hasCredentials: userinfo !== '' };
}

/** Whether the address sends data in clear text (`http://`). */
export function isInsecure(text: string): boolean {
  return classifyGitUrl(text)?.kind === 'http';
}

/** The address as it may be shown: userinfo of URLs and `user:password@` of scp forms hidden. */
export function showGitUrl(text: string): string {
  return redactUrl(text).replace(/^[^\s/]*:[^\s/]*@/, `${REDACTED}@`);
}

/** How to describe the accepted kinds in a message. */
const kindWords: Record<GitUrlKind, string> = {
  https: 'https://',
  http: 'http://',
  ssh: 'ssh://',
  scp: 'git@host:path',
  file: 'file://',
};

/** Options for {@link gitUrlSchema}. */
export interface GitUrlRules {
  /** The forms accepted. */
  kinds: readonly GitUrlKind[];
  /** Where credentials should go instead, said when an address carries some. */
  credentialsAdvice: string;
}

/** A zod string that must be an accepted git address without credentials. */
export function gitUrlSchema(rules: GitUrlRules): z.ZodString {
  const expected = `expected a git URL (${rules.kinds.map((kind) => kindWords[kind]).join(', ')})`;
  return z.string().superRefine((text, ctx) => {
    const info = classifyGitUrl(text);
    const input = showGitUrl(text);
    if (!info || !rules.kinds.includes(info.kind)) {
      ctx.addIssue({ code: 'custom', message: expected, input });
    } else if (info.hasCredentials) {
      const message = `expected no credentials in the URL; ${rules.credentialsAdvice}`;
      ctx.addIssue({ code: 'custom', message, input });
    }
  });
}

function isGitUrlKind(text: string): text is GitUrlKind {
  return (GIT_URL_KINDS as readonly string[]).includes(text);
}
