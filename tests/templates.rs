//! SPEC §6: handlebars templates for generator inputs and manifests, and
//! the values that feed them.

mod common;
use common::*;

const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n      - name: c\n        image: busybox\n        volumeMounts: [{name: conf, mountPath: /etc/app}]\n      volumes: [{name: conf, configMap: {name: app}}]\n";

fn app(inline: &str) -> Tree {
    Tree::new()
        .file("imprint.yaml", format!("configMapGenerator:\n- name: app\n  files: [conf/app.conf.hbs]\nvalues:\n  files: [values/base.yaml, values/prod.yaml]\n  inline: {inline}\n"))
        .file("conf/app.conf.hbs", "level={{level}}\nregion={{region}}\nowner={{team.owner}}\n")
        .file("values/base.yaml", "level: info\nregion: eu\nteam: {owner: a, size: 3}\n")
        .file("values/prod.yaml", "region: us\nteam: {owner: b}\n")
        .file("deploy.yaml", DEPLOY)
}

#[test]
fn generator_templates_render_before_hashing() {
    let t = app("{}");
    let docs = docs(t.render(&[]).ok());
    let cm = find(&docs, "ConfigMap", "app").unwrap();
    assert_eq!(cm["data"]["app.conf"], "level=info\nregion=us\nowner=b\n", "key drops .hbs; files deep-merge in order");
    assert_eq!(cm["metadata"]["annotations"]["imprint.dev/source"], "conf/app.conf.hbs");
    // A changed value is a new name and a rollout.
    let changed = docs_of(&t.render(&["--set", "level=debug"]));
    let (a, b) = (name_of(&docs, "ConfigMap", "app"), name_of(&changed, "ConfigMap", "app"));
    assert_ne!(a, b);
    let dep = changed.iter().find(|d| d["kind"] == "Deployment").unwrap();
    assert_eq!(dep["spec"]["template"]["spec"]["volumes"][0]["configMap"]["name"], b.as_str());
}

fn docs_of(run: &Run) -> Vec<serde_json::Value> {
    docs(run.ok())
}

fn conf(run: &Run) -> String {
    find(&docs(run.ok()), "ConfigMap", "app").unwrap()["data"]["app.conf"].as_str().unwrap().to_string()
}

#[test]
fn value_precedence() {
    let t = app("{level: warn, region: ap}");
    let dir = t.path().to_str().unwrap().to_string();
    assert_eq!(conf(&t.render(&[])), "level=warn\nregion=ap\nowner=b\n", "inline over files");
    let env = [("ARGOCD_ENV_level", "error")];
    assert_eq!(
        conf(&imprint(&["render", &dir], None, &env)),
        "level=error\nregion=ap\nowner=b\n",
        "Argo CD parameters over inline"
    );
    let run = imprint(&["render", &dir, "--set", "level=trace", "--set", "team.owner=c"], None, &env);
    assert_eq!(conf(&run), "level=trace\nregion=ap\nowner=c\n", "--set over everything, dotted paths");
    let shown = imprint(&["render", &dir, "--show-values", "--set-string", "team.size=4"], None, &env);
    let v = &docs(shown.ok())[0];
    assert_eq!(v["level"], "error");
    assert_eq!(v["team"]["size"], "4", "--set-string keeps a string");
    assert_eq!(v["team"]["owner"], "b");
}

