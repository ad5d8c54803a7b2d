/**
 * An in-memory Lease with the API server's optimistic concurrency (create conflicts when it
 * exists, update conflicts on a stale resourceVersion), for driving electors with a manual
 * clock. The real server's behaviour is covered by `kube-lease.test.ts`.
 */
import type { LeaseClient, LeaseSpec, StoredLease } from '../../src/leader/lease.ts';

/** One Lease shared by several clients. */
export interface MemoryLease {
  /** A client; while `cut()` is true its requests fail, as in a network partition. */
  client(cut?: () => boolean): LeaseClient;
  current(): StoredLease | undefined;
  /** Every spec written, in order. */
  writes: LeaseSpec[];
}

/** Creates an empty {@link MemoryLease}. */
export function memoryLease(): MemoryLease {
  let stored: StoredLease | undefined;
  let version = 0;
  const writes: LeaseSpec[] = [];
  const store = (spec: LeaseSpec): StoredLease => {
    version += 1;
    writes.push(structuredClone(spec));
    stored = {
      spec: structuredClone(spec),
      resourceVersion: String(version),
      metadata: { name: 'lease' },
    };
    return structuredClone(stored);
  };
  return {
    writes,
    current: () => stored && structuredClone(stored),
    client: (cut = () => false) => {
      const guard = async (): Promise<void> => {
        await Promise.resolve();
        if (cut()) throw new Error('connection refused');
      };
      return {
        get: async () => {
          await guard();
          return stored && structuredClone(stored);
        },
        create: async (spec) => {
          await guard();
          if (stored) return { outcome: 'conflict' };
          return { outcome: 'written', lease: store(spec) };
        },
        update: async (previous, spec) => {
          await guard();
          if (!stored || stored.resourceVersion !== previous.resourceVersion)
            return { outcome: 'conflict' };
          return { outcome: 'written', lease: store(spec) };
        },
      };
    },
  };
}
