//! The built-in reference table (SPEC §5): every field through which an
//! object names a ConfigMap or Secret, one row per field (or per field of
//! a shared struct, which the project's rows embed at their paths), each
//! with its source. This file is data: `find.rs` applies it, the docs'
//! tables are generated from it (`markdown`), and `tests/reference_table.rs`
//! renders a fixture for every row.
//!
//! Paths use the syntax of imprint.yaml's `references:` (`path.rs`).
//! Every row is a Use (something reads the content) unless it says
//! otherwise (`rule.rs`, [`Role`]). Namespaces: the referrer's own, unless
//! the row names a namespace field (`ns`), says `any_ns` (the reader lives
//! elsewhere), or the referrer is cluster-scoped (then any namespace).
//! Facts were read from each project's API types at the version given.

use super::rule::{Role, Rule, Scope, TargetSpec, Via};
use crate::model::BundleKind;

const CM: TargetSpec = TargetSpec::Fixed(BundleKind::ConfigMap);
const S: TargetSpec = TargetSpec::Fixed(BundleKind::Secret);
/// A typed `{kind, name}` reference: `kind` says ConfigMap or Secret.
const BY_KIND: TargetSpec = TargetSpec::ByField { field: "kind", default: None };
/// Gateway API's SecretObjectReference: `kind` defaults to Secret.
const BY_KIND_OR_SECRET: TargetSpec = TargetSpec::ByField { field: "kind", default: Some(BundleKind::Secret) };
/// External Secrets' CAProvider: `type` says ConfigMap or Secret.
const BY_TYPE: TargetSpec = TargetSpec::ByField { field: "type", default: None };

/// Keys under which a mapping is a container even without an `image`
/// (Tekton's `stepTemplate` holds only defaults).
pub const CONTAINER_KEYS: &[&str] =
    &["containers", "initContainers", "ephemeralContainers", "sidecars", "steps", "stepTemplate", "container"];

/// Command-line flags that name a ConfigMap or Secret, by how their name
/// ends (`--tcp-services-configmap=ns/name`, `--webhook-secret=name`);
/// ingress-nginx's `--default-ssl-certificate` takes a Secret's `ns/name`.
pub const FLAG_SUFFIXES: &[(&str, BundleKind)] = &[
    ("configmap", BundleKind::ConfigMap),
    ("config-map", BundleKind::ConfigMap),
    ("configmap-name", BundleKind::ConfigMap),
    ("config-map-name", BundleKind::ConfigMap),
    ("secret", BundleKind::Secret),
    ("secret-name", BundleKind::Secret),
    ("default-ssl-certificate", BundleKind::Secret),
];

/// Annotations with which cert-manager's ingress-shim and gateway-shim
/// create the TLS Secrets an Ingress or Gateway names (cert-manager v1.21.1
/// pkg/controller/certificate-shim/sync.go:825, `hasShimAnnotation`;
/// `kubernetes.io/tls-acme` is the default of --auto-certificate-annotations).
const CERT_MANAGER_SHIM: &[&str] =
    &["cert-manager.io/issuer", "cert-manager.io/cluster-issuer", "kubernetes.io/tls-acme"];

/// The table.
#[must_use]
pub fn builtin() -> &'static [Rule] {
    static TABLE: std::sync::OnceLock<Vec<Rule>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut rows = Vec::new();
        for section in [
            kubernetes,
            ingress_nginx,
            prometheus_operator,
            cert_manager,
            trust_manager,
            flux,
            gateway_api,
            external_secrets,
            keda,
            traefik,
            contour,
            istio,
            argo_workflows,
            tekton,
            eck,
            velero,
            opentelemetry,
            crossplane,
            sealed_secrets,
            secret_writers,
        ] {
            rows.extend(section());
        }
        rows
    })
}

fn pod(path: &'static str, target: TargetSpec) -> Rule {
    Rule::new(Scope::PodSpec, "", "", path, target).src("k8s.io/api v0.35 core/v1 PodSpec")
}

fn container(path: &'static str, target: TargetSpec) -> Rule {
    Rule::new(Scope::Container, "", "", path, target).src("k8s.io/api v0.35 core/v1 Container")
}

fn volume(path: &'static str, target: TargetSpec) -> Rule {
    Rule::new(Scope::Volume, "", "", path, target).via(Via::Volume).src("k8s.io/api v0.35 core/v1 VolumeSource")
}

fn on(
    group: &'static str,
    kind: &'static str,
    path: impl Into<std::borrow::Cow<'static, str>>,
    target: TargetSpec,
) -> Rule {
    Rule::new(Scope::Kind, group, kind, path, target)
}

/// Rows for several kinds that share a schema.
fn each(kinds: &[&'static str], row: impl Fn(&'static str) -> Vec<Rule>) -> Vec<Rule> {
    kinds.iter().flat_map(|k| row(k)).collect()
}

/// Sets the project on every row of a section.
fn project(name: &'static str, rows: Vec<Rule>) -> Vec<Rule> {
    rows.into_iter().map(|r| r.project(name)).collect()
}

#[rustfmt::skip]
fn kubernetes() -> Vec<Rule> {
    const PV: &str = "k8s.io/api v0.35 core/v1 PersistentVolumeSource";
    const SC: &str = "kustomize v5.8.1 namereference.go:278-284; CSI external-provisioner docs (csi.storage.k8s.io/*-secret-name)";
    let mut rows = vec![
        pod("imagePullSecrets[].name", S).via(Via::ImagePullSecret),
        container("env[].valueFrom.configMapKeyRef.name", CM).key("key").via(Via::Env),
        container("env[].valueFrom.secretKeyRef.name", S).key("key").via(Via::Env),
        container("envFrom[].configMapRef.name", CM).via(Via::EnvFrom),
        container("envFrom[].secretRef.name", S).via(Via::EnvFrom),
        container("args[]", TargetSpec::Flag).role(Role::ByName).via(Via::Argument).src("program flags --<…configmap|secret>=[ns/]name (ingress-nginx --configmap, --tcp-services-configmap, --default-ssl-certificate; MetalLB --webhook-secret)"),
        container("command[]", TargetSpec::Flag).role(Role::ByName).via(Via::Argument).src("program flags, as args[]"),
        volume("configMap.name", CM).items(),
        volume("secret.secretName", S).items(),
        volume("projected.sources[].configMap.name", CM).items().via(Via::Projected),
        volume("projected.sources[].secret.name", S).items().via(Via::Projected),
        volume("csi.nodePublishSecretRef.name", S),
        volume("cephfs.secretRef.name", S),
        volume("cinder.secretRef.name", S),
        volume("flexVolume.secretRef.name", S),
        volume("iscsi.secretRef.name", S),
        volume("rbd.secretRef.name", S),
        volume("scaleIO.secretRef.name", S),
        volume("storageos.secretRef.name", S),
        volume("azureFile.secretName", S),
        on("", "ServiceAccount", "secrets[].name", S).via(Via::ServiceAccount).src("k8s.io/api v0.35 core/v1 ServiceAccount"),
        on("", "ServiceAccount", "imagePullSecrets[].name", S).via(Via::ImagePullSecret).src("k8s.io/api v0.35 core/v1 ServiceAccount"),
        on("networking.k8s.io", "Ingress", "spec.tls[].secretName", S).via(Via::IngressTls).src("k8s.io/api v0.35 networking/v1 IngressTLS"),
        on("extensions", "Ingress", "spec.tls[].secretName", S).via(Via::IngressTls).src("extensions/v1beta1 IngressTLS (removed in Kubernetes 1.22)"),
        on("rbac.authorization.k8s.io", "Role", "rules[]", TargetSpec::Rbac).role(Role::Rbac).via(Via::Rbac).src("k8s.io/api v0.35 rbac/v1 PolicyRule.resourceNames, rules on core configmaps/secrets"),
        on("rbac.authorization.k8s.io", "ClusterRole", "rules[]", TargetSpec::Rbac).role(Role::Rbac).via(Via::Rbac).src("k8s.io/api v0.35 rbac/v1 PolicyRule.resourceNames, rules on core configmaps/secrets"),
        on("", "Node", "spec.configSource.configMap.name", CM).ns("namespace").key("kubeletConfigKey").src("k8s.io/api v0.35 core/v1 ConfigMapNodeConfigSource (deprecated); kustomize namereference.go:135"),
        on("", "PersistentVolume", "spec.csi.*SecretRef.name", S).ns("namespace").src(PV),
        on("", "PersistentVolume", "spec.azureFile.secretName", S).ns("secretNamespace").src(PV),
    ];
    for src in ["cephfs", "cinder", "flexVolume", "iscsi", "rbd", "scaleIO", "storageos"] {
        rows.push(on("", "PersistentVolume", format!("spec.{src}.secretRef.name"), S).ns("namespace").src(PV));
    }
    for row in rows.iter_mut().filter(|r| r.kind == "PersistentVolume") {
        *row = row.clone().role(Role::Immutable).via(Via::PersistentVolume);
    }
    // StorageClass parameters are immutable, so they count like a PV's.
    for (name, ns) in [("adminSecretName", Some("adminSecretNamespace")), ("secretName", Some("secretNamespace")), ("userSecretName", None), ("secretRef", None)] {
        let r = on("storage.k8s.io", "StorageClass", format!("parameters.{name}"), S).role(Role::Immutable).via(Via::StorageClass).src(SC);
        rows.push(match ns { Some(ns) => r.ns(ns), None => r.any_ns() });
    }
    for (name, ns) in [
        ("provisioner-secret-name", "csi.storage.k8s.io/provisioner-secret-namespace"),
        ("node-stage-secret-name", "csi.storage.k8s.io/node-stage-secret-namespace"),
        ("node-publish-secret-name", "csi.storage.k8s.io/node-publish-secret-namespace"),
        ("controller-publish-secret-name", "csi.storage.k8s.io/controller-publish-secret-namespace"),
        ("controller-expand-secret-name", "csi.storage.k8s.io/controller-expand-secret-namespace"),
        ("node-expand-secret-name", "csi.storage.k8s.io/node-expand-secret-namespace"),
    ] {
        let key = format!("parameters[\"csi.storage.k8s.io/{name}\"]");
        rows.push(on("storage.k8s.io", "StorageClass", key, S).ns(ns).role(Role::Immutable).via(Via::StorageClass).src(SC));
    }
    project("Kubernetes", rows)
}

