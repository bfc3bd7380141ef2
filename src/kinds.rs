//! Facts about built-in Kubernetes kinds that imprint needs: which are
//! cluster-scoped (they get no default namespace) and where workloads keep
//! their PodSpec.

/// Built-in cluster-scoped kinds, by (group, kind). Custom kinds are
/// cluster-scoped when a CustomResourceDefinition in the input says so.
const CLUSTER_SCOPED: &[(&str, &str)] = &[
    ("", "Namespace"),
    ("", "Node"),
    ("", "PersistentVolume"),
    ("", "ComponentStatus"),
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ("apiregistration.k8s.io", "APIService"),
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"),
    ("admissionregistration.k8s.io", "MutatingAdmissionPolicy"),
    ("admissionregistration.k8s.io", "MutatingAdmissionPolicyBinding"),
    ("rbac.authorization.k8s.io", "ClusterRole"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("storage.k8s.io", "StorageClass"),
    ("storage.k8s.io", "CSIDriver"),
    ("storage.k8s.io", "CSINode"),
    ("storage.k8s.io", "VolumeAttachment"),
    ("storage.k8s.io", "VolumeAttributesClass"),
    ("scheduling.k8s.io", "PriorityClass"),
    ("node.k8s.io", "RuntimeClass"),
    ("networking.k8s.io", "IngressClass"),
    ("networking.k8s.io", "IPAddress"),
    ("networking.k8s.io", "ServiceCIDR"),
    ("policy", "PodSecurityPolicy"),
    ("certificates.k8s.io", "CertificateSigningRequest"),
    ("certificates.k8s.io", "ClusterTrustBundle"),
    ("flowcontrol.apiserver.k8s.io", "FlowSchema"),
    ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"),
    ("resource.k8s.io", "DeviceClass"),
];

#[must_use]
pub fn is_builtin_cluster_scoped(group: &str, kind: &str) -> bool {
    CLUSTER_SCOPED.iter().any(|&(g, k)| g == group && k == kind)
}

/// Where built-in workload kinds keep their PodSpec. Other kinds are searched
/// by shape (see `refs::pod_spec_paths`).
#[must_use]
pub fn builtin_pod_spec_path(group: &str, kind: &str) -> Option<&'static [&'static str]> {
    match (group, kind) {
        ("", "Pod") => Some(&["spec"]),
        ("", "PodTemplate") => Some(&["template", "spec"]),
        ("", "ReplicationController")
        | ("apps", "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet")
        | ("batch", "Job") => Some(&["spec", "template", "spec"]),
        ("batch", "CronJob") => Some(&["spec", "jobTemplate", "spec", "template", "spec"]),
        _ => None,
    }
}

/// The API groups of Kubernetes itself. Their kinds are known: PodSpecs sit
/// where [`builtin_pod_spec_path`] says, so they are never searched by shape.
const BUILTIN_GROUPS: &[&str] = &[
    "",
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
    "apiregistration.k8s.io",
    "apps",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "autoscaling",
    "batch",
    "certificates.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "events.k8s.io",
    "extensions",
    "flowcontrol.apiserver.k8s.io",
    "internal.apiserver.k8s.io",
    "networking.k8s.io",
    "node.k8s.io",
    "policy",
    "rbac.authorization.k8s.io",
    "resource.k8s.io",
    "scheduling.k8s.io",
    "storage.k8s.io",
    "storagemigration.k8s.io",
];

#[must_use]
pub fn is_builtin_group(group: &str) -> bool {
    BUILTIN_GROUPS.contains(&group)
}

/// Policy and mutation engines: their objects embed pod specs and container
/// snippets to match or inject, not workloads. Their ConfigMap names are
/// not uses, and rewriting them would inject the new name everywhere.
const POLICY_GROUPS: &[&str] = &[
    "kyverno.io",
    "policies.kyverno.io",
    "mutations.gatekeeper.sh",
    "templates.gatekeeper.sh",
    "constraints.gatekeeper.sh",
    "expansion.gatekeeper.sh",
    "policies.kubewarden.io",
    "policy.jspolicy.com",
];

/// Whether objects of this group are policies (see [`POLICY_GROUPS`]).
#[must_use]
pub fn is_policy(group: &str, _kind: &str) -> bool {
    POLICY_GROUPS.contains(&group)
}

