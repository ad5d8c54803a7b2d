/**
 * The reconciler's `Application` (`kustodian.dev/v1alpha1`): where to fetch a config repo,
 * which path to render, and how to keep the cluster converged on it. The schema fills in every
 * default, so the reconciler never looks at an unset field.
 */
import { z } from 'zod';
import { parseRemoteAllowance, type RemoteAllowance } from '../kustomize/remote-allowance.ts';
import { durationSchema } from './duration.ts';
import { parseWith } from './errors.ts';
import { refNameSchema } from './git-ref.ts';
import { gitUrlSchema } from './git-url.ts';
import { relativePathSchema } from './paths.ts';

/** The API group of Kustodian's own resources. */
export const APPLICATION_GROUP = 'kustodian.dev';
/** The version of the `Application` API. */
export const APPLICATION_VERSION = 'v1alpha1';
/** `kustodian.dev/v1alpha1`. */
export const APPLICATION_API_VERSION = `${APPLICATION_GROUP}/${APPLICATION_VERSION}`;
/** The kind. */
export const APPLICATION_KIND = 'Application';

/**
 * Keys of the git credential Secret named by `source.secretRef`, as Flux and Argo CD users know
 * them: basic auth (`username`, `password`), SSH (`identity`, `known_hosts`), a custom CA
 * (`ca.crt`) and a bearer token (`bearerToken`).
 */
export const CREDENTIAL_SECRET_KEYS = [
  'username',
  'password',
  'identity',
  'known_hosts',
  'ca.crt',
  'bearerToken',
] as const;
/** One of {@link CREDENTIAL_SECRET_KEYS}. */
export type CredentialSecretKey = (typeof CREDENTIAL_SECRET_KEYS)[number];

/** The shortest `interval` accepted: polling more often only loads the git server. */
export const MIN_INTERVAL_MS = 10_000;

const MINUTES_5 = 5 * 60_000;

/** Which revision to follow: exactly one of a branch, a tag or a full commit SHA. */
export type SourceRef = { branch: string } | { tag: string } | { commit: string };

/** An Application's `spec`, with defaults applied; durations are in milliseconds. */
export interface ApplicationSpec {
  source: { url: string; ref: SourceRef; path: string; secretRef?: { name: string } };
  destination: { namespace?: string };
  serviceAccountName?: string;
  interval: number;
  retryInterval: number;
  timeout: number;
  prune: boolean;
  selfHeal: boolean;
  wait: boolean;
  suspend: boolean;
  dependsOn: { name: string; namespace?: string }[];
  force: boolean;
  allowEmpty: boolean;
  /** Deprecated alias of `allowRemote: ["*"]`, kept as written. */
  enableRemoteResources: boolean;
  /** The hosts remote kustomize resources may come from, `enableRemoteResources` folded in. */
  allowRemote: RemoteAllowance;
  deletionPolicy: DeletionPolicy;
}

/**
 * What deleting an Application does to the objects it applied: `MirrorPrune` deletes them when
 * `prune` is on and leaves them otherwise, `Delete` always deletes them, `Orphan` never does.
 */
export const DELETION_POLICIES = ['MirrorPrune', 'Delete', 'Orphan'] as const;
export type DeletionPolicy = (typeof DELETION_POLICIES)[number];

/** A DNS-1123 subdomain: the names of Secrets, ServiceAccounts and Applications. */
const subdomain = z
  .string()
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, {
    error: 'expected a lowercase name of letters, digits, "-" and "."',
  });

/** A DNS-1123 label: the names of Namespaces. */
const label = z
  .string()
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, {
    error: 'expected a lowercase namespace name of letters, digits and "-"',
  });

const commitSha = z
  .string()
  .regex(/^([0-9a-f]{40}|[0-9a-f]{64})$/i, { error: 'expected a full 40-character commit SHA' })
  .transform((sha) => sha.toLowerCase());

const refSchema = z
  .object({
    branch: refNameSchema().optional(),
    tag: refNameSchema().optional(),
    commit: commitSha.optional(),
  })
  .transform((ref, ctx): SourceRef => {
    const set = [
      ...(ref.branch === undefined ? [] : [{ branch: ref.branch }]),
      ...(ref.tag === undefined ? [] : [{ tag: ref.tag }]),
      ...(ref.commit === undefined ? [] : [{ commit: ref.commit }]),
    ];
    if (set.length !== 1 || set[0] === undefined) {
      const message = 'expected exactly one of branch, tag or commit';
      ctx.addIssue({ code: 'custom', message, input: undefined });
      return z.NEVER;
    }
    return set[0];
  });

const sourceSchema = z.object({
  url: gitUrlSchema({
    kinds: ['https', 'http', 'ssh', 'scp'],
    credentialsAdvice: `put them in a Secret (keys: ${CREDENTIAL_SECRET_KEYS.join(', ')}) and name it in source.secretRef`,
  }),
  ref: refSchema.default({ branch: 'main' }),
  path: relativePathSchema().default('.'),
  secretRef: z.object({ name: subdomain }).optional(),
});

/** The zod schema of an Application's `spec`; its output is an {@link ApplicationSpec}. */
export const applicationSpecSchema = z
  .object({
    source: sourceSchema,
    destination: z.object({ namespace: label.optional() }).default({}),
    serviceAccountName: subdomain.optional(),
    interval: durationSchema({ min: MIN_INTERVAL_MS }).default(MINUTES_5),
    retryInterval: durationSchema({ min: 1000 }).optional(),
    timeout: durationSchema({ min: 1000 }).default(MINUTES_5),
    prune: z.boolean().default(true),
    selfHeal: z.boolean().default(true),
    wait: z.boolean().default(true),
    suspend: z.boolean().default(false),
    dependsOn: z.array(z.object({ name: subdomain, namespace: label.optional() })).default([]),
    force: z.boolean().default(false),
    allowEmpty: z.boolean().default(false),
    enableRemoteResources: z.boolean().default(false),
    allowRemote: z
      .array(z.string())
      .default([])
      .transform((hosts, ctx): RemoteAllowance => {
        try {
          return parseRemoteAllowance(hosts);
        } catch (thrown) {
          const message = thrown instanceof Error ? thrown.message : 'expected host names or *';
          ctx.addIssue({ code: 'custom', message: message.replace(/^allow-remote: /, '') });
          return z.NEVER;
        }
      }),
    deletionPolicy: z.enum(DELETION_POLICIES).default('MirrorPrune'),
  })
  .transform((spec): ApplicationSpec => {
    const { source, destination, serviceAccountName, retryInterval, dependsOn, ...rest } = spec;
    return {
      ...rest,
      source: {
        url: source.url,
        ref: source.ref,
        path: source.path,
        ...(source.secretRef ? { secretRef: { name: source.secretRef.name } } : {}),
      },
      destination: destination.namespace === undefined ? {} : { namespace: destination.namespace },
      ...(serviceAccountName === undefined ? {} : { serviceAccountName }),
      allowRemote: spec.enableRemoteResources ? { kind: 'any' } : spec.allowRemote,
      retryInterval: retryInterval ?? spec.interval,
      dependsOn: dependsOn.map(({ name, namespace }) =>
        namespace === undefined ? { name } : { name, namespace },
      ),
    };
  });

/**
 * Parses an Application's `spec`, or throws a `StepError` (`validate <subject>: ...`) listing
 * every problem. `subject` is the Application's id.
 */
export function parseApplicationSpec(spec: unknown, subject: string): ApplicationSpec {
  return parseWith(applicationSpecSchema, spec, 'validate', subject);
}
