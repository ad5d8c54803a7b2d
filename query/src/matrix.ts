/**
 * What runs where: environments × applications, one cell per Application with its revision,
 * the images of its workloads, the app commit, health, Ready and since when. Pure over the raw
 * Applications (and their live workloads, for the images), so the CLI and the dashboard draw
 * the same grid (`readMatrix` in `matrix-read.ts` fetches).
 *
 * An **environment** is a cluster and a name within it. The name is, first found:
 *   1. the Application's label `kustodian.dev/environment` (or the label the caller names);
 *   2. the overlay its source path renders: the segment after `overlays/`, `envs/` or
 *      `environments/` (`apps/web/overlays/staging` is `staging`), the kustomize layout;
 *   3. the cluster itself, where one cluster is one environment.
 * An **application** (a row) is, first found: the label `kustodian.dev/app` (or the caller's),
 * the label `app.kubernetes.io/name`, the segment before that overlay directory
 * (`apps/web/overlays/staging` is `web`), else the Application's name without its environment
 * as a prefix or suffix (`web-staging` in `staging` is `web`). The label
 * `app.kubernetes.io/part-of` is the row's group. Two Applications of one row and environment
 * are two cells of the same place, both shown.
 */
import { checkImageReference } from '@kustodian/shared/images/reference';
import { byCodeUnits, summarize } from './applications.ts';
import { appliedSince, statusOf } from './history.ts';
import { containersOf, inventoryRefs, isWorkloadKind } from './inventory.ts';
import type { RawApplication } from './kube.ts';
import type { LiveObject } from './objects.ts';

/** The labels that name an environment and an application explicitly. */
export interface MatrixLabels {
  environment: string;
  application: string;
}

/** Kustodian's own labels, the defaults. */
export const defaultMatrixLabels: MatrixLabels = {
  environment: 'kustodian.dev/environment',
  application: 'kustodian.dev/app',
};

/** Where a name came from. */
export const nameSources = ['label', 'path', 'cluster', 'name'] as const;
export type NameSource = (typeof nameSources)[number];

/** The Applications of one cluster, and their live workloads by inventory id when read. */
export interface ClusterApplications {
  cluster: string;
  applications: readonly RawApplication[];
  /** Undefined when the workloads were not read: the cells' images are then null. */
  workloads?: ReadonlyMap<string, LiveObject>;
  /** Inventory ids of workloads that could not be read (RBAC): those cells' images are null. */
  unread?: ReadonlySet<string>;
}

/** A column. */
export interface MatrixEnvironment {
  /** `cluster/name`, what cells refer to. */
  key: string;
  cluster: string;
  name: string;
  from: NameSource;
}

/** A row. */
export interface MatrixApplication {
  name: string;
  /** `app.kubernetes.io/part-of`, '' when unset. */
  group: string;
  from: NameSource;
}

/** One Application in its place. */
export interface MatrixCell {
  environment: string;
  application: string;
  /** The Application object itself. */
  object: { namespace: string; name: string };
  /** `branch@sha1:<commit>` applied, and its commit; '' before the first apply. */
  revision: string;
  commit: string;
  /** The images its workloads run, sorted, and their tags (or digests); null when not read. */
  images: string[] | null;
  tags: string[] | null;
  appCommit: string;
  appRepository: string;
  /** `status.health.status`: Healthy, Progressing, Degraded, NotChecked or Unknown. */
  health: string;
  /** The Ready condition's status (True, False, Unknown) and reason. */
  ready: string;
  reason: string;
  suspended: boolean;
  /** When the applied revision was first applied; '' when the history no longer says. */
  since: string;
}

/** The grid: columns and rows sorted, cells by row, column and Application. */
export interface Matrix {
  environments: MatrixEnvironment[];
  applications: MatrixApplication[];
  cells: MatrixCell[];
}

const overlayDirs: ReadonlySet<string> = new Set(['overlays', 'envs', 'environments']);

/** The matrix of the Applications of every cluster in `clusters`. */
export function buildMatrix(
  clusters: readonly ClusterApplications[],
  labels: MatrixLabels = defaultMatrixLabels,
): Matrix {
  const environments = new Map<string, MatrixEnvironment>();
  const applications = new Map<string, MatrixApplication>();
  const cells: MatrixCell[] = [];
  for (const { cluster, applications: apps, workloads, unread } of clusters) {
    for (const app of apps) {
      const place = placeOf(app, cluster, labels);
      const environment: MatrixEnvironment = {
        key: `${cluster}/${place.env}`,
        cluster,
        ...place.environment,
      };
      if (!environments.has(environment.key)) environments.set(environment.key, environment);
      const row = place.application;
      applications.set(row.name, merged(applications.get(row.name), row));
      cells.push(cellOf(app, environment.key, row.name, workloads, unread));
    }
  }
  return {
    environments: [...environments.values()].sort((a, b) => byCodeUnits(a.key, b.key)),
    applications: [...applications.values()].sort(
      (a, b) => byCodeUnits(a.group, b.group) || byCodeUnits(a.name, b.name),
    ),
    cells: cells.sort(
      (a, b) =>
        byCodeUnits(a.application, b.application) ||
        byCodeUnits(a.environment, b.environment) ||
        byCodeUnits(a.object.namespace, b.object.namespace) ||
        byCodeUnits(a.object.name, b.object.name),
    ),
  };
}

