import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseManifests } from '@kustodian/shared/manifests/parse';
import { createSchemaCompiler, customKindsOf } from '../../src/validate/crd.ts';
import { errorsOf } from '../../src/validate/problems.ts';
import { validateRendered } from '../../src/validate/validate.ts';

const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Gadget, plural: gadgets}
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
              properties:
                port: {x-kubernetes-int-or-string: true}
                extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
                template: {type: object, x-kubernetes-embedded-resource: true, x-kubernetes-preserve-unknown-fields: true}
                tags: {type: array, x-kubernetes-list-type: set, items: {type: string}}
                endpoints:
                  type: array
                  x-kubernetes-list-type: map
                  x-kubernetes-list-map-keys: [name]
                  items: {type: object, properties: {name: {type: string}, url: {type: string}}}
                choice:
                  type: object
                  properties: {a: {type: string}}
                  anyOf: [{required: [a]}]
`;

const compiler = createSchemaCompiler();
const catalog = {
  compiler,
  repositoryKinds: customKindsOf(parseManifests(crd, 'crd.yaml')[0]?.object, 'crd.yaml', compiler),
};

async function errorsFor(yaml: string): Promise<string[]> {
  const rendered = [{ overlay: 'app', file: 'app/kustomization.yaml', yaml, problems: [] }];
  return errorsOf((await validateRendered(rendered, catalog)).problems).map((p) => p.message);
}

const gadget = (spec: string, name = 'g') =>
  `apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: ${name}}\nspec: ${spec}\n`;

describe('custom resources are checked as the API server reads a structural schema', () => {
  it('accepts declared fields, preserved unknown fields and a complete embedded resource', async () => {
    const spec = `{port: http, extra: {any: [1]}, template: {apiVersion: v1, kind: ConfigMap, data: {a: b}}, tags: [a, b], endpoints: [{name: a}, {name: b}], choice: {a: x}}`;
    assert.deepEqual(await errorsFor(gadget(spec)), []);
    assert.deepEqual(await errorsFor(gadget('{port: 8080}')), []);
  });

  it('refuses a field the schema does not declare', async () => {
    assert.match((await errorsFor(gadget('{colour: red}'))).join(), /spec: unknown field colour/);
  });

  it('refuses duplicates in a set list and duplicate keys in a map list', async () => {
    assert.match((await errorsFor(gadget('{tags: [a, a]}'))).join(), /spec\.tags: .*duplicate/);
    const errors = await errorsFor(gadget('{endpoints: [{name: a}, {name: a, url: x}]}'));
    assert.match(errors.join(), /spec\.endpoints: duplicate entries for key \[name="a"\]/);
  });

  it('refuses an embedded resource without apiVersion and kind', async () => {
    const errors = await errorsFor(gadget('{template: {data: {}}}'));
    assert.match(errors.join(), /missing required field apiVersion or missing required field kind/);
  });

  it('refuses an int-or-string field holding something else', async () => {
    assert.match(
      (await errorsFor(gadget('{port: [1]}'))).join(),
      /spec\.port: expected integer,string/,
    );
  });
});

describe('metadata and count-or-percent fields are checked as the API server checks them', () => {
  it('refuses a name that is no DNS subdomain, and a label value with spaces', async () => {
    assert.match(
      (await errorsFor(gadget('{}', 'Not_A_Name'))).join(),
      /metadata\.name: expected a lowercase RFC 1123 subdomain/,
    );
    const labelled = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, labels: {app: "a b"}}\n`;
    assert.match((await errorsFor(labelled)).join(), /invalid label value "a b"/);
  });

  it('accepts RBAC names with colons and capitals, and refuses a Service name with a dot', async () => {
    const role = `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: "system:Reader"}\n`;
    assert.deepEqual(await errorsFor(role), []);
    const service = `apiVersion: v1\nkind: Service\nmetadata: {name: web.v1}\nspec: {ports: [{port: 80}]}\n`;
    assert.match((await errorsFor(service)).join(), /RFC 1035 label/);
  });

  it('accepts maxSurge as a count or a percentage and refuses any other string', async () => {
    const deployment = (surge: string) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {a: b}}\n  strategy: {rollingUpdate: {maxSurge: ${surge}}}\n  template:\n    metadata: {labels: {a: b}}\n    spec: {containers: [{name: c, image: nginx}]}\n`;
    assert.deepEqual(await errorsFor(deployment('"25%"')), []);
    assert.deepEqual(await errorsFor(deployment('1')), []);
    assert.match(
      (await errorsFor(deployment('abc'))).join(),
      /maxSurge: expected an integer or a percentage/,
    );
  });
});