#[rustfmt::skip]
fn ingress_nginx() -> Vec<Rule> {
    const SRC: &str = "ingress-nginx v1.15 docs/user-guide/nginx-configuration/annotations.md; kustomize namereference.go:141,268-272";
    let ann = |prefix: &str, name: &str, target| {
        on("networking.k8s.io", "Ingress", format!("metadata.annotations[\"{prefix}/{name}\"]"), target).via(Via::IngressAnnotation).src(SRC)
    };
    let mut rows = Vec::new();
    for prefix in ["nginx.ingress.kubernetes.io", "ingress.kubernetes.io"] {
        rows.extend([
            ann(prefix, "auth-secret", S),
            ann(prefix, "auth-tls-secret", S),
            ann(prefix, "proxy-ssl-secret", S),
            ann(prefix, "fastcgi-params-configmap", CM),
            ann(prefix, "auth-proxy-set-headers", CM),
            ann(prefix, "custom-headers", CM),
        ]);
    }
    project("ingress-nginx", rows)
}

/// prometheus-operator's shared structs (v0.93.0, pkg/apis/monitoring/v1):
/// the paths below one of them, with the kind they name.
type Fields = &'static [(&'static str, BundleKind)];
const SECRET_OR_CM: Fields = &[("configMap.name", BundleKind::ConfigMap), ("secret.name", BundleKind::Secret)];
const SAFE_TLS: Fields = &[
    ("ca.configMap.name", BundleKind::ConfigMap),
    ("ca.secret.name", BundleKind::Secret),
    ("cert.configMap.name", BundleKind::ConfigMap),
    ("cert.secret.name", BundleKind::Secret),
    ("keySecret.name", BundleKind::Secret),
];
const WEB_TLS: Fields = &[
    ("cert.configMap.name", BundleKind::ConfigMap),
    ("cert.secret.name", BundleKind::Secret),
    ("client_ca.configMap.name", BundleKind::ConfigMap),
    ("client_ca.secret.name", BundleKind::Secret),
    ("keySecret.name", BundleKind::Secret),
];
const BASIC_AUTH: Fields = &[("username.name", BundleKind::Secret), ("password.name", BundleKind::Secret)];
const AUTHORIZATION: Fields = &[("credentials.name", BundleKind::Secret)];
const OAUTH2: Fields = &[
    ("clientId.configMap.name", BundleKind::ConfigMap),
    ("clientId.secret.name", BundleKind::Secret),
    ("clientSecret.name", BundleKind::Secret),
    ("proxyConnectHeader.*[].name", BundleKind::Secret),
    ("tlsConfig.ca.configMap.name", BundleKind::ConfigMap),
    ("tlsConfig.ca.secret.name", BundleKind::Secret),
    ("tlsConfig.cert.configMap.name", BundleKind::ConfigMap),
    ("tlsConfig.cert.secret.name", BundleKind::Secret),
    ("tlsConfig.keySecret.name", BundleKind::Secret),
];
const SIGV4: Fields = &[("accessKey.name", BundleKind::Secret), ("secretKey.name", BundleKind::Secret)];
const AZURE_AD: Fields = &[("oauth.clientSecret.name", BundleKind::Secret)];
const PROXY: Fields = &[("proxyConnectHeader.*[].name", BundleKind::Secret)];
const SELECTOR: Fields = &[("name", BundleKind::Secret)];
/// Where each struct is defined, for the source column.
const PROM_SRC: &str = "prometheus-operator v0.93.0 pkg/apis/monitoring";

