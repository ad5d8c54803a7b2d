/**
 * The environment × Application matrix: which revision and app commit runs in each environment,
 * healthy or not. Kustodian has no environment field, so one is read the way config repositories
 * are laid out: the label `kustodian.dev/environment` when set, else the overlay directory of the
 * source path (`apps/web/overlays/staging` → application `web`, environment `staging`), else the
 * Application's namespace. Pure.
 */
import type { ApplicationSummary } from '@kustodian/query/applications';

/** The label that names an Application's environment, when its path does not. */
export const environmentLabel = 'kustodian.dev/environment';

/** Where one Application sits in the matrix. */
export interface Placement {
  application: string;
  environment: string;
}

/** The row and column of an Application. */
export function placementOf(
  app: ApplicationSummary,
  path: string,
  labels: Record<string, string>,
): Placement {
  const parts = path.split('/').filter(Boolean);
  const overlay = parts.lastIndexOf('overlays');
  const fromPath =
    overlay > 0 && parts[overlay + 1]
      ? { application: parts[overlay - 1] ?? app.name, environment: parts[overlay + 1] ?? '' }
      : undefined;
  const environment = labels[environmentLabel] ?? fromPath?.environment ?? app.namespace;
  return { application: fromPath?.application ?? app.name, environment };
}

/** The matrix: sorted rows and columns, a cell per Application placed there. */
export interface Matrix {
  environments: string[];
  rows: { application: string; cells: Record<string, ApplicationSummary[]> }[];
}

export function matrixOf(placed: readonly { app: ApplicationSummary; at: Placement }[]): Matrix {
  const environments = [...new Set(placed.map((p) => p.at.environment))].sort();
  const byRow = new Map<string, Record<string, ApplicationSummary[]>>();
  for (const { app, at } of placed) {
    const cells = byRow.get(at.application) ?? {};
    cells[at.environment] = [...(cells[at.environment] ?? []), app];
    byRow.set(at.application, cells);
  }
  return {
    environments,
    rows: [...byRow]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([application, cells]) => ({ application, cells })),
  };
}