/** One row from two Applications that name it: the group of either, the surer source. */
function merged(before: MatrixApplication | undefined, next: MatrixApplication): MatrixApplication {
  if (!before) return next;
  const surer = nameSources.indexOf(next.from) < nameSources.indexOf(before.from) ? next : before;
  return { ...surer, group: before.group || next.group };
}

/** The environment and the application of `app`, by the rules above. */
export function placeOf(
  app: RawApplication,
  cluster: string,
  labels: MatrixLabels = defaultMatrixLabels,
): {
  env: string;
  environment: { name: string; from: NameSource };
  application: MatrixApplication;
} {
  const own = (app.metadata as { labels?: Record<string, string> }).labels ?? {};
  const path = String((app.spec?.source as { path?: unknown } | undefined)?.path ?? '');
  const segments = path.split('/').filter((s) => s !== '' && s !== '.');
  const at = segments.findIndex((s, i) => overlayDirs.has(s) && i + 1 < segments.length);
  const overlay = at >= 0 ? segments[at + 1] : undefined;
  const above = at > 0 ? segments[at - 1] : undefined;
  const environment: { name: string; from: NameSource } = own[labels.environment]
    ? { name: own[labels.environment] as string, from: 'label' }
    : overlay
      ? { name: overlay, from: 'path' }
      : { name: cluster, from: 'cluster' };
  const group = own['app.kubernetes.io/part-of'] ?? '';
  const labelled = own[labels.application] || own['app.kubernetes.io/name'];
  const application: MatrixApplication = labelled
    ? { name: labelled, group, from: 'label' }
    : above
      ? { name: above, group, from: 'path' }
      : { name: withoutEnvironment(app.metadata.name, environment), group, from: 'name' };
  return { env: environment.name, environment, application };
}

/** `web-staging` or `staging-web` in `staging` is `web`; a name that is only the env stays. */
function withoutEnvironment(name: string, env: { name: string; from: NameSource }): string {
  if (env.from === 'cluster') return name;
  if (name.endsWith(`-${env.name}`)) return name.slice(0, -env.name.length - 1);
  if (name.startsWith(`${env.name}-`)) return name.slice(env.name.length + 1);
  return name;
}

function cellOf(
  app: RawApplication,
  environment: string,
  application: string,
  workloads: ReadonlyMap<string, LiveObject> | undefined,
  unread: ReadonlySet<string> | undefined,
): MatrixCell {
  const summary = summarize(app);
  const source = statusOf(app).lastAppliedSource ?? {};
  const images = workloads ? imagesOf(app, workloads, unread) : null;
  return {
    environment,
    application,
    object: { namespace: summary.namespace, name: summary.name },
    revision: summary.revision,
    commit: summary.commit,
    images,
    tags: images ? [...new Set(images.map(tagOf))].sort(byCodeUnits) : null,
    appCommit: source.commit ?? '',
    appRepository: source.repository ?? '',
    health: summary.health,
    ready: summary.ready,
    reason: summary.reason,
    suspended: summary.suspended,
    since: appliedSince(app),
  };
}

/** The images the live workloads of the inventory run, without repeats, sorted; null if unread. */
function imagesOf(
  app: RawApplication,
  workloads: ReadonlyMap<string, LiveObject>,
  unread: ReadonlySet<string> | undefined,
): string[] | null {
  const images = new Set<string>();
  for (const ref of inventoryRefs(app).filter((r) => isWorkloadKind(r.kind))) {
    if (unread?.has(ref.id)) return null;
    const obj = workloads.get(ref.id);
    if (obj) for (const c of containersOf(obj)) if (c.image) images.add(c.image);
  }
  return [...images].sort(byCodeUnits);
}

/** The tag of an image (`latest` when it names none), or its digest's first 12 hex digits. */
export function tagOf(image: string): string {
  const check = checkImageReference(image);
  if (!check.ok) return image;
  const { tag, digest } = check.reference;
  if (tag) return tag;
  return digest ? digest.slice(0, 'sha256:'.length + 12) : 'latest';
}

/**
 * What a cell says of its Application in one word: `Suspended`; when not Ready, the Ready
 * reason (`NotReady` without one); else its health.
 */
export function cellState(
  cell: Pick<MatrixCell, 'suspended' | 'ready' | 'reason' | 'health'>,
): string {
  if (cell.suspended) return 'Suspended';
  if (cell.ready === 'False') return cell.reason || 'NotReady';
  return cell.health;
}

/** The cells of one row in one column (`environment` is its key), in the matrix's order. */
export function cellsAt(matrix: Matrix, application: string, environment: string): MatrixCell[] {
  return matrix.cells.filter((c) => c.application === application && c.environment === environment);
}
