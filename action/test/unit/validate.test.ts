import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSchemaCompiler } from '../../src/validate/crd.ts';
import type { RenderedOverlay } from '../../src/validate/render.ts';
import { validateRendered } from '../../src/validate/validate.ts';

const catalog = { compiler: createSchemaCompiler(), repositoryKinds: [] };

function overlay(name: string, yaml: string): RenderedOverlay {
  return { overlay: name, file: `${name}/kustomization.yaml`, yaml, problems: [] };
}

const deployment = (replicas: string, image = 'ghcr.io/acme/web:1.0.0') => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: web}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: ${image}
`;

const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [size]
              properties:
                size: {type: integer, minimum: 1}
                color: {type: string, nullable: true, x-kubernetes-preserve-unknown-fields: true}
`;

describe('validating rendered overlays', () => {
  it('accepts a valid Deployment', async () => {
    const result = await validateRendered([overlay('prod', deployment('2'))], catalog);
    assert.deepEqual(result.problems, []);
  });

  it('reports a schema violation with the object, the field and what was expected', async () => {
    const result = await validateRendered([overlay('prod', deployment('"two"'))], catalog);
    assert.equal(result.problems.length, 1);
    assert.equal(result.problems[0]?.check, 'schema');
    assert.match(
      result.problems[0]?.message ?? '',
      /apps\/Deployment\/web\/web \(prod doc 1 line 1\) spec\.replicas: expected integer/,
    );
  });

  it('refuses an API version the pinned Kubernetes no longer serves and names the one to use', async () => {
    const old = deployment('1').replace('apps/v1', 'extensions/v1beta1');
    const result = await validateRendered([overlay('prod', old)], catalog);
    assert.equal(result.problems[0]?.check, 'api-version');
    assert.match(
      result.problems[0]?.message ?? '',
      /extensions\/v1beta1 Deployment is not served by Kubernetes v1\.36.*use apps\/v1/,
    );
  });

  it('validates custom resources against a CRD rendered by any overlay', async () => {
    const good =
      'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: a}\nspec: {size: 2, color: null}\n';
    const bad =
      'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: b}\nspec: {size: 0}\n';
    const result = await validateRendered(
      [overlay('crds', crd), overlay('a', good), overlay('b', bad)],
      catalog,
    );
    assert.equal(result.problems.length, 1);
    assert.match(
      result.problems[0]?.message ?? '',
      /example\.com\/Widget\/b\/w .* spec\.size: must be >= 1/,
    );
  });

  it("refuses a custom resource that breaks a rule of its CRD's x-kubernetes-validations", async () => {
    const ruled = crd
      .replace('widgets.example.com', 'gadgets.example.com')
      .replace(
        '{kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}',
        '{kind: Gadget, plural: gadgets, singular: gadget, listKind: GadgetList}',
      )
      .replace(
        '              required: [size]\n',
        "              required: [size]\n              x-kubernetes-validations:\n                - {rule: 'self.size <= 10', message: size is at most 10}\n",
      );
    const gadget = (name: string, size: number) =>
      `apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: ${name}, namespace: a}\nspec: {size: ${size}}\n`;
    const result = await validateRendered(
      [overlay('crds', ruled), overlay('a', `${gadget('small', 3)}---\n${gadget('big', 11)}`)],
      catalog,
    );
    assert.equal(result.problems.length, 1, JSON.stringify(result.problems));
    assert.match(
      result.problems[0]?.message ?? '',
      /example\.com\/Gadget\/a\/big .* spec: size is at most 10/,
    );
  });

  it('warns about kinds no CRD in the repository defines', async () => {
    const unknown = 'apiVersion: other.io/v1\nkind: Gadget\nmetadata: {name: g}\n';
    const result = await validateRendered([overlay('prod', unknown)], catalog);
    assert.equal(result.problems[0]?.severity, 'warning');
    assert.equal(result.problems[0]?.check, 'unknown-kind');
  });

  it('warns about :latest and untagged images', async () => {
    const result = await validateRendered(
      [overlay('prod', deployment('1', 'ghcr.io/acme/web'))],
      catalog,
    );
    assert.equal(result.problems[0]?.severity, 'warning');
    assert.match(result.problems[0]?.message ?? '', /has no tag/);
  });

  it('reports no clash between overlays sharing a directory name when nothing places them', async () => {
    const result = await validateRendered(
      [
        overlay('apps/a/production', deployment('1')),
        overlay('apps/b/production', deployment('1')),
      ],
      catalog,
    );
    assert.deepEqual(result.problems, []);
  });

  it('reports the same object deployed to the same cluster by two overlays', async () => {
    const placements = new Map([
      ['apps/a/production', [{ cluster: '"prod"', source: 'clusters/a.yaml' }]],
      ['apps/b/production', [{ cluster: '"prod"', source: 'clusters/b.yaml' }]],
      ['apps/b/staging', [{ cluster: '"staging"', source: 'clusters/c.yaml' }]],
    ]);
    const result = await validateRendered(
      [
        overlay('apps/a/production', deployment('1')),
        overlay('apps/b/production', deployment('1')),
        overlay('apps/b/staging', deployment('1')),
      ],
      { ...catalog, placements },
    );
    assert.equal(result.problems.length, 1);
    assert.match(
      result.problems[0]?.message ?? '',
      /cluster "prod" by 2 overlays: apps\/a\/production, apps\/b\/production \(placed by clusters\/a\.yaml, clusters\/b\.yaml\)/,
    );
  });

  it('lets the cluster annotation tell overlays apart', async () => {
    const annotated = deployment('1').replace(
      'namespace: web}',
      'namespace: web, annotations: {kustodian.dev/cluster: eu}}',
    );
    const result = await validateRendered(
      [overlay('apps/a/production', deployment('1')), overlay('apps/b/production', annotated)],
      catalog,
    );
    assert.deepEqual(result.problems, []);
  });
});
