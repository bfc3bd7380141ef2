//! Objects that programs find through the API by a name compiled into them.
//! Renaming one breaks a cluster silently (the program reads or writes the
//! old name; pods mount an empty immutable copy), and nothing in the
//! manifests gives it away, so imprint keeps a list. Sources: the ground
//! truth in `tests/data/corpus/README.md` and the upstream code cited per entry.

use crate::model::BundleKind;

/// One fixed-name object: kind, name, namespace (`None`: any) and why.
pub struct FixedName {
    pub target: BundleKind,
    pub name: &'static str,
    pub namespace: Option<&'static str>,
    pub reason: &'static str,
}

const fn cm(name: &'static str, namespace: Option<&'static str>, reason: &'static str) -> FixedName {
    FixedName { target: BundleKind::ConfigMap, name, namespace, reason }
}

const fn secret(name: &'static str, namespace: Option<&'static str>, reason: &'static str) -> FixedName {
    FixedName { target: BundleKind::Secret, name, namespace, reason }
}

pub const FIXED_NAMES: &[FixedName] = &[
    // Argo CD reads its settings by constant names (argo-cd common/common.go,
    // util/settings/settings.go); renaming argocd-cm runs Argo CD on defaults.
    cm("argocd-cm", None, "Argo CD reads its settings from argocd-cm by name (common.ArgoCDConfigMapName)"),
    cm("argocd-rbac-cm", None, "Argo CD's RBAC enforcer watches argocd-rbac-cm by name"),
    cm(
        "argocd-cmd-params-cm",
        None,
        "`argocd admin` and the documented restart workflow read argocd-cmd-params-cm by name",
    ),
    cm("argocd-gpg-keys-cm", None, "`argocd gpg add/rm` writes argocd-gpg-keys-cm by name"),
    cm("argocd-ssh-known-hosts-cm", None, "`argocd cert add-ssh` writes argocd-ssh-known-hosts-cm by name"),
    cm("argocd-tls-certs-cm", None, "`argocd cert add-tls` writes argocd-tls-certs-cm by name"),
    cm("argocd-notifications-cm", None, "the notifications controller watches argocd-notifications-cm by name"),
    secret(
        "argocd-notifications-secret",
        None,
        "the notifications controller reads argocd-notifications-secret by name",
    ),
    secret("argocd-secret", None, "Argo CD reads and writes argocd-secret (server.secretkey) by name"),
    secret("argocd-redis", None, "argocd admin redis-initial-password creates argocd-redis at run time"),
    secret(
        "argocd-initial-admin-secret",
        None,
        "the API server writes argocd-initial-admin-secret at first start and `argocd admin initial-password` reads it by name",
    ),
    secret(
        "argocd-server-tls",
        None,
        "the API server watches argocd-server-tls by name for its TLS certificate (util/settings externalServerTLSSecretName)",
    ),
    cm("argocd-image-updater-config", None, "Argo CD Image Updater reads its config by name"),
    secret("argocd-image-updater-secret", None, "Argo CD Image Updater reads its secret by name"),
    // MetalLB's cert rotation writes the Secret named by --webhook-secret,
    // whose default is compiled in (controller/main.go).
    secret(
        "metallb-webhook-cert",
        None,
        "MetalLB's controller rotates its webhook certificate into metallb-webhook-cert by its default name",
    ),
    secret(
        "memberlist",
        Some("metallb-system"),
        "MetalLB's controller creates and reads the memberlist Secret by name",
    ),
    // SPIRE's k8sbundle notifier PATCHes the bundle ConfigMap by its default name.
    cm("spire-bundle", None, "the SPIRE server's k8sbundle notifier patches spire-bundle by its default name"),
    // EKS maps IAM identities from kube-system/aws-auth.
    cm("aws-auth", Some("kube-system"), "EKS reads IAM-to-RBAC mappings from kube-system/aws-auth by name"),
    // kubeadm manages these by name during init and upgrade.
    cm("coredns", Some("kube-system"), "kubeadm manages and migrates kube-system/coredns by name"),
    cm("kube-proxy", Some("kube-system"), "kubeadm manages kube-system/kube-proxy by name"),
    cm("kubeadm-config", Some("kube-system"), "kubeadm reads its cluster configuration by name"),
    cm("kubelet-config", Some("kube-system"), "kubeadm reads the kubelet configuration by name"),
    cm("cluster-info", Some("kube-public"), "kubeadm's bootstrap reads kube-public/cluster-info by name"),
    cm(
        "extension-apiserver-authentication",
        Some("kube-system"),
        "the API server publishes it and aggregated servers read it by name",
    ),
    cm("kube-root-ca.crt", None, "kube-controller-manager writes kube-root-ca.crt in every namespace"),
    // Linkerd's CLI, heartbeat, upgrades and extensions read these by constant names.
    cm("linkerd-config", None, "linkerd check/upgrade, the heartbeat and the extensions read linkerd-config by name"),
    secret("linkerd-identity-issuer", None, "linkerd check/upgrade read linkerd-identity-issuer by name"),
    cm(
        "linkerd-identity-trust-roots",
        None,
        "linkerd check and trust-root rotation read linkerd-identity-trust-roots by name",
    ),
    secret("linkerd-config-overrides", None, "linkerd upgrade reads linkerd-config-overrides by name"),
    // Kubernetes Dashboard gets and creates these by constant names at start.
    secret(
        "kubernetes-dashboard-csrf",
        None,
        "the dashboard reads and writes its CSRF key in kubernetes-dashboard-csrf by name",
    ),
    secret(
        "kubernetes-dashboard-key-holder",
        None,
        "the dashboard's key synchronizer creates and updates kubernetes-dashboard-key-holder by name",
    ),
    cm(
        "kubernetes-dashboard-settings",
        None,
        "the dashboard's settings manager reads kubernetes-dashboard-settings by name",
    ),
    secret("kubernetes-dashboard-certs", None, "the dashboard hides kubernetes-dashboard-certs from its UI by name"),
    // Knative reads its config-* ConfigMaps through knative.dev/pkg watchers by name.
    cm("config-autoscaler", Some("knative-serving"), "Knative watches its config ConfigMaps by name"),
    cm("config-certmanager", Some("knative-serving"), "Knative watches its config ConfigMaps by name"),
    cm("config-defaults", Some("knative-serving"), "Knative watches its config ConfigMaps by name"),
    cm("config-deployment", Some("knative-serving"), "Knative watches its config ConfigMaps by name"),
    cm("config-domain", Some("knative-serving"), "Knative watches its config ConfigMaps by name"),
    cm("config-features", Some("knative-serving"), "Knative watches its config ConfigMaps by name"),
    cm("config-gc", Some("knative-serving"), "Knative watches its config ConfigMaps by name"),
    cm("config-leader-election", None, "knative.dev/pkg leader election reads config-leader-election by name"),
    cm("config-network", Some("knative-serving"), "Knative watches its config ConfigMaps by name"),
    cm("config-logging", None, "knative.dev/pkg logging reads config-logging by name"),
    cm("config-observability", None, "knative.dev/pkg observability reads config-observability by name"),
    cm("config-tracing", Some("knative-serving"), "Knative watches its config ConfigMaps by name"),
    cm("config-kourier", Some("knative-serving"), "net-kourier watches config-kourier by name"),
    secret(
        "webhook-certs",
        Some("knative-serving"),
        "the Knative webhook writes and reads its serving certificate in webhook-certs",
    ),
    // Istio's control plane and agents find these by name.
    cm("istio", Some("istio-system"), "istiod reads the mesh config from istio-system/istio by name"),
    cm("istio-sidecar-injector", Some("istio-system"), "istiod reads the injection template by name"),
    cm("istio-ca-root-cert", None, "istiod writes istio-ca-root-cert in every namespace"),
    secret("cacerts", Some("istio-system"), "istiod reads plug-in CA certificates from istio-system/cacerts by name"),
    // cert-manager's webhook manages its dynamic serving CA by name.
    secret(
        "cert-manager-webhook-ca",
        None,
        "cert-manager's webhook writes its serving CA into cert-manager-webhook-ca",
    ),
    // Sealed Secrets keeps its key pairs by label, but the active key by name.
    secret("sealed-secrets-key", Some("kube-system"), "the Sealed Secrets controller reads its key by name"),
    // Argo Workflows' controller falls back to this name when a Workflow's
    // artifactRepositoryRef names no ConfigMap (argo-workflows v4.1.2
    // workflow/artifactrepositories; tests/data/real/argo-workflows).
    cm(
        "artifact-repositories",
        None,
        "Argo Workflows reads artifact-repositories by default name when an artifactRepositoryRef names no ConfigMap",
    ),
    // Gatekeeper's cert rotator writes its webhook certificate into a
    // constant name (gatekeeper main.go `secretName`); both Deployments
    // mount it, and the webhook has failurePolicy: Fail.
    secret(
        "gatekeeper-webhook-server-cert",
        None,
        "Gatekeeper's cert rotator writes the webhook certificate into gatekeeper-webhook-server-cert by a compiled-in name",
    ),
    // KEDA's operator generates its gRPC and webhook certificates into
    // kedaorg-certs (the default of --cert-secret-name and of the chart's
    // certificates.secretName); the three KEDA Deployments mount it.
    secret(
        "kedaorg-certs",
        None,
        "KEDA's operator writes its generated certificates into kedaorg-certs by its default name",
    ),
    // istiod's self-signed CA persists its key in a constant name
    // (security/pkg/pki/ca CASecret) when no cacerts is plugged in.
    secret(
        "istio-ca-secret",
        Some("istio-system"),
        "istiod reads and writes its self-signed CA in istio-system/istio-ca-secret by name",
    ),
    // Cilium's agent and operator read their config by name.
    cm("cilium-config", Some("kube-system"), "Cilium's agent and operator read cilium-config by name"),
];

/// The fixed-name entry that matches, if any.
#[must_use]
pub fn lookup(target: BundleKind, namespace: &str, name: &str) -> Option<&'static FixedName> {
    // An object without a namespace may well be applied into the listed one.
    FIXED_NAMES.iter().find(|f| {
        f.target == target && f.name == name && (namespace.is_empty() || f.namespace.is_none_or(|ns| ns == namespace))
    })
}
