//! Stage 6: a stable order. kustomize's legacy order (SPEC §7) applies
//! namespaces and CRDs before what lives in them, config before the
//! workloads that mount it, and webhooks last so they cannot block the rest.

use crate::model::Object;
use crate::model::object::split_api_version;

const FIRST: &[&str] = &[
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
];

const LAST: &[&str] = &["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"];

fn rank(kind: &str) -> usize {
    if let Some(i) = FIRST.iter().position(|k| *k == kind) {
        return i;
    }
    if let Some(i) = LAST.iter().position(|k| *k == kind) {
        return FIRST.len() + 1 + i;
    }
    FIRST.len()
}

/// Where each object goes in the output (`new[old]`): by kind rank, then
/// group, version, kind, namespace, name (bytes). A stable sort, so the
/// permutation is one and the same on every machine.
#[must_use]
pub fn permutation(objects: &[Object]) -> Vec<usize> {
    let mut by_key: Vec<(_, usize)> = objects.iter().enumerate().map(|(i, o)| (sort_key(o), i)).collect();
    by_key.sort();
    let mut new_pos = vec![0; objects.len()];
    for (pos, (_, old)) in by_key.iter().enumerate() {
        new_pos[*old] = pos;
    }
    new_pos
}

/// Moves each object to its place: `objects[old]` goes to `new_pos[old]`.
#[must_use]
pub fn place(objects: Vec<Object>, new_pos: &[usize]) -> Vec<Object> {
    let mut placed: Vec<(usize, Object)> = new_pos.iter().copied().zip(objects).collect();
    placed.sort_unstable_by_key(|(pos, _)| *pos);
    placed.into_iter().map(|(_, o)| o).collect()
}

/// The sort key of one object: kind rank, group, version, kind, namespace,
/// name (strings compare as bytes). An object with only `generateName`
/// sorts by it, and several with one prefix by their content, so the order
/// never depends on which file or document came first.
#[must_use]
fn sort_key(o: &Object) -> (usize, String, String, String, String, String, String) {
    let (group, version) = split_api_version(o.api_version());
    let (name, content) = if o.has_generated_name() {
        let prefix = o.value.pointer("/metadata/generateName").and_then(|v| v.as_str()).unwrap_or_default();
        (prefix.to_string(), o.value.to_string())
    } else {
        (o.name().to_string(), String::new())
    };
    (
        rank(o.kind()),
        group.to_string(),
        version.to_string(),
        o.kind().to_string(),
        o.namespace().to_string(),
        name,
        content,
    )
}

/// Objects in the order [`permutation`] gives (for tests).
#[cfg(test)]
fn order(objects: &mut Vec<Object>) {
    let new_pos = permutation(objects);
    *objects = place(std::mem::take(objects), &new_pos);
}

#[cfg(test)]
mod tests {
    use super::*;

    use serde_json::json;

    #[test]
    fn legacy_order_then_identity() {
        let mk = |api: &str, kind: &str, ns: &str, name: &str| Object {
            value: json!({"apiVersion": api, "kind": kind, "metadata": {"name": name, "namespace": ns}}),
            origin: Default::default(),
        };
        let mut objs = vec![
            mk("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "", "w"),
            mk("apps/v1", "Deployment", "b", "d"),
            mk("example.com/v1", "Widget", "a", "x"),
            mk("v1", "ConfigMap", "b", "a"),
            mk("v1", "ConfigMap", "a", "z"),
            mk("v1", "Namespace", "", "a"),
            mk("argoproj.io/v1alpha1", "Rollout", "a", "r"),
        ];
        order(&mut objs);
        let got: Vec<String> = objs.iter().map(|o| format!("{}/{}", o.kind(), o.name())).collect();
        assert_eq!(
            got,
            [
                "Namespace/a",
                "ConfigMap/z",
                "ConfigMap/a",
                "Deployment/d",
                "Rollout/r",
                "Widget/x",
                "ValidatingWebhookConfiguration/w"
            ]
        );
    }
}

#[cfg(test)]
mod generate_name {
    use super::*;
    use serde_json::json;

    /// Jobs with only `generateName` sort by it, then by content, whatever
    /// their input order; a named object with the same string sorts with them.
    #[test]
    fn generate_name_objects_sort_by_prefix_then_content() {
        let job = |prefix: &str, image: &str| Object {
            value: json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"generateName": prefix, "namespace": "a"},
                          "spec": {"template": {"spec": {"containers": [{"name": "c", "image": image}]}}}}),
            origin: Default::default(),
        };
        let named = Object {
            value: json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "b", "namespace": "a"}}),
            origin: Default::default(),
        };
        let image = |o: &Object| o.value.pointer("/spec/template/spec/containers/0/image").map(|v| v.to_string());
        let mut forward = vec![job("migrate-", "z"), job("backup-", "y"), named.clone(), job("migrate-", "a")];
        let mut backward: Vec<Object> = forward.iter().rev().cloned().collect();
        order(&mut forward);
        order(&mut backward);
        let show = |objs: &[Object]| -> Vec<String> {
            objs.iter()
                .map(|o| {
                    format!(
                        "{}{}",
                        o.name(),
                        o.value.pointer("/metadata/generateName").and_then(|v| v.as_str()).unwrap_or("")
                    )
                })
                .zip(objs.iter().map(image))
                .map(|(n, i)| format!("{n}:{}", i.unwrap_or_default()))
                .collect()
        };
        assert_eq!(show(&forward), ["b:", "backup-:\"y\"", "migrate-:\"a\"", "migrate-:\"z\""]);
        assert_eq!(show(&forward), show(&backward));
    }
}
