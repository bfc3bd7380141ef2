//! imprint.yaml parsing and checking.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = imprint::load::parse_config(text, "imprint.yaml");
    }
});