/// Cluster-scoped kinds of projects platform teams run, by (group, kind;
/// "*" for every kind of the group): they get no default namespace even
/// when their CustomResourceDefinition is not in the input. Each from the
/// project's CRD (`scope: Cluster`).
const CLUSTER_SCOPED_CUSTOM: &[(&str, &str)] = &[
    ("cert-manager.io", "ClusterIssuer"),
    ("trust.cert-manager.io", "Bundle"),
    ("kyverno.io", "ClusterPolicy"),
    ("kyverno.io", "ClusterCleanupPolicy"),
    ("policies.kyverno.io", "ValidatingPolicy"),
    ("wgpolicyk8s.io", "ClusterPolicyReport"),
    ("templates.gatekeeper.sh", "ConstraintTemplate"),
    ("constraints.gatekeeper.sh", "*"),
    ("mutations.gatekeeper.sh", "*"),
    ("expansion.gatekeeper.sh", "ExpansionTemplate"),
    ("policies.kubewarden.io", "ClusterAdmissionPolicy"),
    ("gateway.networking.k8s.io", "GatewayClass"),
    ("external-secrets.io", "ClusterSecretStore"),
    ("external-secrets.io", "ClusterExternalSecret"),
    ("keda.sh", "ClusterTriggerAuthentication"),
    ("argoproj.io", "ClusterWorkflowTemplate"),
    ("tekton.dev", "ClusterTask"),
    ("triggers.tekton.dev", "ClusterTriggerBinding"),
    ("triggers.tekton.dev", "ClusterInterceptor"),
    ("karpenter.sh", "NodePool"),
    ("karpenter.sh", "NodeClaim"),
    ("karpenter.k8s.aws", "EC2NodeClass"),
    ("pkg.crossplane.io", "Provider"),
    ("pkg.crossplane.io", "Configuration"),
    ("pkg.crossplane.io", "Function"),
    ("apiextensions.crossplane.io", "CompositeResourceDefinition"),
    ("apiextensions.crossplane.io", "Composition"),
    ("crd.projectcalico.org", "GlobalNetworkPolicy"),
    ("crd.projectcalico.org", "GlobalNetworkSet"),
    ("crd.projectcalico.org", "IPPool"),
    ("crd.projectcalico.org", "FelixConfiguration"),
    ("crd.projectcalico.org", "BGPConfiguration"),
    ("crd.projectcalico.org", "BGPPeer"),
    ("cilium.io", "CiliumClusterwideNetworkPolicy"),
    ("cilium.io", "CiliumLoadBalancerIPPool"),
    ("cilium.io", "CiliumNode"),
    ("snapshot.storage.k8s.io", "VolumeSnapshotClass"),
    ("snapshot.storage.k8s.io", "VolumeSnapshotContent"),
];

/// Which kinds are cluster-scoped: built-in ones, well-known custom ones,
/// and those whose CustomResourceDefinition in the input says so (a CRD
/// in the input wins over the well-known list either way).
#[derive(Debug, Default)]
pub struct Scopes {
    crds: std::collections::HashMap<(String, String), bool>,
}

impl Scopes {
    #[must_use]
    pub fn of(objects: &[crate::model::Object]) -> Self {
        let mut crds = std::collections::HashMap::new();
        for o in objects.iter().filter(|o| o.kind() == "CustomResourceDefinition") {
            let Some(spec) = o.value.get("spec") else { continue };
            let field = |v: Option<&serde_json::Value>| v.and_then(serde_json::Value::as_str).map(str::to_string);
            let (Some(group), Some(kind)) =
                (field(spec.get("group")), field(spec.get("names").and_then(|n| n.get("kind"))))
            else {
                continue;
            };
            crds.insert((group, kind), field(spec.get("scope")).as_deref() == Some("Cluster"));
        }
        Scopes { crds }
    }

    #[must_use]
    pub fn is_cluster_scoped(&self, group: &str, kind: &str) -> bool {
        if let Some(&cluster) = self.crds.get(&(group.to_string(), kind.to_string())) {
            return cluster;
        }
        is_builtin_cluster_scoped(group, kind)
            || CLUSTER_SCOPED_CUSTOM.iter().any(|&(g, k)| g == group && (k == kind || k == "*"))
    }
}

/// Kinds that hold objects (or containers) to be created later, elsewhere:
/// a Tekton TriggerTemplate's resource templates, a provider-kubernetes
/// Object's manifest, a Crossplane Composition's bases, Velero's restore
/// hooks, OpenTelemetry's injected environment, a HelmRelease's or an Argo
/// CD Application's chart values. Their embedded containers
/// are not searched by shape (they are not this object's uses, and may land
/// in another namespace); the stale-name scan still reads them, so a
/// renamed object named there is an error rather than a silent miss.
const OBJECT_TEMPLATES: &[(&str, &str)] = &[
    ("triggers.tekton.dev", "TriggerTemplate"),
    ("kubernetes.crossplane.io", "Object"),
    ("kubernetes.m.crossplane.io", "Object"),
    ("apiextensions.crossplane.io", "Composition"),
    ("velero.io", "Restore"),
    ("opentelemetry.io", "Instrumentation"),
    ("helm.toolkit.fluxcd.io", "HelmRelease"),
    ("argoproj.io", "Application"),
    ("argoproj.io", "ApplicationSet"),
];

#[must_use]
pub fn is_object_template(group: &str, kind: &str) -> bool {
    OBJECT_TEMPLATES.iter().any(|&(g, k)| g == group && k == kind)
}

/// Kinds whose embedded values land in another namespace than their own:
/// a Flux HelmRelease's `spec.values` go to `spec.targetNamespace`, an Argo
/// CD Application's sources to `spec.destination.namespace`. (path prefixes
/// of that content, path of the namespace field).
type Embedded = (&'static [&'static [&'static str]], &'static [&'static str]);

#[must_use]
pub fn embedded_namespace(group: &str, kind: &str) -> Option<Embedded> {
    match (group, kind) {
        ("helm.toolkit.fluxcd.io", "HelmRelease") => Some((&[&["spec", "values"]], &["spec", "targetNamespace"])),
        ("argoproj.io", "Application") => {
            Some((&[&["spec", "source"], &["spec", "sources"]], &["spec", "destination", "namespace"]))
        }
        _ => None,
    }
}

/// A DNS-1123 subdomain, as the API server requires of ConfigMap/Secret names.
#[must_use]
pub fn valid_name(name: &str) -> bool {
    name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}
