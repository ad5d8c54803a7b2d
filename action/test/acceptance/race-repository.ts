/**
 * The repository the race tests bump concurrently: one overlay running sixteen Deployments,
 * all sixteen images pinned in one kustomization file, each entry with its own comment.
 */

/** The apps, one image each: `registry.example.com/<app>`. */
export const apps = Array.from({ length: 16 }, (_, index) => `app${index + 1}`);

/** One overlay running sixteen Deployments, all sixteen images pinned in its kustomization. */
export function raceRepository(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const app of apps) {
    files[`base/${app}.yaml`] = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      `  name: ${app}`,
      'spec:',
      '  selector:',
      `    matchLabels: {app: ${app}}`,
      '  template:',
      `    metadata: {labels: {app: ${app}}}`,
      '    spec:',
      '      containers:',
      `        - name: ${app}`,
      `          image: registry.example.com/${app}:1.0.0`,
      '',
    ].join('\n');
  }
  files['base/kustomization.yaml'] =
    `resources:\n${apps.map((app) => `  - ${app}.yaml`).join('\n')}\n`;
  const entries = apps.map(
    (app) =>
      `  # ${app}, bumped by its own pipeline\n  - name: registry.example.com/${app}\n    newTag: 1.0.0\n`,
  );
  files['production/kustomization.yaml'] =
    `# Every app of the shop.\nnamespace: shop\nresources:\n  - ../base\nimages:\n${entries.join('')}`;
  return files;
}
