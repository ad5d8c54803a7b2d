/**
 * What an Application's last apply left, so that a resync of an unchanged set need not ask the
 * server again (issue 11). Per object it remembers two digests: of the object as sent, and of
 * the live object's values at the paths the object sets, as the server answered the write or as
 * the live object was when its dry run found nothing to change.
 *
 * An object is unchanged, with no request at all, when the object to send digests the same and
 * the live object as the drift watch last saw it (`LiveView`, fed by `drift/hub.ts`, which sees
 * every change) has the same values at those paths. Then applying it would merge exactly the
 * values it already holds: its dry run could only say "nothing differs". Values outside those
 * paths (status, annotations controllers add, fields of other managers) do not count, since an
 * apply leaves them as they are; so a Deployment whose status moved on is still unchanged, and a
 * field we set that someone changed by hand is not, whoever changed it.
 *
 * The live side need not even be digested again while the live object's resourceVersion is the
 * one the record was taken from: the server gives every write of an object a new one, so the
 * same resourceVersion is the same stored object. A resync of an unchanged set, with the objects
 * untouched since, then digests only what it would send, once per object.
 *
 * A record is a fact about a pair of digests, not about time: it stays true however old it is,
 * so records of failed or interrupted applies can be kept or dropped freely.
 */
import { createHash } from 'node:crypto';
import { isRecord, type KubeObject } from '../kube/object.ts';

/** The digests of one object, as last applied or verified. */
export interface AppliedRecord {
  /** The object as sent (ownership marks set, namespace filled in). */
  readonly sent: string;
  /** The live object's values at the paths the object sets. */
  readonly live: string;
  /** The resourceVersion of the live object `live` was taken from, if it had one. */
  readonly resourceVersion?: string;
}

/** An object to send, with its digest once computed (kept, so each apply digests it once). */
export interface SentObject {
  readonly object: KubeObject;
  digest?: string;
}

/**
 * The digest of the object to send, computed on first use: of its JSON as the request carries
 * it, keys in the order they come in. Objects prepared from the same rendered output come in the
 * same order; the same object in another order only digests differently, which costs a dry run,
 * never a change left unapplied. Native serialising is several times faster than sorting keys,
 * and every object of every resync is digested.
 */
export function sentDigest(sent: SentObject): string {
  sent.digest ??= createHash('sha256').update(JSON.stringify(sent.object)).digest('base64');
  return sent.digest;
}

/** An Application's records, by object id. */
export type AppliedMemory = Map<string, AppliedRecord>;

/**
 * The live objects as a watch of them last saw them. `undefined` when the watch cannot say
 * (not watched, not read yet, or read again after missed events): the object is then read.
 */
export interface LiveView {
  seen(id: string): KubeObject | undefined;
}

/** What skipping unchanged objects needs: the records and the watch's view. */
export interface LastApplied {
  readonly memory: ReadonlyMap<string, AppliedRecord>;
  readonly live: LiveView;
}

/**
 * The record of `sent`, with `live` as the server answered its write or its dry run matched;
 * `previous` is kept as it is when it says the same of the same stored object.
 */
export function recordOf(
  sent: SentObject,
  live: KubeObject,
  previous?: AppliedRecord,
): AppliedRecord {
  const digest = sentDigest(sent);
  const resourceVersion = live.metadata.resourceVersion;
  if (previous?.sent === digest && sameVersion(previous, resourceVersion)) return previous;
  return {
    sent: digest,
    live: digestOf(valuesAt(live, sent.object)),
    ...(typeof resourceVersion === 'string' ? { resourceVersion } : {}),
  };
}

function sameVersion(record: AppliedRecord, resourceVersion: unknown): boolean {
  return typeof resourceVersion === 'string' && record.resourceVersion === resourceVersion;
}

/**
 * The live object as the watch saw it, when `sent` can be left unchanged without asking the
 * server (see the module comment); otherwise `undefined`.
 */
export function unchangedLive(
  id: string,
  sent: SentObject,
  last: LastApplied,
): KubeObject | undefined {
  const record = last.memory.get(id);
  if (!record) return undefined;
  const live = last.live.seen(id);
  if (!live || live.metadata.deletionTimestamp) return undefined;
  if (record.sent !== sentDigest(sent)) return undefined;
  if (sameVersion(record, live.metadata.resourceVersion)) return live;
  return record.live === digestOf(valuesAt(live, sent.object)) ? live : undefined;
}

const absent = '\u0000absent';

/**
 * `live` cut down to the paths `desired` sets (its `status` aside, which apply does not set):
 * maps are followed key by key, and at a list or a scalar of `desired` the live value is taken
 * whole (defaults the server added included).
 */
export function valuesAt(live: KubeObject, desired: KubeObject): unknown {
  const { status: _status, ...set } = desired;
  return project(live, set);
}

function project(live: unknown, desired: unknown): unknown {
  if (isRecord(desired) && Object.keys(desired).length > 0) {
    const from = isRecord(live) ? live : {};
    return Object.fromEntries(
      Object.keys(desired).map((key) => [key, project(from[key], desired[key])]),
    );
  }
  return live === undefined ? absent : live;
}

/** A SHA-256 of a JSON value with its map keys sorted, so key order never matters. */
export function digestOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('base64');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
