//! The env-file reader and generator, through a secretGenerator bundle.
#![no_main]
use imprint::config::Generator;
use imprint::load::{BundleSpec, Input};
use imprint::model::BundleKind;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let spec = BundleSpec {
        target: BundleKind::Secret,
        generator: Generator { name: "g".into(), ..Generator::default() },
        line: 1,
        inputs: vec![Input::Env { path: "a.env".into(), bytes: data.to_vec() }],
        skipped_subfolders: Vec::new(),
    };
    let _ = imprint::generate::generate(&spec, &serde_json::Value::Null, &Default::default(), &Default::default(), &mut Vec::new());
});
