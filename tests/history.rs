//! SPEC §9: previous versions from git history.

mod common;
use common::*;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n      - name: c\n        image: busybox\n        envFrom: [{configMapRef: {name: msg}}]\n";

/// A repository whose app has one bundle `msg`; each entry of `messages` is
/// a commit setting MESSAGE to it.
fn history(messages: &[&str]) -> Tree {
    let t = Tree::new();
    git(t.path(), &["init", "-q", "-b", "main"]);
    let t = t
        .file("app/imprint.yaml", "namespace: prod\nconfigMapGenerator:\n- name: msg\n  envs: [msg.env]\n")
        .file("app/d.yaml", DEPLOY);
    for m in messages {
        std::fs::write(t.path().join("app/msg.env"), format!("MESSAGE={m}\n")).unwrap();
        git(t.path(), &["add", "-A"]);
        git(t.path(), &["commit", "-q", "--allow-empty", "-m", m]);
    }
    t
}

fn run_in(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(bin()).current_dir(dir).args(args).env_clear().output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// (name, MESSAGE, superseded) of every `msg` ConfigMap in the output.
fn versions(out: &str) -> Vec<(String, String, bool)> {
    docs(out)
        .iter()
        .filter(|d| d["kind"] == "ConfigMap" && d["metadata"]["annotations"]["imprint.dev/bundle"] == "msg")
        .map(|d| {
            (
                d["metadata"]["name"].as_str().unwrap().to_string(),
                d["data"]["MESSAGE"].as_str().unwrap().to_string(),
                d["metadata"]["annotations"]["imprint.dev/superseded"] == "true",
            )
        })
        .collect()
}

fn messages(v: &[(String, String, bool)]) -> Vec<(&str, bool)> {
    let mut m: Vec<(&str, bool)> = v.iter().map(|(_, msg, s)| (msg.as_str(), *s)).collect();
    m.sort();
    m
}

#[test]
fn keeps_n_previous_distinct_versions_exactly_as_rendered() {
    let t = history(&["one", "two", "three", "four"]);
    let dir = t.path().join("app");
    let n1 = versions(run_in(&dir, &["render", ".", "--keep-versions", "1"]).ok());
    assert_eq!(messages(&n1), [("four", false), ("three", true)]);
    let n3 = versions(run_in(&dir, &["render", ".", "--keep-versions", "3"]).ok());
    assert_eq!(messages(&n3), [("four", false), ("one", true), ("three", true), ("two", true)]);
    // Each retained version is byte for byte what that revision rendered.
    let at_two = run_in(&dir, &["render", ".", "--rev", "HEAD~2"]).ok().to_string();
    let two = n3.iter().find(|v| v.1 == "two").unwrap();
    let rendered_then = docs(&at_two).into_iter().find(|d| d["kind"] == "ConfigMap").unwrap();
    let kept = docs(run_in(&dir, &["render", ".", "--keep-versions", "3"]).ok())
        .into_iter()
        .find(|d| d["metadata"]["name"] == two.0.as_str())
        .unwrap();
    let mut without_mark = kept.clone();
    without_mark["metadata"]["annotations"].as_object_mut().unwrap().remove("imprint.dev/superseded");
    assert_eq!(without_mark, rendered_then);
    // More than history holds is fine when the history is complete.
    assert_eq!(versions(run_in(&dir, &["render", ".", "--keep-versions", "9"]).ok()).len(), 4);
    // keepVersions in imprint.yaml works the same; the flag beats it.
    std::fs::write(
        dir.join("imprint.yaml"),
        "namespace: prod\nkeepVersions: 2\nconfigMapGenerator:\n- name: msg\n  envs: [msg.env]\n",
    )
    .unwrap();
    assert_eq!(versions(run_in(&dir, &["render", "."]).ok()).len(), 3);
    assert_eq!(versions(run_in(&dir, &["render", ".", "--keep-versions", "1"]).ok()).len(), 2);
}

/// A superseded copy is only for old pods: no label may select it (Grafana's
/// sidecar would load every old dashboard, Argo CD every old repo template).
#[test]
fn superseded_copies_carry_no_labels() {
    let t = history(&["one", "two"]);
    let dir = t.path().join("app");
    std::fs::write(
        dir.join("imprint.yaml"),
        "namespace: prod\nconfigMapGenerator:\n- name: msg\n  envs: [msg.env]\n  options: {labels: {grafana_dashboard: \"1\"}}\n",
    )
    .unwrap();
    for m in ["three", "four"] {
        std::fs::write(dir.join("msg.env"), format!("MESSAGE={m}\n")).unwrap();
        git(t.path(), &["add", "-A"]);
        git(t.path(), &["commit", "-q", "-m", m]);
    }
    let out = docs(run_in(&dir, &["render", ".", "--keep-versions", "2"]).ok());
    let msgs: Vec<&Value> =
        out.iter().filter(|d| d["metadata"]["annotations"]["imprint.dev/bundle"] == "msg").collect();
    assert_eq!(msgs.len(), 3);
    for d in msgs {
        let superseded = d["metadata"]["annotations"]["imprint.dev/superseded"] == "true";
        assert_eq!(d["metadata"].get("labels").is_some(), !superseded, "{d}");
        if !superseded {
            assert_eq!(d["metadata"]["labels"]["grafana_dashboard"], "1");
        }
    }
}

#[test]
fn a_revert_gives_back_the_old_name_without_duplicates() {
    let t = history(&["one", "two", "one", "three"]);
    let dir = t.path().join("app");
    let out = versions(run_in(&dir, &["render", ".", "--keep-versions", "3"]).ok());
    assert_eq!(messages(&out), [("one", true), ("three", false), ("two", true)], "distinct versions only");
    let at_revert = versions(run_in(&dir, &["render", ".", "--rev", "HEAD~1"]).ok());
    let at_first = versions(run_in(&dir, &["render", ".", "--rev", "HEAD~3"]).ok());
    assert_eq!(at_revert[0].0, at_first[0].0, "a revert brings back the identical name");
}

#[test]
fn rev_and_working_tree_walk_from_the_right_place() {
    let t = history(&["one", "two", "three"]);
    let dir = t.path().join("app");
    let at = versions(run_in(&dir, &["render", ".", "--rev", "HEAD~1", "--keep-versions", "1"]).ok());
    assert_eq!(messages(&at), [("one", true), ("two", false)]);
    std::fs::write(dir.join("msg.env"), "MESSAGE=uncommitted\n").unwrap();
    let wt = versions(run_in(&dir, &["render", ".", "--keep-versions", "1"]).ok());
    assert_eq!(messages(&wt), [("three", true), ("uncommitted", false)], "HEAD is the working tree's previous version");
    assert_eq!(
        run_in(&dir, &["render", ".", "--keep-versions", "1"]).stdout,
        run_in(&dir, &["render", ".", "--keep-versions", "1"]).stdout
    );
}

#[test]
fn removed_bundles_keep_nothing_and_unrelated_commits_do_not_count() {
    let t = history(&["one", "two"]);
    // A commit outside the app and one that only touches the Deployment.
    let t = t.file("README.md", "docs");
    git(t.path(), &["add", "-A"]);
    git(t.path(), &["commit", "-qm", "docs"]);
    std::fs::write(t.path().join("app/d.yaml"), DEPLOY.replace("busybox", "busybox:1.37")).unwrap();
    git(t.path(), &["commit", "-qam", "image"]);
    let dir = t.path().join("app");
    let out = versions(run_in(&dir, &["render", ".", "--keep-versions", "1"]).ok());
    assert_eq!(messages(&out), [("one", true), ("two", false)]);
    // The bundle is renamed (a new generator name): the old one is not kept.
    std::fs::write(
        dir.join("imprint.yaml"),
        "namespace: prod\nconfigMapGenerator:\n- name: greeting\n  envs: [msg.env]\n",
    )
    .unwrap();
    std::fs::write(dir.join("d.yaml"), DEPLOY.replace("name: msg", "name: greeting")).unwrap();
    let out = run_in(&dir, &["render", ".", "--keep-versions", "2"]);
    assert!(versions(out.ok()).is_empty(), "a bundle gone at the rendered revision keeps nothing");
}

#[test]
fn merges_follow_the_first_parent() {
    let t = history(&["one"]);
    git(t.path(), &["checkout", "-q", "-b", "feature"]);
    std::fs::write(t.path().join("app/msg.env"), "MESSAGE=feature\n").unwrap();
    git(t.path(), &["commit", "-qam", "feature"]);
    git(t.path(), &["checkout", "-q", "main"]);
    std::fs::write(t.path().join("app/msg.env"), "MESSAGE=main\n").unwrap();
    git(t.path(), &["commit", "-qam", "main"]);
    git(t.path(), &["merge", "-q", "-X", "theirs", "--no-edit", "feature"]);
    let dir = t.path().join("app");
    let out = versions(run_in(&dir, &["render", ".", "--keep-versions", "3"]).ok());
    assert_eq!(
        messages(&out),
        [("feature", false), ("main", true), ("one", true)],
        "the feature branch's own commits are not walked"
    );
}

#[test]
fn no_history_or_a_shallow_clone_is_an_error_that_says_so() {
    let plain = Tree::new().copy_from(&repo_root().join("samples/web-message"), "");
    run_in(plain.path(), &["render", ".", "--keep-versions", "1"])
        .bad_input(&["keepVersions needs git history", "not inside a git repository"]);
    let t = history(&["one", "two", "three"]);
    let clone = Tree::new();
    let url = format!("file://{}", t.path().display());
    git(clone.path(), &["clone", "-q", "--depth", "2", &url, "c"]);
    let dir = clone.path().join("c/app");
    run_in(&dir, &["render", ".", "--keep-versions", "2"]).bad_input(&[
        "shallow",
        "--keep-versions-best-effort",
        "fetch",
    ]);
    let best = run_in(&dir, &["render", ".", "--keep-versions", "2", "--keep-versions-best-effort"]);
    assert_eq!(messages(&versions(best.ok())), [("three", false), ("two", true)]);
    assert!(best.stderr.contains("warning[history-shallow]"), "{}", best.stderr);
    // The depth bound says so when it cuts the search short.
    let deep = run_in(&t.path().join("app"), &["render", ".", "--keep-versions", "2", "--history-depth", "1"]);
    assert_eq!(messages(&versions(deep.ok())), [("three", false), ("two", true)]);
    assert!(deep.stderr.contains("warning[history-depth]"), "{}", deep.stderr);
}

#[test]
fn diff_and_graph_show_retained_versions_apart() {
    let t = history(&["one", "two"]);
    let dir = t.path().join("app");
    std::fs::write(dir.join("msg.env"), "MESSAGE=three\n").unwrap();
    let d = run_in(&dir, &["diff", ".", "--from", "HEAD", "--keep-versions", "1", "--format", "json"]);
    assert_eq!(d.code, 1, "{}", d.stderr);
    let v: Value = serde_json::from_str(&d.stdout).unwrap();
    assert_eq!(v["bundles"].as_array().unwrap().len(), 1, "one new version");
    assert_eq!(v["retained"]["added"].as_array().unwrap().len(), 1, "HEAD's version is kept now");
    assert_eq!(v["retained"]["removed"].as_array().unwrap().len(), 1, "the oldest is dropped");
    let g = run_in(&dir, &["graph", ".", "--keep-versions", "1", "--format", "json"]);
    let v: Value = serde_json::from_str(g.ok()).unwrap();
    let kept: Vec<&Value> = v["bundles"].as_array().unwrap().iter().filter(|b| b["superseded"] == true).collect();
    assert_eq!(kept.len(), 1);
    assert!(kept[0]["usedBy"].as_array().unwrap().is_empty());
    assert!(run_in(&dir, &["graph", ".", "--keep-versions", "1"]).ok().contains("(superseded)"));
}

/// An attributes file in the app but outside a listed folder changes what
/// that folder's files read as: keepVersions must not reuse the folder's
/// old objects (found in review: the old version went missing).
#[test]
fn keep_versions_sees_attribute_changes_inside_the_app() {
    let t = Tree::new();
    git(t.path(), &["init", "-q", "-b", "main"]);
    let t = t
        .file("imprint.yaml", "namespace: prod\nkeepVersions: 3\nresources: [manifests/]\n")
        .file("manifests/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: msg}\ndata: {v: \"$Id$\"}\n")
        .file("manifests/d.yaml", DEPLOY);
    let commit = |m: &str| {
        git(t.path(), &["add", "-A"]);
        git(t.path(), &["commit", "-q", "-m", m]);
    };
    commit("one");
    std::fs::write(t.path().join(".gitattributes"), "manifests/*.yaml ident\n").unwrap();
    commit("two");
    let cm = t.path().join("manifests/cm.yaml");
    std::fs::write(&cm, std::fs::read_to_string(&cm).unwrap().replace("\"$Id$\"", "\"$Id$ x\"")).unwrap();
    commit("three");
    let name_at = |rev: &str| {
        let out = run_in(t.path(), &["render", ".", "--rev", rev, "--keep-versions", "0"]).ok().to_string();
        name_of(&docs(&out), "ConfigMap", "msg")
    };
    let names: Vec<String> = ["HEAD~2", "HEAD~1", "HEAD"].iter().map(|r| name_at(r)).collect();
    assert_eq!(names.iter().collect::<std::collections::BTreeSet<_>>().len(), 3, "{names:?}");
    let out = run_in(t.path(), &["render", ".", "--rev", "HEAD"]).ok().to_string();
    for n in &names {
        assert!(out.contains(&format!("name: {n}\n")), "{n} missing from {out}");
    }
}
