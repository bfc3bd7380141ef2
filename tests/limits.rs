//! The YAML budgets admit real streams (50,000 documents; 50 MB) while
//! hostile ones fail fast (SPEC §7, issue: "limits set explicitly").

use imprint::yaml::parse_stream;

#[test]
fn fifty_thousand_documents_parse() {
    let mut text = String::new();
    for i in 0..50_000 {
        text.push_str(&format!("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cm-{i}}}\ndata: {{k: v}}\n"));
    }
    assert_eq!(parse_stream(&text, "big.yaml").unwrap().len(), 50_000);
}

#[test]
fn fifty_megabytes_of_scalars_parse() {
    let value = "x".repeat(1 << 20);
    let mut text = String::new();
    for i in 0..50 {
        text.push_str(&format!(
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cm-{i}}}\ndata: {{k: \"{value}\"}}\n"
        ));
    }
    assert!(text.len() > 50_000_000);
    assert_eq!(parse_stream(&text, "big.yaml").unwrap().len(), 50);
}

#[test]
fn a_billion_laughs_fails_with_the_file_and_line() {
    let mut text = String::from("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (p, c) in ('a'..='h').zip('b'..='i') {
        text.push_str(&format!("{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"));
    }
    let err = parse_stream(&text, "bomb.yaml").unwrap_err().to_string();
    assert!(err.starts_with("aliases expand past the limit of 1000000 (bomb.yaml:"), "{err}");
    assert!(err.contains("--max-alias-expansion"), "{err}");
}