#[rustfmt::skip]
fn prometheus_operator() -> Vec<Rule> {
    const G: &str = "monitoring.coreos.com";
    // (prefix, struct, where the struct is defined)
    let embed = |kind: &'static str, prefix: &str, fields: Fields, def: &str| -> Vec<Rule> {
        fields
            .iter()
            .map(|(rel, t)| {
                let path = if prefix.is_empty() { (*rel).to_string() } else { format!("{prefix}.{rel}") };
                on(G, kind, path, TargetSpec::Fixed(*t)).key("key").src(format!("{PROM_SRC}/{def}"))
            })
            .collect()
    };
    // The HTTP client shape (endpoints, remote write, service discovery),
    // with the members it has: authorization, basicAuth, oauth2, proxy
    // (proxyConnectHeader), tlsConfig.
    let client = |kind: &'static str, prefix: &str, members: &[&str]| -> Vec<Rule> {
        let p = |f: &str| format!("{prefix}.{f}");
        let mut rows = Vec::new();
        for m in members {
            rows.extend(match *m {
                "authorization" => embed(kind, &p(m), AUTHORIZATION, "v1/prometheus_types.go:2576 SafeAuthorization"),
                "basicAuth" => embed(kind, &p(m), BASIC_AUTH, "v1/types.go:742 BasicAuth"),
                "oauth2" => embed(kind, &p(m), OAUTH2, "v1/types.go:670 OAuth2"),
                "proxy" => embed(kind, prefix, PROXY, "v1/types.go:93 ProxyConfig"),
                "tlsConfig" => embed(kind, &p(m), SAFE_TLS, "v1/tls_types.go:117 SafeTLSConfig"),
                other => unreachable!("no HTTP client member {other}"),
            });
        }
        rows
    };
    const FULL: &[&str] = &["authorization", "basicAuth", "oauth2", "proxy", "tlsConfig"];
    let http_client = |kind: &'static str, prefix: &str| client(kind, prefix, FULL);
    let remote_write = |kind: &'static str| -> Vec<Rule> {
        [
            http_client(kind, "spec.remoteWrite[]"),
            embed(kind, "spec.remoteWrite[].sigv4", SIGV4, "v1/prometheus_types.go:1968 Sigv4"),
            embed(kind, "spec.remoteWrite[].azureAd", AZURE_AD, "v1/prometheus_types.go:2001 AzureAD"),
        ]
        .concat()
    };
    let workload = |kind: &'static str| -> Vec<Rule> {
        vec![
            on(G, kind, "spec.imagePullSecrets[].name", S).via(Via::ImagePullSecret).src(format!("{PROM_SRC}/v1 {kind}Spec.ImagePullSecrets")),
        ]
    };
    let mut rows = Vec::new();
    // Prometheus and PrometheusAgent (CommonPrometheusFields).
    for kind in ["Prometheus", "PrometheusAgent"] {
        rows.extend(workload(kind));
        rows.push(on(G, kind, "spec.secrets[]", S).role(Role::Pinned).src(format!("{PROM_SRC}/v1/prometheus_types.go CommonPrometheusFields.Secrets: mounted at /etc/prometheus/secrets/<name>")));
        rows.push(on(G, kind, "spec.configMaps[]", CM).role(Role::Pinned).src(format!("{PROM_SRC}/v1/prometheus_types.go:487 CommonPrometheusFields.ConfigMaps: mounted at /etc/prometheus/configmaps/<name>")));
        rows.extend(embed(kind, "spec.additionalScrapeConfigs", SELECTOR, "v1/prometheus_types.go:604 AdditionalScrapeConfigs"));
        rows.extend(client(kind, "spec.apiserverConfig", &["authorization", "basicAuth", "proxy", "tlsConfig"]));
        rows.extend(remote_write(kind));
        rows.extend(embed(kind, "spec.scrapeClasses[].authorization", AUTHORIZATION, "v1/prometheus_types.go:2607 Authorization"));
        rows.extend(embed(kind, "spec.scrapeClasses[].tlsConfig", SAFE_TLS, "v1/tls_types.go:36 TLSConfig"));
        rows.extend(embed(kind, "spec.tracingConfig.tlsConfig", SAFE_TLS, "v1/types.go:1078 TracingConfig.TLSConfig"));
        rows.extend(embed(kind, "spec.web.tlsConfig", WEB_TLS, "v1/types.go:403 WebTLSConfig"));
    }
    rows.extend(embed("Prometheus", "spec.additionalAlertManagerConfigs", SELECTOR, "v1/prometheus_types.go:1310"));
    rows.extend(embed("Prometheus", "spec.additionalAlertRelabelConfigs", SELECTOR, "v1/prometheus_types.go:1294"));
    rows.extend(client("Prometheus", "spec.alerting.alertmanagers[]", &["authorization", "basicAuth", "proxy", "tlsConfig"]));
    rows.extend(embed("Prometheus", "spec.alerting.alertmanagers[].sigv4", SIGV4, "v1/prometheus_types.go:1968 Sigv4"));
    rows.extend(http_client("Prometheus", "spec.remoteRead[]"));
    rows.extend(embed("Prometheus", "spec.thanos.objectStorageConfig", SELECTOR, "v1/prometheus_types.go:1627"));
    rows.extend(embed("Prometheus", "spec.thanos.tracingConfig", SELECTOR, "v1/prometheus_types.go:1664"));
    // The operator documents grpcServerTlsConfig's ca/cert/keySecret as
    // unsupported and never reads them: they follow a rename, nothing more.
    for kind_prefix in [("Prometheus", "spec.thanos.grpcServerTlsConfig"), ("ThanosRuler", "spec.grpcServerTlsConfig")] {
        rows.extend(embed(kind_prefix.0, kind_prefix.1, SAFE_TLS, "v1/tls_types.go:43 GRPCServerTLSConfig (ignored)").into_iter().map(|r| r.role(Role::Follow)));
    }
    // Alertmanager.
    rows.extend(workload("Alertmanager"));
    rows.push(on(G, "Alertmanager", "spec.secrets[]", S).role(Role::Pinned).src(format!("{PROM_SRC}/v1/alertmanager_types.go Secrets: mounted at /etc/alertmanager/secrets/<name>")));
    rows.push(on(G, "Alertmanager", "spec.configMaps[]", CM).role(Role::Pinned).src(format!("{PROM_SRC}/v1/alertmanager_types.go ConfigMaps: mounted at /etc/alertmanager/configmaps/<name>")));
    rows.push(on(G, "Alertmanager", "spec.configSecret", S).src(format!("{PROM_SRC}/v1/alertmanager_types.go ConfigSecret; pkg/alertmanager/statefulset.go:845")));
    rows.extend(embed("Alertmanager", "spec.alertmanagerConfiguration.templates[]", SECRET_OR_CM, "v1/types.go:755 SecretOrConfigMap"));
    rows.extend(embed("Alertmanager", "spec.clusterTLS.client", SAFE_TLS, "v1/tls_types.go:117 SafeTLSConfig"));
    rows.extend(embed("Alertmanager", "spec.clusterTLS.server", WEB_TLS, "v1/types.go:403 WebTLSConfig"));
    rows.extend(embed("Alertmanager", "spec.web.tlsConfig", WEB_TLS, "v1/types.go:403 WebTLSConfig"));
    let global = "spec.alertmanagerConfiguration.global";
    rows.extend(http_client("Alertmanager", &format!("{global}.httpConfig")));
    rows.extend(embed("Alertmanager", &format!("{global}.httpConfig.bearerTokenSecret"), SELECTOR, "v1/alertmanager_types.go GlobalHTTPConfig"));
    for f in ["mattermost.webhookURL", "opsGenieApiKey", "opsGenieApiUrl", "rocketChat.token", "rocketChat.tokenID", "slackApiUrl", "smtp.authPassword", "smtp.authSecret", "victorops.apiKey", "wechat.apiSecret"] {
        rows.extend(embed("Alertmanager", &format!("{global}.{f}"), SELECTOR, "v1/alertmanager_types.go AlertmanagerGlobalConfig"));
    }
    rows.extend(embed("Alertmanager", &format!("{global}.smtp.tlsConfig"), SAFE_TLS, "v1/tls_types.go:117 SafeTLSConfig"));
    // ThanosRuler.
    rows.extend(workload("ThanosRuler"));
    for f in ["alertRelabelConfigs", "alertmanagersConfig", "objectStorageConfig", "queryConfig", "tracingConfig"] {
        rows.extend(embed("ThanosRuler", &format!("spec.{f}"), SELECTOR, "v1/thanos_types.go ThanosRulerSpec"));
    }
    rows.extend(remote_write("ThanosRuler"));
    rows.extend(embed("ThanosRuler", "spec.web.tlsConfig", WEB_TLS, "v1/types.go:403 WebTLSConfig"));
    // ServiceMonitor, PodMonitor, Probe.
    for (kind, prefix) in [("ServiceMonitor", "spec.endpoints[]"), ("PodMonitor", "spec.podMetricsEndpoints[]")] {
        rows.extend(http_client(kind, prefix));
        rows.extend(embed(kind, &format!("{prefix}.bearerTokenSecret"), SELECTOR, "v1 Endpoint.BearerTokenSecret"));
    }
    rows.extend(client("Probe", "spec", &["authorization", "basicAuth", "oauth2", "tlsConfig"]));
    rows.extend(embed("Probe", "spec.bearerTokenSecret", SELECTOR, "v1/probe_types.go BearerTokenSecret"));
    rows.extend(embed("Probe", "spec.prober", PROXY, "v1/types.go:93 ProxyConfig"));
    // ScrapeConfig (v1alpha1): its own client, and each service discovery.
    rows.extend(http_client("ScrapeConfig", "spec"));
    for sd in ["azureSDConfigs", "consulSDConfigs", "dockerSDConfigs", "dockerSwarmSDConfigs", "eurekaSDConfigs", "hetznerSDConfigs", "httpSDConfigs", "kubernetesSDConfigs", "kumaSDConfigs", "lightSailSDConfigs", "nomadSDConfigs", "puppetDBSDConfigs"] {
        rows.extend(http_client("ScrapeConfig", &format!("spec.{sd}[]")));
    }
    for sd in ["digitalOceanSDConfigs", "ionosSDConfigs", "linodeSDConfigs"] {
        rows.extend(client("ScrapeConfig", &format!("spec.{sd}[]"), &["authorization", "oauth2", "proxy", "tlsConfig"]));
    }
    for (sd, fields) in [
        ("azureSDConfigs", &["clientSecret"][..]),
        ("consulSDConfigs", &["tokenRef"]),
        ("ec2SDConfigs", &["accessKey", "secretKey"]),
        ("lightSailSDConfigs", &["accessKey", "secretKey"]),
        ("openstackSDConfigs", &["applicationCredentialSecret", "password"]),
        ("ovhcloudSDConfigs", &["applicationSecret", "consumerKey"]),
        ("scalewaySDConfigs", &["secretKey"]),
    ] {
        for f in fields {
            rows.extend(embed("ScrapeConfig", &format!("spec.{sd}[].{f}"), SELECTOR, "v1alpha1/scrapeconfig_types.go"));
        }
    }
    for sd in ["ec2SDConfigs", "openstackSDConfigs", "scalewaySDConfigs"] {
        rows.extend(embed("ScrapeConfig", &format!("spec.{sd}[].tlsConfig"), SAFE_TLS, "v1/tls_types.go:117 SafeTLSConfig"));
    }
    for sd in ["ec2SDConfigs", "scalewaySDConfigs"] {
        rows.extend(embed("ScrapeConfig", &format!("spec.{sd}[]"), PROXY, "v1/types.go:93 ProxyConfig"));
    }
    // AlertmanagerConfig (v1alpha1 and v1beta1 share these paths).
    let receivers: &[(&str, &[&str])] = &[
        ("discordConfigs", &["apiURL"]),
        ("emailConfigs", &["authPassword", "authSecret"]),
        ("msteamsConfigs", &["webhookUrl"]),
        ("msteamsv2Configs", &["webhookURL"]),
        ("opsgenieConfigs", &["apiKey"]),
        ("pagerdutyConfigs", &["routingKey", "serviceKey"]),
        ("pushoverConfigs", &["token", "userKey"]),
        ("rocketchatConfigs", &["token", "tokenID"]),
        ("slackConfigs", &["apiURL"]),
        ("snsConfigs", &[]),
        ("telegramConfigs", &["botToken"]),
        ("victoropsConfigs", &["apiKey"]),
        ("webexConfigs", &[]),
        ("webhookConfigs", &["urlSecret"]),
        ("wechatConfigs", &["apiSecret"]),
    ];
    for (receiver, fields) in receivers {
        let prefix = format!("spec.receivers[].{receiver}[]");
        for f in *fields {
            rows.extend(embed("AlertmanagerConfig", &format!("{prefix}.{f}"), SELECTOR, "v1alpha1/alertmanager_config_types.go"));
        }
        if *receiver != "emailConfigs" {
            rows.extend(http_client("AlertmanagerConfig", &format!("{prefix}.httpConfig")));
            rows.extend(embed("AlertmanagerConfig", &format!("{prefix}.httpConfig.bearerTokenSecret"), SELECTOR, "v1alpha1/alertmanager_config_types.go:727 HTTPConfig"));
        }
    }
    rows.extend(embed("AlertmanagerConfig", "spec.receivers[].emailConfigs[].tlsConfig", SAFE_TLS, "v1/tls_types.go:117 SafeTLSConfig"));
    rows.extend(embed("AlertmanagerConfig", "spec.receivers[].snsConfigs[].sigv4", SIGV4, "v1/prometheus_types.go:1968 Sigv4"));
    project("prometheus-operator", rows)
}

#[rustfmt::skip]
fn cert_manager() -> Vec<Rule> {
    const G: &str = "cert-manager.io";
    const ISSUER: &str = "cert-manager v1.21.1 pkg/apis/certmanager/v1/types_issuer.go";
    const ACME: &str = "cert-manager v1.21.1 pkg/apis/acme/v1/types_issuer.go";
    let mut rows = each(&["Issuer", "ClusterIssuer"], |kind| {
        let mut r = vec![
            on(G, kind, "spec.ca.secretName", S).src(ISSUER),
            on(G, kind, "spec.vault.auth.clientCertificate.secretName", S).src(ISSUER),
            on(G, kind, "spec.venafi.tpp.credentialsRef.name", S).src(ISSUER),
            on(G, kind, "spec.venafi.ngts.credentialsRef.name", S).src(ISSUER),
            on(G, kind, "spec.acme.privateKeySecretRef.name", S).role(Role::Provides).via(Via::Provider).src(format!("{ACME}: cert-manager writes the ACME account key")),
            on(G, kind, "spec.acme.solvers[].http01.ingress.podTemplate.spec.imagePullSecrets[].name", S).any_ns().via(Via::ImagePullSecret).src(format!("{ACME}: the solver pod runs in the Certificate's namespace")),
            on(G, kind, "spec.acme.solvers[].http01.gatewayHTTPRoute.podTemplate.spec.imagePullSecrets[].name", S).any_ns().via(Via::ImagePullSecret).src(format!("{ACME}: the solver pod runs in the Certificate's namespace")),
        ];
        for f in ["vault.auth.tokenSecretRef", "vault.auth.appRole.secretRef", "vault.auth.kubernetes.secretRef", "vault.caBundleSecretRef", "vault.clientCertSecretRef", "vault.clientKeySecretRef", "venafi.tpp.caBundleSecretRef", "venafi.cloud.apiTokenSecretRef"] {
            r.push(on(G, kind, format!("spec.{f}.name"), S).key("key").src(ISSUER));
        }
        for f in ["acme.externalAccountBinding.keySecretRef", "acme.solvers[].dns01.cloudflare.apiTokenSecretRef", "acme.solvers[].dns01.cloudflare.apiKeySecretRef", "acme.solvers[].dns01.route53.accessKeyIDSecretRef", "acme.solvers[].dns01.route53.secretAccessKeySecretRef", "acme.solvers[].dns01.azureDNS.clientSecretSecretRef", "acme.solvers[].dns01.cloudDNS.serviceAccountSecretRef", "acme.solvers[].dns01.digitalocean.tokenSecretRef", "acme.solvers[].dns01.rfc2136.tsigSecretSecretRef", "acme.solvers[].dns01.akamai.clientTokenSecretRef", "acme.solvers[].dns01.akamai.clientSecretSecretRef", "acme.solvers[].dns01.akamai.accessTokenSecretRef", "acme.solvers[].dns01.acmeDNS.accountSecretRef"] {
            r.push(on(G, kind, format!("spec.{f}.name"), S).key("key").src(ACME));
        }
        r
    });
    const CERT: &str = "cert-manager v1.21.1 pkg/apis/certmanager/v1/types_certificate.go";
    rows.extend([
        on(G, "Certificate", "spec.secretName", S).role(Role::Provides).via(Via::Provider).src(format!("{CERT}: cert-manager writes it")),
        on(G, "Certificate", "spec.keystores.jks.passwordSecretRef.name", S).key("key").src(CERT),
        on(G, "Certificate", "spec.keystores.pkcs12.passwordSecretRef.name", S).key("key").src(CERT),
        on("networking.k8s.io", "Ingress", "spec.tls[].secretName", S).role(Role::Provides).via(Via::Provider).when(CERT_MANAGER_SHIM).src("cert-manager v1.21.1 certificate-shim sync.go:363,825: the annotated Ingress gets a Certificate that writes spec.tls[].secretName"),
        Rule::new(Scope::AnyKind, "", "", "metadata.annotations[\"cert-manager.io/inject-ca-from-secret\"]", S).role(Role::ByName).src("cert-manager v1.21.1 pkg/apis/certmanager/v1/types.go:214: cainjector reads the Secret (ns/name)"),
        on("gateway.networking.k8s.io", "Gateway", "spec.listeners[].tls.certificateRefs[].name", BY_KIND_OR_SECRET).ns("namespace").role(Role::Provides).via(Via::Provider).when(CERT_MANAGER_SHIM).src("cert-manager v1.21.1 certificate-shim sync.go:428: the annotated Gateway gets Certificates that write its certificateRefs"),
    ]);
    project("cert-manager", rows)
}

