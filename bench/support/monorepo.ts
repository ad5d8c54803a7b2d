/**
 * A generated config monorepo the size of a platform team's: 8 service bases shared by 20 teams,
 * each team deployed to 3 environments (60 overlays), with components for labels, hardening and
 * monitoring, and ConfigMap and Secret generators at every level. About 4,000 rendered objects,
 * all valid against the pinned Kubernetes version, each overlay in a namespace of its own.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** The shape of the repository. */
export interface MonorepoShape {
  readonly teams: number;
  readonly environments: readonly string[];
  readonly services: number;
  /** Services each team runs (of `services`, in turn). */
  readonly servicesPerTeam: number;
}

/** 20 teams × 3 environments, 5 of 8 services each. */
export const defaultMonorepo: MonorepoShape = {
  teams: 20,
  environments: ['dev', 'staging', 'production'],
  services: 8,
  servicesPerTeam: 5,
};

const pad = (n: number) => String(n).padStart(2, '0');

/** Writes the repository into `dir`; returns its overlays, relative to `dir`. */
export async function writeMonorepo(
  dir: string,
  shape: MonorepoShape = defaultMonorepo,
): Promise<string[]> {
  const files = new Map<string, string>();
  files.set('components/common/kustomization.yaml', commonComponent);
  files.set('components/hardening/kustomization.yaml', hardeningComponent);
  files.set('components/monitoring/kustomization.yaml', monitoringComponent);
  for (let s = 1; s <= shape.services; s++) {
    for (const [name, text] of Object.entries(serviceBase(`svc-${pad(s)}`, 8000 + s))) {
      files.set(`bases/svc-${pad(s)}/${name}`, text);
    }
  }
  const overlays: string[] = [];
  for (let t = 1; t <= shape.teams; t++) {
    const team = `team-${pad(t)}`;
    const services = Array.from(
      { length: shape.servicesPerTeam },
      (_, i) => `svc-${pad(((t + i) % shape.services) + 1)}`,
    );
    files.set(`teams/${team}/base/kustomization.yaml`, teamBase(team, services));
    files.set(`teams/${team}/base/quota.yaml`, quota);
    for (const [e, environment] of shape.environments.entries()) {
      const overlay = `teams/${team}/${environment}`;
      overlays.push(overlay);
      const namespace = `${team}-${environment}`;
      files.set(`${overlay}/kustomization.yaml`, overlayKustomization(namespace, environment, e));
      files.set(`${overlay}/namespace.yaml`, namespaceObject(namespace));
      files.set(`${overlay}/settings.env`, `ENVIRONMENT=${environment}\nTEAM=${team}\n`);
    }
  }
  for (const [path, text] of files) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return overlays.sort();
}

const commonComponent = `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
labels:
  - pairs:
      app.kubernetes.io/part-of: acme-platform
      app.kubernetes.io/managed-by: kustodian
    includeSelectors: false
`;

const hardeningComponent = `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
patches:
  - target:
      kind: Deployment
    patch: |-
      - op: add
        path: /spec/template/spec/automountServiceAccountToken
        value: false
`;

const monitoringComponent = `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
commonAnnotations:
  monitoring.acme.io/scrape: "true"
configMapGenerator:
  - name: monitoring
    literals:
      - SCRAPE_INTERVAL=30s
      - METRICS_PATH=/metrics
`;

function serviceBase(name: string, port: number): Record<string, string> {
  const labels = `app.kubernetes.io/name: ${name}`;
  return {
    'kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml
  - service.yaml
  - rbac.yaml
  - policy.yaml
configMapGenerator:
  - name: ${name}-config
    files:
      - config.properties
    literals:
      - PORT=${port}
secretGenerator:
  - name: ${name}-credentials
    literals:
      - username=${name}
      - password=not-a-real-password
`,
    'config.properties': `service.name=${name}\nservice.port=${port}\nlog.level=info\ncache.size=256\n`,
    'deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
    ${labels}
spec:
  replicas: 1
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      ${labels}
  template:
    metadata:
      labels:
        ${labels}
    spec:
      serviceAccountName: ${name}
      securityContext:
        runAsNonRoot: true
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: ${name}
          image: ghcr.io/acme/${name}:1.0.0
          ports:
            - name: http
              containerPort: ${port}
          envFrom:
            - configMapRef:
                name: ${name}-config
            - secretRef:
                name: ${name}-credentials
          readinessProbe:
            httpGet:
              path: /healthz
              port: http
            periodSeconds: 5
          resources:
            requests:
              cpu: 50m
              memory: 64Mi
            limits:
              memory: 128Mi
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: [ALL]
`,
    'service.yaml': `apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  selector:
    ${labels}
  ports:
    - name: http
      port: 80
      targetPort: http
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: ${name}
`,
    'rbac.yaml': `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: ${name}
rules:
  - apiGroups: [""]
    resources: [configmaps]
    verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: ${name}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: ${name}
subjects:
  - kind: ServiceAccount
    name: ${name}
`,
    'policy.yaml': `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: ${name}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: ${name}
  minReplicas: 1
  maxReplicas: 10
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: 75
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: ${name}
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      ${labels}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: ${name}
spec:
  podSelector:
    matchLabels:
      ${labels}
  policyTypes: [Ingress]
  ingress:
    - ports:
        - port: ${port}
          protocol: TCP
`,
  };
}

function teamBase(team: string, services: readonly string[]): string {
  return `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - quota.yaml
${services.map((service) => `  - ../../../bases/${service}`).join('\n')}
components:
  - ../../../components/common
labels:
  - pairs:
      acme.io/team: ${team}
configMapGenerator:
  - name: team
    literals:
      - TEAM=${team}
`;
}

const quota = `apiVersion: v1
kind: ResourceQuota
metadata:
  name: compute
spec:
  hard:
    requests.cpu: "8"
    requests.memory: 16Gi
    limits.memory: 32Gi
---
apiVersion: v1
kind: LimitRange
metadata:
  name: defaults
spec:
  limits:
    - type: Container
      default:
        memory: 256Mi
      defaultRequest:
        cpu: 50m
        memory: 64Mi
`;

function namespaceObject(name: string): string {
  return `apiVersion: v1
kind: Namespace
metadata:
  name: ${name}
`;
}

function overlayKustomization(namespace: string, environment: string, index: number): string {
  const production = environment === 'production';
  return `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: ${namespace}
resources:
  - namespace.yaml
  - ../base
components:
  - ../../../components/hardening
${production ? '  - ../../../components/monitoring\n' : ''}configMapGenerator:
  - name: settings
    envs:
      - settings.env
secretGenerator:
  - name: environment
    literals:
      - ENVIRONMENT_KEY=${environment}-key-${index}
patches:
  - target:
      kind: HorizontalPodAutoscaler
    patch: |-
      - op: replace
        path: /spec/minReplicas
        value: ${index + 1}
images:
  - name: ghcr.io/acme/svc-01
    newTag: 1.${index}.0
`;
}
