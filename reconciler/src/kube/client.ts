/**
 * The `Kube` implementation: raw JSON requests with a KubeConfig's credentials, a shared
 * discovery cache, a client-side token bucket, optional impersonation of a service account, and
 * a count of requests by verb.
 */
import { messageOf } from '@kustodian/shared/errors';
import { type Clock, systemClock } from './clock.ts';
import {
  Discovery,
  discoveryPath,
  readGroupVersions,
  readResourceList,
  resourcePath,
} from './discovery.ts';
import { KubeApiError } from './errors.ts';
import { createTransport, type Transport } from './http.ts';
import { type Kube, type ServiceAccountRef, serviceAccountUser } from './kube.ts';
import type { ClusterAccess } from './kubeconfig.ts';
import { defaultRateLimit, type RateLimit, TokenBucket } from './limiter.ts';
import { idOf, type KubeRef } from './object.ts';
import {
  RequestCounter,
  type RequestCounts,
  type RequestObserver,
  type RequestVerb,
} from './requests.ts';
import { check, objectVerbs, type Plumbing, type Subject } from './verbs.ts';

/** Options of {@link createKube}. */
export interface KubeClientOptions {
  /** Act as this service account (`Impersonate-User`), as an Application's `serviceAccountName`. */
  impersonate?: ServiceAccountRef;
  /** Client-side rate limit; default {@link defaultRateLimit}. Ignored when `limiter` is given. */
  rateLimit?: RateLimit;
  /** A limiter shared with other clients of the same server. */
  limiter?: TokenBucket;
  /** A discovery cache shared with other clients of the same server. */
  discovery?: Discovery;
  /** The clock of the limiter; default the real one. */
  clock?: Clock;
  /** Called after every request (for metrics). */
  onRequest?: RequestObserver;
  /** Inactivity limit of non-watch requests; default 60 s. */
  timeoutMs?: number;
}

/** A {@link Kube} that also reports what it did. */
export interface KubeClient extends Kube {
  /** The impersonated user, if any. */
  readonly user: string | undefined;
  /** Requests made by this client so far, by verb. */
  requestCounts(): RequestCounts;
  /** A client acting as `account`, sharing this one's discovery cache and limiter. */
  impersonating(account: ServiceAccountRef): KubeClient;
  /** GETs a non-resource path (`/metrics`, `/readyz`) and returns the body as text. */
  getRaw(path: string): Promise<string>;
}

/** Creates a client for the current context of `kc`. */
export function createKube(kc: ClusterAccess, options: KubeClientOptions = {}): KubeClient {
  const limiter =
    options.limiter ??
    new TokenBucket(options.rateLimit ?? defaultRateLimit, options.clock ?? systemClock);
  const user = options.impersonate ? serviceAccountUser(options.impersonate) : undefined;
  const transport = createTransport(kc, {
    ...(user ? { impersonateUser: user } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
  const counter = new RequestCounter();
  const send = sender(transport, limiter, counter, options.onRequest);
  const discovery =
    options.discovery ??
    new Discovery(
      async (apiVersion) => {
        const subject = { step: 'discover', id: apiVersion };
        const path = discoveryPath(apiVersion);
        const response = await send.call('discover', subject, { method: 'GET', path });
        if (response.status === 404) return undefined;
        check(subject, response);
        return readResourceList(apiVersion, JSON.parse(response.body));
      },
      async (group) => {
        const path = group === '' ? '/api' : `/apis/${group}`;
        const subject = { step: 'discover', id: path };
        const response = await send.call('discover', subject, { method: 'GET', path });
        if (response.status === 404) return undefined;
        check(subject, response);
        return readGroupVersions(group, JSON.parse(response.body));
      },
    );
  const plumbing: Plumbing = { ...send, discovery, locate: locator(discovery) };
  return {
    user,
    resourceFor: (apiVersion, kind) => discovery.resourceFor(apiVersion, kind),
    servedApiVersion: (group, kind) => discovery.servedApiVersion(group, kind),
    ...objectVerbs(plumbing),
    requestCounts: () => counter.snapshot(),
    impersonating: (account) =>
      createKube(kc, { ...options, impersonate: account, limiter, discovery }),
    getRaw: async (path) => {
      const subject = { step: 'get', id: path };
      const response = await send.call('get', subject, { method: 'GET', path });
      check(subject, response);
      return response.body;
    },
  };
}

/** Counted, rate-limited sending; network failures become `KubeApiError`s. */
function sender(
  transport: Transport,
  limiter: TokenBucket,
  counter: RequestCounter,
  observe: RequestObserver | undefined,
): Pick<Plumbing, 'call' | 'stream'> {
  const guarded = async <T>(
    verb: RequestVerb,
    subject: Subject,
    signal: AbortSignal | undefined,
    send: () => Promise<T>,
    statusOf: (result: T) => number,
  ): Promise<T> => {
    await limiter.take(signal);
    counter.add(verb);
    try {
      const result = await send();
      observe?.(verb, statusOf(result));
      return result;
    } catch (cause) {
      observe?.(verb, 0);
      if (signal?.aborted) throw cause;
      const status = {
        httpStatus: 0,
        reason: 'ConnectionFailed',
        message: messageOf(cause),
        causes: [],
      };
      throw new KubeApiError(subject.step, subject.id, status, { cause });
    }
  };
  return {
    call: (verb, subject, request) =>
      guarded(
        verb,
        subject,
        request.signal,
        () => transport.request(request),
        (r) => r.status,
      ),
    stream: (verb, subject, request) =>
      guarded(
        verb,
        subject,
        request.signal,
        () => transport.stream(request),
        (r) => r.statusCode ?? 0,
      ),
  };
}

/** The URL path of an object; a namespaced object without a namespace is refused. */
function locator(discovery: Discovery): Plumbing['locate'] {
  return async (ref: KubeRef, subresource?: string) => {
    const info = await discovery.resourceFor(ref.apiVersion, ref.kind);
    if (info.namespaced && !ref.namespace) {
      throw new KubeApiError('locate', idOf(ref), {
        httpStatus: 0,
        reason: 'NamespaceRequired',
        message: `${ref.kind} is namespaced but no namespace was given`,
        causes: [],
      });
    }
    return resourcePath(info, {
      namespace: info.namespaced ? ref.namespace : undefined,
      name: ref.name,
      ...(subresource ? { subresource } : {}),
    });
  };
}