#[rustfmt::skip]
fn trust_manager() -> Vec<Rule> {
    const SRC: &str = "trust-manager v0.24.0 pkg/apis/trust/v1alpha1/types_bundle.go";
    project("cert-manager", vec![
        on("trust.cert-manager.io", "Bundle", "spec.sources[].configMap.name", CM).key("key").src(format!("{SRC}: read in the trust namespace")),
        on("trust.cert-manager.io", "Bundle", "spec.sources[].secret.name", S).key("key").src(format!("{SRC}: read in the trust namespace")),
        on("trust.cert-manager.io", "Bundle", "metadata.name", CM).has("spec.target.configMap").any_ns().role(Role::Provides).via(Via::Provider).src(format!("{SRC}: writes a ConfigMap named after the Bundle into every selected namespace")),
        on("trust.cert-manager.io", "Bundle", "metadata.name", S).has("spec.target.secret").any_ns().role(Role::Provides).via(Via::Provider).src(format!("{SRC}: writes a Secret named after the Bundle into every selected namespace")),
    ])
}

#[rustfmt::skip]
fn flux() -> Vec<Rule> {
    let mut rows = vec![
        on("kustomize.toolkit.fluxcd.io", "Kustomization", "spec.postBuild.substituteFrom[].name", BY_KIND).src("fluxcd/kustomize-controller v1.9.4 api/v1/kustomization_types.go SubstituteReference"),
        on("kustomize.toolkit.fluxcd.io", "Kustomization", "spec.decryption.secretRef.name", S).src("fluxcd/kustomize-controller v1.9.4 api/v1 Decryption"),
        on("helm.toolkit.fluxcd.io", "HelmRelease", "spec.valuesFrom[].name", BY_KIND).via(Via::HelmRelease).src("fluxcd/helm-controller v1.6.3 api/v2/reference_types.go ValuesReference"),
        on("helm.toolkit.fluxcd.io", "HelmRelease", "spec.chart.spec.verify.secretRef.name", S).ns_path("spec.chart.spec.sourceRef.namespace").via(Via::HelmRelease).src("fluxcd/helm-controller v1.6.3 api/v2 HelmChartTemplateVerification: read in the source's namespace"),
        on("source.toolkit.fluxcd.io", "HelmChart", "spec.verify.secretRef.name", S).src("fluxcd/source-controller v1.9.1 api/v1 OCIRepositoryVerification"),
        on("notification.toolkit.fluxcd.io", "Receiver", "spec.secretRef.name", S).src("fluxcd/notification-controller v1.9.3 api/v1 ReceiverSpec"),
        on("image.toolkit.fluxcd.io", "ImageUpdateAutomation", "spec.git.commit.signingKey.secretRef.name", S).src("fluxcd/image-automation-controller v1.2.1 api/v1 SigningKey"),
    ];
    for kind in ["Kustomization", "HelmRelease"] {
        let group = if kind == "Kustomization" { "kustomize.toolkit.fluxcd.io" } else { "helm.toolkit.fluxcd.io" };
        rows.push(on(group, kind, "spec.kubeConfig.secretRef.name", S).key("key").src("fluxcd/pkg apis/meta v1.30.1 KubeConfigReference"));
        rows.push(on(group, kind, "spec.kubeConfig.configMapRef.name", CM).src("fluxcd/pkg apis/meta v1.30.1 KubeConfigReference"));
    }
    for (group, kind, fields, src) in [
        ("source.toolkit.fluxcd.io", "GitRepository", &["secretRef", "verify.secretRef", "proxySecretRef"][..], "fluxcd/source-controller v1.9.1 api/v1/gitrepository_types.go"),
        ("source.toolkit.fluxcd.io", "HelmRepository", &["secretRef", "certSecretRef"], "fluxcd/source-controller v1.9.1 api/v1/helmrepository_types.go"),
        ("source.toolkit.fluxcd.io", "OCIRepository", &["secretRef", "certSecretRef", "proxySecretRef", "verify.secretRef", "verify.trustedRootSecretRef"], "fluxcd/source-controller v1.9.1 api/v1/ocirepository_types.go"),
        ("source.toolkit.fluxcd.io", "Bucket", &["secretRef", "certSecretRef", "proxySecretRef", "sts.secretRef", "sts.certSecretRef"], "fluxcd/source-controller v1.9.1 api/v1/bucket_types.go"),
        ("notification.toolkit.fluxcd.io", "Provider", &["secretRef", "certSecretRef", "proxySecretRef"], "fluxcd/notification-controller v1.9.3 api/v1beta3/provider_types.go"),
        ("image.toolkit.fluxcd.io", "ImageRepository", &["secretRef", "certSecretRef", "proxySecretRef"], "fluxcd/image-reflector-controller v1.2.0 api/v1/imagerepository_types.go"),
    ] {
        for f in fields {
            rows.push(on(group, kind, format!("spec.{f}.name"), S).src(src));
        }
    }
    project("Flux", rows)
}

#[rustfmt::skip]
fn gateway_api() -> Vec<Rule> {
    const G: &str = "gateway.networking.k8s.io";
    const SRC: &str = "kubernetes-sigs/gateway-api v1.6.1 apis/v1";
    let mut rows = vec![
        on(G, "Gateway", "spec.listeners[].tls.certificateRefs[].name", BY_KIND_OR_SECRET).ns("namespace").via(Via::Gateway).src(format!("{SRC}/gateway_types.go GatewayTLSConfig.CertificateRefs (SecretObjectReference)")),
        on(G, "ListenerSet", "spec.listeners[].tls.certificateRefs[].name", BY_KIND_OR_SECRET).ns("namespace").via(Via::Gateway).src(format!("{SRC}/listenerset_types.go")),
        on(G, "Gateway", "spec.tls.backend.clientCertificateRef.name", BY_KIND_OR_SECRET).ns("namespace").via(Via::Gateway).src(format!("{SRC}/gateway_types.go GatewayBackendTLS")),
        on(G, "Gateway", "spec.tls.frontend.default.validation.caCertificateRefs[].name", BY_KIND).ns("namespace").via(Via::Gateway).src(format!("{SRC}/gateway_types.go FrontendTLSValidation (ObjectReference)")),
        on(G, "Gateway", "spec.tls.frontend.perPort[].tls.validation.caCertificateRefs[].name", BY_KIND).ns("namespace").via(Via::Gateway).src(format!("{SRC}/gateway_types.go FrontendTLSValidation (ObjectReference)")),
        on(G, "Gateway", "spec.listeners[].tls.frontendValidation.caCertificateRefs[].name", BY_KIND).ns("namespace").via(Via::Gateway).src("kubernetes-sigs/gateway-api v1.1-v1.3 (experimental)"),
        on(G, "Gateway", "spec.backendTLS.clientCertificateRef.name", BY_KIND_OR_SECRET).ns("namespace").via(Via::Gateway).src("kubernetes-sigs/gateway-api v1.2-v1.3 (experimental)"),
        on(G, "Gateway", "spec.infrastructure.parametersRef.name", BY_KIND).via(Via::Gateway).src(format!("{SRC}/gateway_types.go LocalParametersReference")),
        on(G, "GatewayClass", "spec.parametersRef.name", BY_KIND).ns("namespace").via(Via::Gateway).src(format!("{SRC}/gatewayclass_types.go ParametersReference")),
        on(G, "BackendTLSPolicy", "spec.validation.caCertificateRefs[].name", BY_KIND).via(Via::Gateway).src(format!("{SRC}/backendtlspolicy_types.go (LocalObjectReference)")),
        on(G, "BackendTLSPolicy", "spec.tls.caCertRefs[].name", BY_KIND).via(Via::Gateway).src("kubernetes-sigs/gateway-api v1.0 v1alpha2 BackendTLSPolicy"),
        on(G, "ReferenceGrant", "spec.to[].name", BY_KIND).role(Role::Follow).via(Via::ReferenceGrant).src(format!("{SRC}/referencegrant_types.go ReferenceGrantTo: the grant follows the name it allows")),
    ];
    rows.extend([
        on("gateway.networking.x-k8s.io", "XBackend", "spec.tls.clientCertificateRef.name", BY_KIND_OR_SECRET).ns("namespace").via(Via::Gateway).src("kubernetes-sigs/gateway-api v1.6.1 apisx (experimental)"),
        on("gateway.networking.x-k8s.io", "XBackend", "spec.tls.validation.caCertificateRefs[].name", BY_KIND).via(Via::Gateway).src("kubernetes-sigs/gateway-api v1.6.1 apisx (experimental)"),
    ]);
    project("Gateway API", rows)
}

