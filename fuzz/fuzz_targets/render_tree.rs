//! A whole render of a small generated tree: the input splits into a
//! manifest, an imprint.yaml and an env file.
#![no_main]
use imprint::source::{Confined, dir::DirSource};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut parts = text.splitn(3, "\u{1}");
    let (manifest, config, env) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("m.yaml"), manifest).unwrap();
    std::fs::write(dir.path().join("imprint.yaml"), config).unwrap();
    std::fs::write(dir.path().join("a.env"), env).unwrap();
    std::fs::write(dir.path().join("a.txt"), "x").unwrap();
    let src = Confined::new(DirSource::open(dir.path()).unwrap());
    if let Ok(loaded) = imprint::load::load_dir(&src) {
        let opts = imprint::render::Options { lenient: true, ..Default::default() };
        if let Ok(r) = imprint::pipeline::run(loaded, &opts, None) {
            let mut out = Vec::new();
            let _ = imprint::emit::write_stream(&r.objects, imprint::emit::Format::Yaml, &Default::default(), &mut out);
            let _ = imprint::graph::build(&r);
            let _ = imprint::check::check(&r, &[], imprint::check::Settings::default());
        }
    }
});
