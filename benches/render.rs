//! Criterion benchmarks of the pipeline stages that grow with the input:
//! the hash of a large bundle, and a full render (load + pipeline + emit)
//! of a synthetic app; and how long hostile inputs take to be refused.
//! Whole-command timings against `kubectl kustomize` live in BENCHMARKS.md.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use imprint::model::annotations;
use imprint::source::{Confined, dir::DirSource};
use imprint::version::hash::{Content, EntryTag, digest};
use std::hint::black_box;
use std::path::Path;

/// A synthetic app: `n` Deployments, each with its own ConfigMap (files +
/// envs through a generator) and a shared Secret, like shared/bench/gen.py
/// in miniature.
fn write_app(dir: &Path, n: usize) {
    let mut gens = String::from("namespace: bench\nresources: [manifests/]\nconfigMapGenerator:\n");
    std::fs::create_dir_all(dir.join("manifests")).unwrap();
    std::fs::create_dir_all(dir.join("config")).unwrap();
    for i in 0..n {
        gens.push_str(&format!("- name: app-{i}\n  files: [config/app-{i}.properties]\n  literals: [INDEX={i}]\n"));
        let props: String = (0..40).map(|k| format!("setting.{k}=value-{i}-{k}\n")).collect();
        std::fs::write(dir.join(format!("config/app-{i}.properties")), props).unwrap();
        std::fs::write(
            dir.join(format!("manifests/app-{i}.yaml")),
            format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: app-{i}}}\nspec:\n  selector: {{matchLabels: {{app: app-{i}}}}}\n  template:\n    metadata: {{labels: {{app: app-{i}}}}}\n    spec:\n      containers:\n      - name: c\n        image: busybox\n        envFrom: [{{configMapRef: {{name: app-{i}}}}}, {{secretRef: {{name: shared}}}}]\n        volumeMounts: [{{name: cfg, mountPath: /etc/app}}]\n      volumes: [{{name: cfg, configMap: {{name: app-{i}}}}}]\n---\napiVersion: v1\nkind: Service\nmetadata: {{name: app-{i}}}\nspec:\n  selector: {{app: app-{i}}}\n  ports: [{{port: 80}}]\n"
            ),
        )
        .unwrap();
    }
    gens.push_str("secretGenerator:\n- name: shared\n  literals: [PASSWORD=bench]\n");
    std::fs::write(dir.join("imprint.yaml"), gens).unwrap();
}

fn render(dir: &Path) -> String {
    let src = Confined::new(DirSource::open(dir).unwrap());
    let loaded = imprint::load::load_dir(&src).unwrap();
    imprint::pipeline::render_to_string(loaded, &imprint::render::Options::default(), imprint::emit::Format::Yaml)
        .unwrap()
}

fn bench_render(c: &mut Criterion) {
    let mut group = c.benchmark_group("render");
    group.sample_size(10);
    for n in [100usize, 1000] {
        let dir = tempfile::tempdir().unwrap();
        write_app(dir.path(), n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), dir.path(), |b, p| b.iter(|| black_box(render(p))));
    }
    group.finish();
}

fn bench_hash(c: &mut Criterion) {
    let value = vec![b'x'; 1 << 20];
    let content = Content { kind: "ConfigMap", secret_type: "", entries: vec![(EntryTag::Data, "big", value)] };
    let mut group = c.benchmark_group("hash");
    group.throughput(Throughput::Bytes(1 << 20));
    group.bench_function("1MiB", |b| b.iter(|| black_box(digest(&content, None))));
    group.finish();
}