/// External Secrets' SecretStore/ClusterSecretStore provider fields that
/// name a Secret ({name, key, namespace}), v2.9.0 apis/externalsecrets/v1.
const ESO_PROVIDER_SECRETS: &[&str] = &[
    "aws.auth.secretRef.accessKeyIDSecretRef",
    "aws.auth.secretRef.secretAccessKeySecretRef",
    "aws.auth.secretRef.sessionTokenSecretRef",
    "azurekv.authSecretRef.clientId",
    "azurekv.authSecretRef.tenantId",
    "azurekv.authSecretRef.clientSecret",
    "azurekv.authSecretRef.clientCertificate",
    "akeyless.authSecretRef.secretRef.accessID",
    "akeyless.authSecretRef.secretRef.accessType",
    "akeyless.authSecretRef.secretRef.accessTypeParam",
    "akeyless.authSecretRef.kubernetesAuth.secretRef",
    "bitwardensecretsmanager.auth.secretRef.credentials",
    "vault.auth.tokenSecretRef",
    "vault.auth.appRole.roleRef",
    "vault.auth.appRole.secretRef",
    "vault.auth.kubernetes.secretRef",
    "vault.auth.ldap.secretRef",
    "vault.auth.jwt.secretRef",
    "vault.auth.cert.clientCert",
    "vault.auth.cert.secretRef",
    "vault.auth.iam.secretRef.accessKeyIDSecretRef",
    "vault.auth.iam.secretRef.secretAccessKeySecretRef",
    "vault.auth.iam.secretRef.sessionTokenSecretRef",
    "vault.auth.userPass.secretRef",
    "vault.auth.gcp.secretRef.secretAccessKeySecretRef",
    "vault.tls.certSecretRef",
    "vault.tls.keySecretRef",
    "ovh.auth.mtls.certSecretRef",
    "ovh.auth.mtls.keySecretRef",
    "ovh.auth.token.tokenSecretRef",
    "gcpsm.auth.secretRef.secretAccessKeySecretRef",
    "gcpsm.auth.workloadIdentityFederation.awsSecurityCredentials.awsCredentialsSecretRef",
    "oracle.auth.secretRef.privatekey",
    "oracle.auth.secretRef.fingerprint",
    "ibm.auth.secretRef.secretApiKeySecretRef",
    "yandexcertificatemanager.auth.authorizedKeySecretRef",
    "yandexcertificatemanager.caProvider.certSecretRef",
    "yandexlockbox.auth.authorizedKeySecretRef",
    "yandexlockbox.caProvider.certSecretRef",
    "github.auth.privateKey",
    "gitlab.auth.SecretRef.accessToken",
    "onepassword.auth.secretRef.connectTokenSecretRef",
    "onepasswordSDK.auth.serviceAccountSecretRef",
    "webhook.auth.ntlm.usernameSecret",
    "webhook.auth.ntlm.passwordSecret",
    "webhook.secrets[].secretRef",
    "kubernetes.auth.cert.clientCert",
    "kubernetes.auth.cert.clientKey",
    "kubernetes.auth.token.bearerToken",
    "kubernetes.authRef",
    "crd.auth.cert.clientCert",
    "crd.auth.cert.clientKey",
    "crd.auth.token.bearerToken",
    "crd.authRef",
    "senhasegura.auth.clientSecretSecretRef",
    "scaleway.accessKey.secretRef",
    "scaleway.secretKey.secretRef",
    "doppler.auth.secretRef.dopplerToken",
    "previder.auth.secretRef.accessToken",
    "onboardbase.auth.apiKeyRef",
    "onboardbase.auth.passcodeRef",
    "keepersecurity.authRef",
    "conjur.auth.apikey.userRef",
    "conjur.auth.apikey.apiKeyRef",
    "conjur.auth.jwt.secretRef",
    "conjur.auth.cert.clientCertRef",
    "conjur.auth.cert.clientKeyRef",
    "delinea.clientId.secretRef",
    "delinea.clientSecret.secretRef",
    "secretserver.username.secretRef",
    "secretserver.password.secretRef",
    "secretserver.token.secretRef",
    "chef.auth.secretRef.privateKeySecretRef",
    "pulumi.auth.accessToken.secretRef",
    "pulumi.accessToken.secretRef",
    "fortanix.apiKey.secretRef",
    "passworddepot.auth.secretRef.credentials",
    "passbolt.auth.passwordSecretRef",
    "passbolt.auth.privateKeySecretRef",
    "dvls.auth.secretRef.appId",
    "dvls.auth.secretRef.appSecret",
    "infisical.auth.universalAuthCredentials.clientId",
    "infisical.auth.universalAuthCredentials.clientSecret",
    "infisical.auth.azureAuthCredentials.identityId",
    "infisical.auth.azureAuthCredentials.resource",
    "infisical.auth.gcpIdTokenAuthCredentials.identityId",
    "infisical.auth.gcpIamAuthCredentials.identityId",
    "infisical.auth.gcpIamAuthCredentials.serviceAccountKeyFilePath",
    "infisical.auth.jwtAuthCredentials.identityId",
    "infisical.auth.jwtAuthCredentials.jwt",
    "infisical.auth.ldapAuthCredentials.identityId",
    "infisical.auth.ldapAuthCredentials.ldapPassword",
    "infisical.auth.ldapAuthCredentials.ldapUsername",
    "infisical.auth.ociAuthCredentials.identityId",
    "infisical.auth.ociAuthCredentials.privateKey",
    "infisical.auth.ociAuthCredentials.privateKeyPassphrase",
    "infisical.auth.ociAuthCredentials.fingerprint",
    "infisical.auth.ociAuthCredentials.userId",
    "infisical.auth.ociAuthCredentials.tenancyId",
    "infisical.auth.ociAuthCredentials.region",
    "infisical.auth.kubernetesAuthCredentials.identityId",
    "infisical.auth.kubernetesAuthCredentials.serviceAccountTokenPath",
    "infisical.auth.awsAuthCredentials.identityId",
    "infisical.auth.tokenAuthCredentials.accessToken",
    "beyondtrust.auth.apiKey.secretRef",
    "beyondtrust.auth.clientId.secretRef",
    "beyondtrust.auth.clientSecret.secretRef",
    "beyondtrust.auth.certificate.secretRef",
    "beyondtrust.auth.certificateKey.secretRef",
    "beyondtrustworkloadcredentials.auth.apikey.token",
    "cloudrusm.auth.secretRef.accessKeyIDSecretRef",
    "cloudrusm.auth.secretRef.accessKeySecretSecretRef",
    "volcengine.auth.secretRef.accessKeyID",
    "volcengine.auth.secretRef.secretAccessKey",
    "volcengine.auth.secretRef.token",
    "ngrok.auth.apiKey.secretRef",
    "barbican.auth.username.secretRef",
    "barbican.auth.password.secretRef",
    "nebiusmysterybox.auth.serviceAccountCredsSecretRef",
    "nebiusmysterybox.auth.tokenSecretRef",
    "nebiusmysterybox.caProvider.certSecretRef",
    "openBao.auth.appRole.roleRef",
    "openBao.auth.appRole.secretRef",
    "openBao.auth.tokenSecretRef",
    "openBao.auth.userPass.secretRef",
];

/// Providers whose `caProvider` ({type: Secret|ConfigMap, name, key, namespace}) names a CA bundle.
const ESO_CA_PROVIDERS: &[&str] = &[
    "akeyless",
    "bitwardensecretsmanager",
    "vault",
    "ovh.auth.mtls",
    "gitlab",
    "webhook",
    "kubernetes.server",
    "crd.server",
    "conjur",
    "secretserver",
    "passbolt",
    "infisical",
    "beyondtrustworkloadcredentials",
    "openBao",
];

#[rustfmt::skip]
fn external_secrets() -> Vec<Rule> {
    const G: &str = "external-secrets.io";
    const SRC: &str = "external-secrets v2.9.0 apis/externalsecrets";
    let mut rows = vec![
        on(G, "ExternalSecret", "spec.target.name", S).or_else("metadata.name").role(Role::Provides).via(Via::Provider).src(format!("{SRC}/v1/externalsecret_types.go ExternalSecretTarget: it writes the Secret (default name: its own)")),
        on(G, "ExternalSecret", "spec.target.template.templateFrom[].configMap.name", CM).key_list("items", "key").src(format!("{SRC}/v1 TemplateRef")),
        on(G, "ExternalSecret", "spec.target.template.templateFrom[].secret.name", S).key_list("items", "key").src(format!("{SRC}/v1 TemplateRef")),
        on(G, "ClusterExternalSecret", "spec.externalSecretSpec.target.name", S).or_else("spec.externalSecretName").any_ns().role(Role::Provides).via(Via::Provider).src(format!("{SRC}/v1/clusterexternalsecret_types.go: an ExternalSecret per selected namespace")),
        on(G, "PushSecret", "spec.selector.secret.name", S).src(format!("{SRC}/v1alpha1/pushsecret_types.go PushSecretSecret")),
        on(G, "PushSecret", "spec.template.templateFrom[].configMap.name", CM).key_list("items", "key").src(format!("{SRC}/v1 TemplateRef")),
        on(G, "PushSecret", "spec.template.templateFrom[].secret.name", S).key_list("items", "key").src(format!("{SRC}/v1 TemplateRef")),
    ];
    for kind in ["SecretStore", "ClusterSecretStore"] {
        for f in ESO_PROVIDER_SECRETS {
            rows.push(on(G, kind, format!("spec.provider.{f}.name"), S).ns("namespace").key("key").src(format!("{SRC}/v1/secretstore_*_types.go (esmeta.SecretKeySelector)")));
        }
        for p in ESO_CA_PROVIDERS {
            rows.push(on(G, kind, format!("spec.provider.{p}.caProvider.name"), BY_TYPE).ns("namespace").key("key").src(format!("{SRC}/v1/secretstore_types.go:303 CAProvider")));
        }
        rows.push(on(G, kind, "spec.provider.gcpsm.auth.workloadIdentityFederation.credConfig.name", CM).ns("namespace").key("key").src(format!("{SRC}/v1/secretstore_gcpsm_types.go ConfigMapReference")));
    }
    project("External Secrets", rows)
}