#[test]
fn manifest_templates_are_parsed_after_rendering() {
    let t = Tree::new()
        .file("imprint.yaml", "values:\n  inline: {replicas: 3, image: \"nginx:1.27\", env: {A: \"1\", B: \"on\"}}\n")
        .file("deploy.yaml.hbs", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: {{replicas}}\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n      - name: c\n        image: {{json image}}\n        env:\n{{#each env}}\n        - {name: {{@key}}, value: {{json this}}}\n{{/each}}\n");
    let docs = docs(t.render(&[]).ok());
    let d = &docs[0];
    assert_eq!(d["spec"]["replicas"], 3);
    assert_eq!(d["spec"]["template"]["spec"]["containers"][0]["image"], "nginx:1.27");
    assert_eq!(d["spec"]["template"]["spec"]["containers"][0]["env"][1]["value"], "on", "json keeps strings strings");
}

#[test]
fn no_html_escaping() {
    let t = Tree::new()
        .file("imprint.yaml", "configMapGenerator:\n- name: app\n  files: [page.html.hbs]\nvalues:\n  inline: {title: \"<b>A & B</b>\"}\n")
        .file("page.html.hbs", "<h1>{{title}}</h1>\n");
    let docs = docs(t.render(&[]).ok());
    assert_eq!(find(&docs, "ConfigMap", "app").unwrap()["data"]["page.html"], "<h1><b>A & B</b></h1>\n");
}

#[test]
fn bad_missing_variable_names_file_line_and_variable() {
    let t = app("{}").file("conf/app.conf.hbs", "level={{level}}\nzone={{zone}}\n");
    t.render(&[]).bad_input(&["template: missing variable `zone`", "conf/app.conf.hbs:2"]);
    let t = Tree::new().file("d.yaml.hbs", "a: 1\nb: {{nope}}\n");
    t.render(&[]).bad_input(&["missing variable `nope`", "d.yaml.hbs:2"]);
}

#[test]
fn bad_unknown_helper_and_syntax_error() {
    let t = app("{}").file("conf/app.conf.hbs", "x={{shell \"ls\"}}\n");
    t.render(&[]).bad_input(&["unknown helper `shell`", "conf/app.conf.hbs:1"]);
    let t = app("{}").file("conf/app.conf.hbs", "a\nx={{#if level}}\n");
    t.render(&[]).bad_input(&["template", "conf/app.conf.hbs:"]);
}

#[test]
fn bad_rendered_manifest_names_the_template() {
    let t = Tree::new()
        .file("imprint.yaml", "values:\n  inline: {x: \"a: b: c\"}\n")
        .file("d.yaml.hbs", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  k: {{x}}\n");
    t.render(&[]).bad_input(&["invalid YAML", "d.yaml.hbs:5", "rendered template"]);
}

#[test]
fn a_value_cannot_smuggle_documents() {
    let t = Tree::new()
        .file(
            "imprint.yaml",
            "values:\n  inline: {x: \"1\\n---\\napiVersion: v1\\nkind: Secret\\nmetadata: {name: evil}\"}\n",
        )
        .file("d.yaml.hbs", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  k: {{x}}\n");
    t.render(&[]).bad_input(&["line break", "d.yaml.hbs", "{{json x}}"]);
    let safe = t.file("d.yaml.hbs", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  k: {{json x}}\n");
    let docs = docs(safe.render(&[]).ok());
    assert_eq!(docs.len(), 1);
    assert!(docs[0]["data"]["k"].as_str().unwrap().contains("kind: Secret"));
}

#[test]
fn bad_set_without_equals_and_values_not_a_mapping() {
    app("{}").render(&["--set", "level"]).bad_input(&["--set \"level\" has no '='"]);
    app("{}")
        .file("values/prod.yaml", "- a\n- b\n")
        .render(&[])
        .bad_input(&["values file must hold one mapping", "values/prod.yaml:1"]);
    app("[1]").render(&[]).bad_input(&["values.inline is not a mapping", "imprint.yaml"]);
    app("{}").file("imprint.yaml", "values:\n  files: [../x.yaml]\n").render(&[]).bad_input(&[
        "refused path",
        "imprint.yaml:2",
        "values.files[0]",
    ]);
}

#[test]
fn values_files_are_not_resources() {
    // values/*.yaml are YAML files under DIR but not manifests.
    let docs = docs(app("{}").render(&[]).ok());
    assert_eq!(docs.len(), 2);
}