/// Each stage on its own, on the 1,000-workload app, so a regression shows
/// where it happens.
fn bench_stages(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    write_app(dir.path(), 1000);
    let src = Confined::new(DirSource::open(dir.path()).unwrap());
    let loaded = imprint::load::load_dir(&src).unwrap();
    let opts = imprint::render::Options::default();
    let rendered = imprint::pipeline::run(loaded.clone(), &opts, None).unwrap();
    let stream = imprint::emit::to_string(&rendered.objects, imprint::emit::Format::Yaml);
    let mut group = c.benchmark_group("stage");
    group.sample_size(10);
    group.bench_function("load (read + parse)", |b| b.iter(|| black_box(imprint::load::load_dir(&src).unwrap())));
    group.bench_function("parse stream", |b| b.iter(|| black_box(imprint::yaml::parse_stream(&stream, "s").unwrap())));
    group.bench_function("pipeline (generate, version, rewrite, order)", |b| {
        b.iter(|| black_box(imprint::pipeline::run(loaded.clone(), &opts, None).unwrap()))
    });
    let rules = imprint::refs::Rules::new(&[]);
    let scopes = imprint::kinds::Scopes::of(&rendered.objects);
    group.bench_function("references", |b| {
        b.iter(|| black_box(imprint::refs::resolve::links(&rendered.objects, &rules, &scopes)))
    });
    // Every versioned bundle as renamed: the scan reads every object.
    let renamed: Vec<imprint::refs::stale::Renamed> = rendered
        .objects
        .iter()
        .enumerate()
        .filter_map(|(index, o)| {
            Some(imprint::refs::stale::Renamed {
                index,
                target: o.bundle_kind()?,
                namespace: o.namespace(),
                old: o.annotation(annotations::BUNDLE)?,
                new: o.name(),
            })
        })
        .collect();
    assert!(!renamed.is_empty());
    group.bench_function("stale-name scan", |b| {
        b.iter(|| black_box(imprint::refs::stale::scan_all(&rendered.objects, &renamed, &scopes)))
    });
    group.bench_function("order", |b| b.iter(|| black_box(imprint::order::permutation(&rendered.objects))));
    // The binary's write path: parallel chunks into one writer.
    group.bench_function("emit", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(stream.len());
            let limits = imprint::limits::Limits::default();
            imprint::emit::write_stream(&rendered.objects, imprint::emit::Format::Yaml, &limits, &mut out).unwrap();
            black_box(out)
        })
    });
    group.finish();
}

/// How long hostile inputs take to be refused. Tests assert no time
/// (issue 17): tests/hardening.rs checks what the refusals say and
/// tests/linear.rs counts the work done before them; the time is here.
fn bench_hostile(c: &mut Criterion) {
    let mut bomb = String::from("a: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n");
    for (p, c) in ('a'..='h').zip('b'..='i') {
        bomb.push_str(&format!("{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"));
    }
    let streams = [
        ("alias bomb", bomb),
        ("100,000-deep nesting", format!("{}{}", "[".repeat(100_000), "]".repeat(100_000))),
        ("a million documents", (0..1_000_000).map(|i| format!("---\nk: {i}\n")).collect()),
        (
            "6 million nodes",
            format!("apiVersion: x.io/v1\nkind: Z\nmetadata: {{name: z}}\nspec: [{}0]\n", "0,".repeat(6_000_000)),
        ),
    ];
    let limits = imprint::limits::Limits::default();
    let mut group = c.benchmark_group("hostile");
    group.sample_size(10);
    for (name, text) in &streams {
        assert!(imprint::load::load_stream(text, "<stdin>", &limits).is_err(), "{name} is refused");
        group.bench_function(*name, |b| {
            b.iter(|| black_box(imprint::load::load_stream(text, "<stdin>", &limits).is_err()))
        });
    }
    // Six nested loops over 16 values: refused at a million iterations.
    let dir = tempfile::tempdir().unwrap();
    let values: Vec<String> = (1..=16).map(|i| i.to_string()).collect();
    std::fs::write(dir.path().join("imprint.yaml"), format!("values:\n  inline: {{n: [{}]}}\n", values.join(",")))
        .unwrap();
    std::fs::write(
        dir.path().join("big.yaml.hbs"),
        "{{#each n}}{{#each @root.n}}{{#each @root.n}}{{#each @root.n}}{{#each @root.n}}{{#each @root.n}}# padding\n{{/each}}{{/each}}{{/each}}{{/each}}{{/each}}{{/each}}",
    )
    .unwrap();
    let src = Confined::new(DirSource::open(dir.path()).unwrap());
    assert!(imprint::load::load_dir(&src).is_err(), "the loop is refused");
    group.bench_function("template loop", |b| b.iter(|| black_box(imprint::load::load_dir(&src).is_err())));
    group.finish();
}

criterion_group!(benches, bench_render, bench_hash, bench_stages, bench_hostile);
criterion_main!(benches);