#[rustfmt::skip]
fn keda() -> Vec<Rule> {
    const SRC: &str = "kedacore/keda v2.20.2 apis/keda/v1alpha1/triggerauthentication_types.go";
    project("KEDA", each(&["TriggerAuthentication", "ClusterTriggerAuthentication"], |kind| {
        let mut r = vec![
            on("keda.sh", kind, "spec.secretTargetRef[].name", S).key("key").src(SRC),
            on("keda.sh", kind, "spec.configMapTargetRef[].name", CM).key("key").src(SRC),
        ];
        for f in ["azureKeyVault.credentials.clientSecret", "gcpSecretManager.credentials.clientSecret", "awsSecretManager.credentials.accessKey", "awsSecretManager.credentials.accessSecretKey", "awsSecretManager.credentials.accessToken", "oauth2.clientSecret"] {
            r.push(on("keda.sh", kind, format!("spec.{f}.valueFrom.secretKeyRef.name"), S).key("key").src(SRC));
        }
        r
    }))
}

#[rustfmt::skip]
fn traefik() -> Vec<Rule> {
    let mut rows = Vec::new();
    for group in ["traefik.io", "traefik.containo.us"] {
        let src = if group == "traefik.io" { "traefik v3.7.9 pkg/provider/kubernetes/crd/traefikio/v1alpha1" } else { "traefik v2.11.53 pkg/provider/kubernetes/crd/traefikcontainous/v1alpha1" };
        rows.extend([
            on(group, "IngressRoute", "spec.tls.secretName", S).src(src),
            on(group, "IngressRouteTCP", "spec.tls.secretName", S).src(src),
            on(group, "TLSStore", "spec.defaultCertificate.secretName", S).src(src),
            on(group, "TLSStore", "spec.certificates[].secretName", S).src(src),
            on(group, "TLSOption", "spec.clientAuth.secretNames[]", S).src(src),
            on(group, "Middleware", "spec.basicAuth.secret", S).src(src),
            on(group, "Middleware", "spec.digestAuth.secret", S).src(src),
            on(group, "Middleware", "spec.forwardAuth.tls.caSecret", S).src(src),
            on(group, "Middleware", "spec.forwardAuth.tls.certSecret", S).src(src),
            on(group, "ServersTransport", "spec.rootCAsSecrets[]", S).src(src),
            on(group, "ServersTransport", "spec.certificatesSecrets[]", S).src(src),
        ]);
    }
    const V34: &str = "traefik v3.7.9 (since v3.4) pkg/provider/kubernetes/crd/traefikio/v1alpha1";
    rows.extend([
        on("traefik.io", "Middleware", "spec.rateLimit.redis.secret", S).src(V34),
        on("traefik.io", "Middleware", "spec.rateLimit.redis.tls.caSecret", S).src(V34),
        on("traefik.io", "Middleware", "spec.rateLimit.redis.tls.certSecret", S).src(V34),
        on("traefik.io", "ServersTransport", "spec.rootCAs[].secret", S).src(V34),
        on("traefik.io", "ServersTransport", "spec.rootCAs[].configMap", CM).src(V34),
        on("traefik.io", "ServersTransportTCP", "spec.tls.rootCAsSecrets[]", S).src(V34),
        on("traefik.io", "ServersTransportTCP", "spec.tls.rootCAs[].secret", S).src(V34),
        on("traefik.io", "ServersTransportTCP", "spec.tls.rootCAs[].configMap", CM).src(V34),
        on("traefik.io", "ServersTransportTCP", "spec.tls.certificatesSecrets[]", S).src(V34),
    ]);
    project("Traefik", rows)
}

#[rustfmt::skip]
fn contour() -> Vec<Rule> {
    const G: &str = "projectcontour.io";
    const SRC: &str = "projectcontour/contour v1.33.6 apis/projectcontour";
    project("Contour", vec![
        // `name` or `namespace/name` (with a TLSCertificateDelegation there).
        on(G, "HTTPProxy", "spec.virtualhost.tls.secretName", S).src(format!("{SRC}/v1/httpproxy.go TLS")),
        on(G, "HTTPProxy", "spec.virtualhost.tls.clientValidation.caSecret", S).src(format!("{SRC}/v1/httpproxy.go DownstreamValidation")),
        on(G, "HTTPProxy", "spec.virtualhost.tls.clientValidation.crlSecret", S).src(format!("{SRC}/v1/httpproxy.go DownstreamValidation")),
        on(G, "HTTPProxy", "spec.routes[].services[].validation.caSecret", S).src(format!("{SRC}/v1/httpproxy.go UpstreamValidation")),
        on(G, "HTTPProxy", "spec.tcpproxy.services[].validation.caSecret", S).src(format!("{SRC}/v1/httpproxy.go UpstreamValidation")),
        on(G, "HTTPProxy", "spec.virtualhost.jwtProviders[].remoteJWKS.validation.caSecret", S).src(format!("{SRC}/v1/httpproxy.go UpstreamValidation")),
        on(G, "TLSCertificateDelegation", "spec.delegations[].secretName", S).role(Role::Follow).src(format!("{SRC}/v1/tlscertificatedelegation.go: the delegation follows the name it allows")),
        on(G, "ExtensionService", "spec.validation.caSecret", S).src(format!("{SRC}/v1alpha1/extensionservice.go")),
        on(G, "ContourConfiguration", "spec.envoy.clientCertificate.name", S).ns("namespace").src(format!("{SRC}/v1alpha1/contourconfig.go NamespacedName")),
        on(G, "ContourConfiguration", "spec.httpproxy.fallbackCertificate.name", S).ns("namespace").src(format!("{SRC}/v1alpha1/contourconfig.go NamespacedName")),
        on(G, "ContourDeployment", "spec.runtimeSettings.envoy.clientCertificate.name", S).ns("namespace").src(format!("{SRC}/v1alpha1/contourdeployment.go")),
        on(G, "ContourDeployment", "spec.runtimeSettings.httpproxy.fallbackCertificate.name", S).ns("namespace").src(format!("{SRC}/v1alpha1/contourdeployment.go")),
    ])
}

#[rustfmt::skip]
fn istio() -> Vec<Rule> {
    // The Secret lives where the proxy runs, which need not be the
    // object's namespace: resolved in any namespace.
    const G: &str = "networking.istio.io";
    const SRC: &str = "istio/api v1.30.3 networking/v1alpha3";
    project("Istio", vec![
        on(G, "Gateway", "spec.servers[].tls.credentialName", S).any_ns().src(format!("{SRC}/gateway.proto ServerTLSSettings")),
        on(G, "Gateway", "spec.servers[].tls.credentialNames[]", S).any_ns().src(format!("{SRC}/gateway.proto (since 1.26)")),
        on(G, "Sidecar", "spec.ingress[].tls.credentialName", S).any_ns().src(format!("{SRC}/sidecar.proto")),
        on(G, "Sidecar", "spec.ingress[].tls.credentialNames[]", S).any_ns().src(format!("{SRC}/sidecar.proto")),
        on(G, "DestinationRule", "spec.trafficPolicy.tls.credentialName", S).any_ns().src(format!("{SRC}/destination_rule.proto ClientTLSSettings")),
        on(G, "DestinationRule", "spec.trafficPolicy.portLevelSettings[].tls.credentialName", S).any_ns().src(format!("{SRC}/destination_rule.proto")),
        on(G, "DestinationRule", "spec.subsets[].trafficPolicy.tls.credentialName", S).any_ns().src(format!("{SRC}/destination_rule.proto")),
        on(G, "DestinationRule", "spec.subsets[].trafficPolicy.portLevelSettings[].tls.credentialName", S).any_ns().src(format!("{SRC}/destination_rule.proto")),
    ])
}

