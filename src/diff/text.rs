//! The text report: what a terminal shows, coloured when asked.

use super::{BundleChange, KeyChanges, ObjectChanges, Report, Rollout};

/// Colours for the text format.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(self, code: &str, text: &str) -> String {
        if self.color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
    }
}

pub(super) fn keys_summary(k: &KeyChanges) -> String {
    let mut parts = Vec::new();
    for (what, list) in [("added", &k.added), ("removed", &k.removed), ("changed", &k.changed)] {
        if !list.is_empty() {
            parts.push(format!("{what}: {}", list.join(", ")));
        }
    }
    parts.join("; ")
}

fn bundle_line(b: &BundleChange) -> String {
    let ns = if b.namespace.is_empty() { String::new() } else { format!("{}/", b.namespace) };
    let what = match b.change {
        "new-version" => {
            format!("{} → {}", b.old_name.as_deref().unwrap_or_default(), b.new_name.as_deref().unwrap_or_default())
        }
        "added" => format!("added ({})", b.new_name.as_deref().unwrap_or_default()),
        _ => format!("removed ({})", b.old_name.as_deref().unwrap_or_default()),
    };
    format!("{ns}{} {}: {what}", b.kind, b.bundle)
}

pub(super) fn rollout_reason(r: &Rollout) -> String {
    let bundles = format!("new version of {}", r.bundles.join(", "));
    let other = format!("changed {}", r.other_changes.join(", "));
    match (r.bundles.is_empty(), r.other_changes.is_empty()) {
        (false, true) => format!("{bundles} (config only)"),
        (false, false) => format!("{bundles}; {other}"),
        (true, _) => other,
    }
}

/// The terminal report.
#[must_use]
pub fn to_text(r: &Report, style: Style) -> String {
    let mut out = String::new();
    if !r.changed {
        return "No changes.\n".into();
    }
    let head = |t: &str| style.paint("1", t);
    out.push_str(&format!("{}\n", head(&format!("Config versions ({})", r.bundles.len()))));
    for b in &r.bundles {
        out.push_str(&format!("  {}\n", bundle_line(b)));
        let keys = keys_summary(&b.keys);
        if !keys.is_empty() && b.change == "new-version" {
            out.push_str(&format!("      keys {keys}\n"));
        }
    }
    out.push_str(&format!("\n{}\n", head(&format!("Workloads that will roll ({})", r.rollouts.len()))));
    for w in &r.rollouts {
        out.push_str(&format!("  {}: {}\n", w.workload, rollout_reason(w)));
    }
    let o = &r.objects;
    out.push_str(&format!(
        "\n{}\n",
        head(&format!(
            "Other objects ({} added, {} removed, {} changed)",
            o.added.len(),
            o.removed.len(),
            o.changed.len()
        ))
    ));
    for (what, list) in [("added", &o.added), ("removed", &o.removed), ("changed", &o.changed)] {
        for x in list {
            out.push_str(&format!("  {what:<8}{x}\n"));
        }
    }
    let kept = &r.retained;
    if kept != &ObjectChanges::default() {
        out.push_str(&format!(
            "\n{}\n",
            head(&format!("Retained previous versions ({} kept, {} dropped)", kept.added.len(), kept.removed.len()))
        ));
        for (what, list) in [("kept", &kept.added), ("dropped", &kept.removed), ("changed", &kept.changed)] {
            for x in list {
                out.push_str(&format!("  {what:<8}{x}\n"));
            }
        }
    }
    if !r.diff.is_empty() {
        out.push('\n');
        for line in r.diff.lines() {
            let painted = if line.starts_with("+++") || line.starts_with("---") {
                style.paint("1", line)
            } else if line.starts_with('+') {
                style.paint("32", line)
            } else if line.starts_with('-') {
                style.paint("31", line)
            } else if line.starts_with("@@") {
                style.paint("36", line)
            } else {
                line.to_string()
            };
            out.push_str(&painted);
            out.push('\n');
        }
    }
    out
}
