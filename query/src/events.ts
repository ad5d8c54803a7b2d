/**
 * The events of an Application and of the objects of its inventory, newest last: one LIST of
 * events per namespace the inventory touches.
 */
import { parseObjectId } from '@kustodian/shared/manifests/object-id';
import type { ApplicationsApi } from './kube.ts';
import type { EventRecord, ObjectsApi } from './objects.ts';

/** The events about `namespace/name` and its objects. */
export async function applicationEvents(
  apps: ApplicationsApi,
  objects: ObjectsApi,
  namespace: string,
  name: string,
): Promise<EventRecord[]> {
  const app = await apps.get(namespace, name);
  const entries =
    (app.status as { inventory?: { entries?: { id: string }[] } } | undefined)?.inventory
      ?.entries ?? [];
  const wanted = new Set([`Application/${name}@${namespace}`]);
  const namespaces = new Set([namespace]);
  for (const entry of entries) {
    const key = parseObjectId(entry.id);
    if (!key?.namespace) continue;
    wanted.add(`${key.kind}/${key.name}@${key.namespace}`);
    namespaces.add(key.namespace);
  }
  const events: EventRecord[] = [];
  for (const ns of namespaces) {
    for (const event of await objects.events(ns))
      if (wanted.has(`${event.object}@${ns}`)) events.push(event);
  }
  return events.sort((a, b) => a.lastSeen.localeCompare(b.lastSeen));
}