#[rustfmt::skip]
fn argo_workflows() -> Vec<Rule> {
    const G: &str = "argoproj.io";
    const SRC: &str = "argo-workflows v4.1.2 pkg/apis/workflow/v1alpha1/workflow_types.go";
    // Artifacts sit in many places (inputs, outputs, archiveLocation,
    // arguments, hooks, data sources): matched at any depth.
    const ARTIFACT_SECRETS: &[&str] = &[
        "s3.accessKeySecret", "s3.secretKeySecret", "s3.sessionTokenSecret", "s3.caSecret", "s3.encryptionOptions.serverSideCustomerKeySecret",
        "gcs.serviceAccountKeySecret", "git.usernameSecret", "git.passwordSecret", "git.sshPrivateKeySecret",
        "http.auth.basicAuth.usernameSecret", "http.auth.basicAuth.passwordSecret", "http.auth.clientCert.clientCertSecret", "http.auth.clientCert.clientKeySecret",
        "http.auth.oauth2.clientIDSecret", "http.auth.oauth2.clientSecretSecret", "http.auth.oauth2.tokenURLSecret",
        "artifactory.usernameSecret", "artifactory.passwordSecret", "azure.accountKeySecret", "hdfs.krbCCacheSecret", "hdfs.krbKeytabSecret",
        "oss.accessKeySecret", "oss.secretKeySecret",
    ];
    project("Argo Workflows", each(&["Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow"], |kind| {
        let mut r = vec![
            on(G, kind, "spec.**.imagePullSecrets[].name", S).via(Via::ImagePullSecret).src(format!("{SRC} WorkflowSpec.ImagePullSecrets")),
            on(G, kind, "spec.**.parameters[].valueFrom.configMapKeyRef.name", CM).key("key").src(format!("{SRC} ValueFrom.ConfigMapKeyRef")),
            on(G, kind, "spec.**.artifactRepositoryRef.configMap", CM).key("key").src(format!("{SRC} ArtifactRepositoryRef")),
            // A semaphore may name another namespace (`semaphores[].namespace`).
            on(G, kind, "spec.**.synchronization.semaphores[].configMapKeyRef.name", CM).ns("../namespace").key("key").src(format!("{SRC} SemaphoreRef")),
            on(G, kind, "spec.**.http.headers[].valueFrom.secretKeyRef.name", S).key("key").src(format!("{SRC} HTTPHeaderSource")),
            on(G, kind, "spec.**.hdfs.krbConfigConfigMap.name", CM).key("key").src(format!("{SRC} HDFSKrbConfig")),
        ];
        for f in ARTIFACT_SECRETS {
            r.push(on(G, kind, format!("spec.**.{f}.name"), S).key("key").src(format!("{SRC} ArtifactLocation")));
        }
        r
    }))
}

#[rustfmt::skip]
fn tekton() -> Vec<Rule> {
    const SRC: &str = "tektoncd/pipeline v1.15.0 pkg/apis/pipeline/v1";
    let mut rows = Vec::new();
    // Workspaces bind volume sources; pod templates hold pull secrets.
    for kind in ["TaskRun", "PipelineRun"] {
        rows.extend([
            on("tekton.dev", kind, "spec.workspaces[].configMap.name", CM).items().via(Via::Volume).src(format!("{SRC} WorkspaceBinding")),
            on("tekton.dev", kind, "spec.workspaces[].secret.secretName", S).items().via(Via::Volume).src(format!("{SRC} WorkspaceBinding")),
            on("tekton.dev", kind, "spec.workspaces[].projected.sources[].configMap.name", CM).items().via(Via::Projected).src(format!("{SRC} WorkspaceBinding")),
            on("tekton.dev", kind, "spec.workspaces[].projected.sources[].secret.name", S).items().via(Via::Projected).src(format!("{SRC} WorkspaceBinding")),
            on("tekton.dev", kind, "spec.workspaces[].csi.nodePublishSecretRef.name", S).via(Via::Volume).src(format!("{SRC} WorkspaceBinding")),
            on("tekton.dev", kind, "spec.**.imagePullSecrets[].name", S).via(Via::ImagePullSecret).src(format!("{SRC} pod.Template (podTemplate, taskRunTemplate.podTemplate, taskRunSpecs[])")),
            on("tekton.dev", kind, "spec.**.podTemplate.env[].valueFrom.configMapKeyRef.name", CM).key("key").via(Via::Env).src(format!("{SRC} pod.Template.Env")),
            on("tekton.dev", kind, "spec.**.podTemplate.env[].valueFrom.secretKeyRef.name", S).key("key").via(Via::Env).src(format!("{SRC} pod.Template.Env")),
            on("tekton.dev", kind, "spec.**.taskPodTemplate.env[].valueFrom.configMapKeyRef.name", CM).key("key").via(Via::Env).src("tektoncd/pipeline v1.15.0 v1beta1 PipelineTaskRunSpec"),
            on("tekton.dev", kind, "spec.**.taskPodTemplate.env[].valueFrom.secretKeyRef.name", S).key("key").via(Via::Env).src("tektoncd/pipeline v1.15.0 v1beta1 PipelineTaskRunSpec"),
        ]);
    }
    rows.push(on("tekton.dev", "StepAction", "spec.env[].valueFrom.configMapKeyRef.name", CM).key("key").via(Via::Env).src("tektoncd/pipeline v1.15.0 v1beta1 StepActionSpec"));
    rows.push(on("tekton.dev", "StepAction", "spec.env[].valueFrom.secretKeyRef.name", S).key("key").via(Via::Env).src("tektoncd/pipeline v1.15.0 v1beta1 StepActionSpec"));
    for kind in ["EventListener", "Trigger"] {
        rows.push(on("triggers.tekton.dev", kind, "spec.**.interceptors[].params[].value.secretName", S).key("secretKey").src("tektoncd/triggers v0.37.0 interceptor param secretRef {secretName, secretKey}"));
        rows.push(on("triggers.tekton.dev", kind, "spec.**.interceptors[].params[].value.personalAccessToken.secretName", S).key("secretKey").src("tektoncd/triggers v0.37.0 github interceptor personalAccessToken"));
    }
    project("Tekton", rows)
}

#[rustfmt::skip]
fn eck() -> Vec<Rule> {
    const SRC: &str = "elastic/cloud-on-k8s v3.5.0 pkg/apis";
    let mut rows = vec![
        on("elasticsearch.k8s.elastic.co", "Elasticsearch", "spec.transport.tls.certificateAuthorities.configMapName", CM).src(format!("{SRC}/elasticsearch/v1 TransportTLSOptions")),
        on("elasticsearch.k8s.elastic.co", "Elasticsearch", "spec.auth.roles[].secretName", S).src(format!("{SRC}/elasticsearch/v1 Auth")),
        on("elasticsearch.k8s.elastic.co", "Elasticsearch", "spec.auth.fileRealm[].secretName", S).src(format!("{SRC}/elasticsearch/v1 Auth")),
        on("stackconfigpolicy.k8s.elastic.co", "StackConfigPolicy", "spec.**.secureSettings[].secretName", S).key_list("entries", "key").src(format!("{SRC}/stackconfigpolicy/v1alpha1")),
        on("stackconfigpolicy.k8s.elastic.co", "StackConfigPolicy", "spec.elasticsearch.secretMounts[].secretName", S).src(format!("{SRC}/stackconfigpolicy/v1alpha1 SecretMount")),
        on("stackconfigpolicy.k8s.elastic.co", "StackConfigPolicy", "spec.variablesFrom[].name", BY_KIND).ns("namespace").src(format!("{SRC}/stackconfigpolicy/v1alpha1 VariableSource")),
    ];
    for (group, kind) in [
        ("elasticsearch.k8s.elastic.co", "Elasticsearch"), ("kibana.k8s.elastic.co", "Kibana"), ("apm.k8s.elastic.co", "ApmServer"),
        ("beat.k8s.elastic.co", "Beat"), ("agent.k8s.elastic.co", "Agent"), ("enterprisesearch.k8s.elastic.co", "EnterpriseSearch"),
        ("logstash.k8s.elastic.co", "Logstash"), ("maps.k8s.elastic.co", "ElasticMapsServer"), ("packageregistry.k8s.elastic.co", "PackageRegistry"),
        ("autoops.k8s.elastic.co", "AutoOpsAgentPolicy"),
    ] {
        let src = format!("{SRC}/common/v1/common.go (SecretRef, SecretSource, ConfigSource), {kind} types");
        // `http.tls`, `transport.tls`, Logstash `services[].tls`; every
        // `*Ref` (configRef, pipelinesRef, elasticsearchRef, kibanaRef,
        // fleetServerRef, autoOpsRef, …) and `*Refs[]` with a secretName.
        rows.extend([
            on(group, kind, "spec.**.tls.certificate.secretName", S).src(src.clone()),
            on(group, kind, "spec.secureSettings[].secretName", S).key_list("entries", "key").src(src.clone()),
            on(group, kind, "spec.**.*Ref.secretName", S).src(src.clone()),
            on(group, kind, "spec.**.*Refs[].secretName", S).src(src.clone()),
            on(group, kind, "spec.**.clientCertificateSecretName", S).src(src),
        ]);
    }
    project("ECK", rows)
}

#[rustfmt::skip]
fn velero() -> Vec<Rule> {
    const SRC: &str = "vmware-tanzu/velero v1.18.1 pkg/apis/velero/v1";
    project("Velero", vec![
        on("velero.io", "BackupStorageLocation", "spec.credential.name", S).key("key").src(format!("{SRC}/backupstoragelocation_types.go")),
        on("velero.io", "BackupStorageLocation", "spec.objectStorage.caCertRef.name", S).key("key").src(format!("{SRC}/backupstoragelocation_types.go (since 1.18)")),
        on("velero.io", "VolumeSnapshotLocation", "spec.credential.name", S).key("key").src(format!("{SRC}/volume_snapshot_location_type.go")),
        on("velero.io", "Backup", "spec.resourcePolicy.name", BY_KIND).src(format!("{SRC}/backup_types.go (kind: configmap)")),
        on("velero.io", "Schedule", "spec.template.resourcePolicy.name", BY_KIND).src(format!("{SRC}/schedule_types.go (kind: configmap)")),
        on("velero.io", "Restore", "spec.resourceModifier.name", BY_KIND).src(format!("{SRC}/restore_types.go (kind: configmap)")),
    ])
}

#[rustfmt::skip]
fn opentelemetry() -> Vec<Rule> {
    const SRC: &str = "open-telemetry/opentelemetry-operator v0.158.0 apis/v1beta1";
    project("OpenTelemetry Operator", vec![
        on("opentelemetry.io", "OpenTelemetryCollector", "spec.configmaps[].name", CM).via(Via::Volume).src(format!("{SRC}/opentelemetrycollector_types.go ConfigMapsSpec")),
        on("opentelemetry.io", "OpenTelemetryCollector", "spec.targetAllocator.mtls.tls.**.secret.name", S).key("key").src(format!("{SRC} TargetAllocator mTLS")),
        on("opentelemetry.io", "OpenTelemetryCollector", "spec.targetAllocator.mtls.tls.**.configMap.name", CM).key("key").src(format!("{SRC} TargetAllocator mTLS")),
        on("opentelemetry.io", "OpenTelemetryCollector", "spec.targetAllocator.mtls.tls.**.certificateSecret.name", S).key("key").src(format!("{SRC} TargetAllocator mTLS")),
        on("opentelemetry.io", "OpenTelemetryCollector", "spec.targetAllocator.mtls.tls.**.keySecret.name", S).key("key").src(format!("{SRC} TargetAllocator mTLS")),
    ])
}

