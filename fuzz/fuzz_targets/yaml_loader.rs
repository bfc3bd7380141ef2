//! The manifest loader: any bytes give objects or an error, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = imprint::load::parse_objects(text, "f.yaml");
        let _ = imprint::load::parse_objects(text, "f.json");
    }
});
