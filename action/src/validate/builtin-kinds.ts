/**
 * The module of `kubernetes-models` that holds each kind the pinned Kubernetes version serves
 * (`served-apis.json`), by `apiVersion/kind`. One module per kind, with the schemas it needs,
 * so a run compiles the validators of the kinds its repository uses and no others; the unit
 * test of `served.ts` keeps this list equal to the served kinds.
 */

/** Loads the module of one kind; it exports the kind's model class. */
export type KindLoader = () => Promise<object>;

export const kindModules: Readonly<Record<string, KindLoader>> = {
  'admissionregistration.k8s.io/v1/MutatingAdmissionPolicy': () =>
    import('kubernetes-models/admissionregistration.k8s.io/v1/MutatingAdmissionPolicy'),
  'admissionregistration.k8s.io/v1/MutatingAdmissionPolicyBinding': () =>
    import('kubernetes-models/admissionregistration.k8s.io/v1/MutatingAdmissionPolicyBinding'),
  'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration': () =>
    import('kubernetes-models/admissionregistration.k8s.io/v1/MutatingWebhookConfiguration'),
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy': () =>
    import('kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy'),
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding': () =>
    import('kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding'),
  'admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration': () =>
    import('kubernetes-models/admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration'),
  'apiextensions.k8s.io/v1/CustomResourceDefinition': () =>
    import('kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition'),
  'apiregistration.k8s.io/v1/APIService': () =>
    import('kubernetes-models/apiregistration.k8s.io/v1/APIService'),
  'apps/v1/ControllerRevision': () => import('kubernetes-models/apps/v1/ControllerRevision'),
  'apps/v1/DaemonSet': () => import('kubernetes-models/apps/v1/DaemonSet'),
  'apps/v1/Deployment': () => import('kubernetes-models/apps/v1/Deployment'),
  'apps/v1/ReplicaSet': () => import('kubernetes-models/apps/v1/ReplicaSet'),
  'apps/v1/StatefulSet': () => import('kubernetes-models/apps/v1/StatefulSet'),
  'authentication.k8s.io/v1/SelfSubjectReview': () =>
    import('kubernetes-models/authentication.k8s.io/v1/SelfSubjectReview'),
  'authentication.k8s.io/v1/TokenReview': () =>
    import('kubernetes-models/authentication.k8s.io/v1/TokenReview'),
  'authorization.k8s.io/v1/LocalSubjectAccessReview': () =>
    import('kubernetes-models/authorization.k8s.io/v1/LocalSubjectAccessReview'),
  'authorization.k8s.io/v1/SelfSubjectAccessReview': () =>
    import('kubernetes-models/authorization.k8s.io/v1/SelfSubjectAccessReview'),
  'authorization.k8s.io/v1/SelfSubjectRulesReview': () =>
    import('kubernetes-models/authorization.k8s.io/v1/SelfSubjectRulesReview'),
  'authorization.k8s.io/v1/SubjectAccessReview': () =>
    import('kubernetes-models/authorization.k8s.io/v1/SubjectAccessReview'),
  'autoscaling/v1/HorizontalPodAutoscaler': () =>
    import('kubernetes-models/autoscaling/v1/HorizontalPodAutoscaler'),
  'autoscaling/v2/HorizontalPodAutoscaler': () =>
    import('kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler'),
  'batch/v1/CronJob': () => import('kubernetes-models/batch/v1/CronJob'),
  'batch/v1/Job': () => import('kubernetes-models/batch/v1/Job'),
  'certificates.k8s.io/v1/CertificateSigningRequest': () =>
    import('kubernetes-models/certificates.k8s.io/v1/CertificateSigningRequest'),
  'coordination.k8s.io/v1/Lease': () => import('kubernetes-models/coordination.k8s.io/v1/Lease'),
  'discovery.k8s.io/v1/EndpointSlice': () =>
    import('kubernetes-models/discovery.k8s.io/v1/EndpointSlice'),
  'events.k8s.io/v1/Event': () => import('kubernetes-models/events.k8s.io/v1/Event'),
  'flowcontrol.apiserver.k8s.io/v1/FlowSchema': () =>
    import('kubernetes-models/flowcontrol.apiserver.k8s.io/v1/FlowSchema'),
  'flowcontrol.apiserver.k8s.io/v1/PriorityLevelConfiguration': () =>
    import('kubernetes-models/flowcontrol.apiserver.k8s.io/v1/PriorityLevelConfiguration'),
  'networking.k8s.io/v1/IPAddress': () =>
    import('kubernetes-models/networking.k8s.io/v1/IPAddress'),
  'networking.k8s.io/v1/Ingress': () => import('kubernetes-models/networking.k8s.io/v1/Ingress'),
  'networking.k8s.io/v1/IngressClass': () =>
    import('kubernetes-models/networking.k8s.io/v1/IngressClass'),
  'networking.k8s.io/v1/NetworkPolicy': () =>
    import('kubernetes-models/networking.k8s.io/v1/NetworkPolicy'),
  'networking.k8s.io/v1/ServiceCIDR': () =>
    import('kubernetes-models/networking.k8s.io/v1/ServiceCIDR'),
  'node.k8s.io/v1/RuntimeClass': () => import('kubernetes-models/node.k8s.io/v1/RuntimeClass'),
  'policy/v1/PodDisruptionBudget': () => import('kubernetes-models/policy/v1/PodDisruptionBudget'),
  'rbac.authorization.k8s.io/v1/ClusterRole': () =>
    import('kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole'),
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': () =>
    import('kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding'),
  'rbac.authorization.k8s.io/v1/Role': () =>
    import('kubernetes-models/rbac.authorization.k8s.io/v1/Role'),
  'rbac.authorization.k8s.io/v1/RoleBinding': () =>
    import('kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding'),
  'resource.k8s.io/v1/DeviceClass': () =>
    import('kubernetes-models/resource.k8s.io/v1/DeviceClass'),
  'resource.k8s.io/v1/ResourceClaim': () =>
    import('kubernetes-models/resource.k8s.io/v1/ResourceClaim'),
  'resource.k8s.io/v1/ResourceClaimTemplate': () =>
    import('kubernetes-models/resource.k8s.io/v1/ResourceClaimTemplate'),
  'resource.k8s.io/v1/ResourceSlice': () =>
    import('kubernetes-models/resource.k8s.io/v1/ResourceSlice'),
  'scheduling.k8s.io/v1/PriorityClass': () =>
    import('kubernetes-models/scheduling.k8s.io/v1/PriorityClass'),
  'storage.k8s.io/v1/CSIDriver': () => import('kubernetes-models/storage.k8s.io/v1/CSIDriver'),
  'storage.k8s.io/v1/CSINode': () => import('kubernetes-models/storage.k8s.io/v1/CSINode'),
  'storage.k8s.io/v1/CSIStorageCapacity': () =>
    import('kubernetes-models/storage.k8s.io/v1/CSIStorageCapacity'),
  'storage.k8s.io/v1/StorageClass': () =>
    import('kubernetes-models/storage.k8s.io/v1/StorageClass'),
  'storage.k8s.io/v1/VolumeAttachment': () =>
    import('kubernetes-models/storage.k8s.io/v1/VolumeAttachment'),
  'storage.k8s.io/v1/VolumeAttributesClass': () =>
    import('kubernetes-models/storage.k8s.io/v1/VolumeAttributesClass'),
  'v1/Binding': () => import('kubernetes-models/v1/Binding'),
  'v1/ComponentStatus': () => import('kubernetes-models/v1/ComponentStatus'),
  'v1/ConfigMap': () => import('kubernetes-models/v1/ConfigMap'),
  'v1/Endpoints': () => import('kubernetes-models/v1/Endpoints'),
  'v1/Event': () => import('kubernetes-models/v1/Event'),
  'v1/LimitRange': () => import('kubernetes-models/v1/LimitRange'),
  'v1/Namespace': () => import('kubernetes-models/v1/Namespace'),
  'v1/Node': () => import('kubernetes-models/v1/Node'),
  'v1/PersistentVolume': () => import('kubernetes-models/v1/PersistentVolume'),
  'v1/PersistentVolumeClaim': () => import('kubernetes-models/v1/PersistentVolumeClaim'),
  'v1/Pod': () => import('kubernetes-models/v1/Pod'),
  'v1/PodTemplate': () => import('kubernetes-models/v1/PodTemplate'),
  'v1/ReplicationController': () => import('kubernetes-models/v1/ReplicationController'),
  'v1/ResourceQuota': () => import('kubernetes-models/v1/ResourceQuota'),
  'v1/Secret': () => import('kubernetes-models/v1/Secret'),
  'v1/Service': () => import('kubernetes-models/v1/Service'),
  'v1/ServiceAccount': () => import('kubernetes-models/v1/ServiceAccount'),
};