#[rustfmt::skip]
fn crossplane() -> Vec<Rule> {
    const SRC: &str = "crossplane v2.3.4 apis";
    project("Crossplane", vec![
        Rule::new(Scope::AnyKind, "", "", "spec.writeConnectionSecretToRef.name", S).ns("namespace").role(Role::Provides).via(Via::Provider).src(format!("{SRC}/core/v2/resource.go: managed resources, composites and claims write their connection Secret")),
        on("*", "ProviderConfig", "spec.credentials.secretRef.name", S).ns("namespace").key("key").src("crossplane-contrib/provider-kubernetes v1.2.1 (and every provider's ProviderConfig)"),
        on("*", "ClusterProviderConfig", "spec.credentials.secretRef.name", S).ns("namespace").key("key").src("crossplane-contrib/provider-kubernetes v1.2.1"),
        on("*", "ProviderConfig", "spec.identity.secretRef.name", S).ns("namespace").key("key").src("crossplane-contrib/provider-kubernetes v1.2.1"),
        on("apiextensions.crossplane.io", "Composition", "spec.pipeline[].credentials[].secretRef.name", S).ns("namespace").src(format!("{SRC}/apiextensions/v1/composition_types.go")),
        on("ops.crossplane.io", "Operation", "spec.pipeline[].credentials[].secretRef.name", S).ns("namespace").src(format!("{SRC}/ops/v1alpha1")),
        on("ops.crossplane.io", "CronOperation", "spec.operationTemplate.spec.pipeline[].credentials[].secretRef.name", S).ns("namespace").src(format!("{SRC}/ops/v1alpha1")),
        on("ops.crossplane.io", "WatchOperation", "spec.operationTemplate.spec.pipeline[].credentials[].secretRef.name", S).ns("namespace").src(format!("{SRC}/ops/v1alpha1")),
        on("pkg.crossplane.io", "Provider", "spec.packagePullSecrets[].name", S).any_ns().via(Via::ImagePullSecret).src(format!("{SRC}/pkg/v1 PackageSpec: read in Crossplane's namespace")),
        on("pkg.crossplane.io", "Configuration", "spec.packagePullSecrets[].name", S).any_ns().via(Via::ImagePullSecret).src(format!("{SRC}/pkg/v1 PackageSpec")),
        on("pkg.crossplane.io", "Function", "spec.packagePullSecrets[].name", S).any_ns().via(Via::ImagePullSecret).src(format!("{SRC}/pkg/v1 PackageSpec")),
    ])
}

#[rustfmt::skip]
fn sealed_secrets() -> Vec<Rule> {
    project("Sealed Secrets", vec![
        on("bitnami.com", "SealedSecret", "metadata.name", S).role(Role::Provides).via(Via::Provider).src("bitnami-labs/sealed-secrets v0.36.6 pkg/apis/sealedsecrets/v1alpha1/sealedsecret_expansion.go:338: the Secret gets the SealedSecret's own name"),
    ])
}

/// Where a row applies, for the tables in the docs.
fn where_(r: &Rule) -> String {
    match r.scope {
        Scope::PodSpec => "every PodSpec".into(),
        Scope::Container => "every container".into(),
        Scope::Volume => "every volume".into(),
        Scope::AnyKind => "any kind".into(),
        Scope::Kind if r.group == "*" => format!("{} (any group)", r.kind),
        Scope::Kind if r.group.is_empty() => r.kind.to_string(),
        Scope::Kind => format!("{} ({})", r.kind, r.group),
    }
}

fn names(r: &Rule) -> String {
    match r.target {
        TargetSpec::Fixed(t) => t.kind().into(),
        TargetSpec::ByField { field, default: Some(t) } => format!("by `{field}` ({} if unset)", t.kind()),
        TargetSpec::ByField { field, default: None } => format!("by `{field}`"),
        TargetSpec::Rbac => "by the rule's `resources`".into(),
        TargetSpec::Flag => "by the flag's name".into(),
    }
}

fn key(r: &Rule) -> String {
    match r.key {
        super::rule::KeySpec::None => String::new(),
        super::rule::KeySpec::Field(f) => format!("`{f}`"),
        super::rule::KeySpec::List(l, f) => format!("`{l}[].{f}`"),
    }
}

fn namespace(r: &Rule) -> String {
    match (&r.namespace_field, &r.namespace_path, r.any_namespace) {
        (Some(f), _, _) => format!("`{f}`, else own"),
        (None, Some(p), _) => format!("`{p}`, else own"),
        (None, None, true) => "any".into(),
        (None, None, false) => "own".into(),
    }
}

fn role(r: &Rule) -> String {
    let role = match r.role {
        Role::Use => "use",
        Role::Rbac => "rbac",
        Role::Follow => "follows",
        Role::Immutable => "immutable",
        Role::ByName => "by name",
        Role::Pinned => "pinned",
        Role::Provides => "provides",
    };
    match r.when {
        super::rule::When::Always => role.into(),
        super::rule::When::Annotated(keys) => {
            format!("{role}, when annotated {}", keys.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", "))
        }
        super::rule::When::Has(path) => format!("{role}, when `{path}` is set"),
    }
}

/// The projects of the table, in table order.
fn projects() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for r in builtin() {
        if !out.contains(&r.project) {
            out.push(r.project);
        }
    }
    out
}

const HEADER: &str = "| where | field | names | key | namespace | role | source |\n|---|---|---|---|---|---|---|\n";

fn row_line(r: &Rule) -> String {
    format!(
        "| {} | `{}` | {} | {} | {} | {} | {} |\n",
        where_(r),
        r.path,
        names(r),
        key(r),
        namespace(r),
        role(r),
        r.source.replace('|', "\\|")
    )
}

/// The whole table as markdown (docs/reference-table.md), a section per project.
#[must_use]
pub fn markdown() -> String {
    let rows = builtin();
    let mut out = format!(
        "# The built-in reference table\n\n<!-- Generated from src/refs/table.rs by `IMPRINT_UPDATE_README=1 cargo test --test docs`; do not edit. -->\n\n\
         {} rows. Columns: where the path starts; the field that holds the name; what it names; the field that \
         names the key it needs (checked); where the name resolves (own: the referrer's namespace; any: every \
         namespace, for cluster-scoped referrers too); the role ([references.md](references.md#roles)); the source.\n",
        rows.len()
    );
    for p in projects() {
        out.push_str(&format!("\n## {p}\n\n{HEADER}"));
        for r in rows.iter().filter(|r| r.project == p) {
            out.push_str(&row_line(r));
        }
    }
    out
}

/// docs/references.md's part: the Kubernetes rows, then one line per project.
#[must_use]
pub fn markdown_summary() -> String {
    let rows = builtin();
    let mut out = String::from(HEADER);
    for r in rows.iter().filter(|r| r.project == "Kubernetes") {
        out.push_str(&row_line(r));
    }
    out.push_str("\n| project | kinds | rows |\n|---|---|---|\n");
    for p in projects().into_iter().filter(|p| *p != "Kubernetes") {
        let mut kinds: Vec<String> = Vec::new();
        let mut count = 0;
        for r in rows.iter().filter(|r| r.project == p) {
            count += 1;
            let k = match r.scope {
                Scope::Kind => r.kind.to_string(),
                _ => where_(r),
            };
            if !kinds.contains(&k) {
                kinds.push(k);
            }
        }
        out.push_str(&format!("| {p} | {} | {count} |\n", kinds.join(", ")));
    }
    out
}

#[rustfmt::skip]
fn secret_writers() -> Vec<Rule> {
    project("Other Secret writers", vec![
        on("secrets-store.csi.x-k8s.io", "SecretProviderClass", "spec.secretObjects[].secretName", S).role(Role::Provides).via(Via::Provider).src("kubernetes-sigs/secrets-store-csi-driver v1 SecretObject: the driver syncs a Secret of that name while a pod mounts the volume"),
        on("secrets.hashicorp.com", "VaultStaticSecret", "spec.destination.name", S).role(Role::Provides).via(Via::Provider).src("hashicorp/vault-secrets-operator secrets.hashicorp.com/v1beta1 Destination (VSO docs: the operator writes the destination Secret)"),
        on("secrets.hashicorp.com", "VaultDynamicSecret", "spec.destination.name", S).role(Role::Provides).via(Via::Provider).src("hashicorp/vault-secrets-operator secrets.hashicorp.com/v1beta1 Destination (VSO docs: the operator writes the destination Secret)"),
        on("secrets.hashicorp.com", "VaultPKISecret", "spec.destination.name", S).role(Role::Provides).via(Via::Provider).src("hashicorp/vault-secrets-operator secrets.hashicorp.com/v1beta1 Destination (VSO docs: the operator writes the destination Secret)"),
        on("secrets.hashicorp.com", "HCPVaultSecretsApp", "spec.destination.name", S).role(Role::Provides).via(Via::Provider).src("hashicorp/vault-secrets-operator secrets.hashicorp.com/v1beta1 Destination (VSO docs: the operator writes the destination Secret)"),
        on("kafka.strimzi.io", "KafkaUser", "metadata.name", S).role(Role::Provides).via(Via::Provider).src("strimzi User Operator: a Secret with the KafkaUser's name holds its credentials"),
        on("onepassword.com", "OnePasswordItem", "metadata.name", S).role(Role::Provides).via(Via::Provider).src("1Password/onepassword-operator: a Secret with the item's name"),
    ])
}
