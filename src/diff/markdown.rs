//! The markdown report (a pull-request comment, cut to fit when asked) and
//! the JSON one.

use super::text::{keys_summary, rollout_reason};
use super::{BundleChange, ObjectChanges, Report};

/// Text from the input (names, keys, paths) as inert markdown: it cannot
/// close a table cell or a `<details>`, start an HTML block or a heading,
/// mention anyone or break the line. Object names of custom kinds are
/// barely checked by the API server, so any of these can be real.
fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '@' => out.push_str("&#64;"),
            '`' => out.push_str("&#96;"),
            '*' | '_' | '[' | ']' | '#' | '\\' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Smallest `--max-report-size`: the summary table and the cut notice
/// always fit.
pub const MIN_REPORT_SIZE: usize = 1024;

/// Markdown for a pull-request comment (the whole report).
#[must_use]
pub fn to_markdown(r: &Report) -> String {
    to_markdown_capped(r, usize::MAX)
}

/// Markdown of at most `max` bytes (at least [`MIN_REPORT_SIZE`]), for a
/// comment box with a size limit (GitHub's holds 65,536 characters). When
/// the whole report is larger, the details go first (object diff, retained
/// versions, other objects), then rows of the two tables from the end, and
/// a line says what was left out. The summary counts always stay whole.
#[must_use]
pub fn to_markdown_capped(r: &Report, max: usize) -> String {
    let mut out = String::from("### imprint diff\n\n");
    if !r.changed {
        out.push_str("No changes.\n");
        return out;
    }
    let o = &r.objects;
    out.push_str("| | |\n|---|---|\n");
    out.push_str(&format!("| config versions | {} |\n", r.bundles.len()));
    out.push_str(&format!("| workloads that will roll | {} |\n", r.rollouts.len()));
    out.push_str(&format!(
        "| other objects added / removed / changed | {} / {} / {} |\n\n",
        o.added.len(),
        o.removed.len(),
        o.changed.len()
    ));
    let bundles: Vec<String> = r.bundles.iter().map(bundle_row).collect();
    let rollouts: Vec<String> = r
        .rollouts
        .iter()
        .map(|w| format!("| {} | {} |\n", md_escape(&w.workload.to_string()), md_escape(&rollout_reason(w))))
        .collect();
    // Details, in the order they are given up.
    let mut details = vec![
        ("other objects", details("Other objects", ["added", "removed", "changed"], o)),
        (
            "retained previous versions",
            details("Retained previous versions", ["kept", "dropped", "changed"], &r.retained),
        ),
        ("the object diff", object_diff(&r.diff)),
    ];
    details.retain(|(_, text)| !text.is_empty());
    let shown = |b: usize, w: usize| tables(&bundles[..b], bundles.len(), &rollouts[..w], rollouts.len());
    let whole = shown(bundles.len(), rollouts.len());
    let details_len: usize = details.iter().map(|(_, t)| t.len()).sum();
    if out.len() + whole.len() + details_len <= max {
        out.push_str(&whole);
        details.iter().for_each(|(_, t)| out.push_str(t));
        return out;
    }
    // Room for the notice: it names what was cut, at most this long.
    let notice_room = 400;
    let sum = |d: &[(&str, String)]| d.iter().map(|(_, t)| t.len()).sum::<usize>();
    let mut left_out = Vec::new();
    while !details.is_empty() && out.len() + whole.len() + sum(&details) + notice_room > max {
        left_out.extend(details.pop().map(|(what, _)| what));
    }
    let (mut b, mut w) = (bundles.len(), rollouts.len());
    if out.len() + whole.len() + notice_room > max {
        // Rows from the end of the longer table until it fits; lengths by
        // prefix sums (a table can hold thousands of rows).
        let prefix = |rows: &[String]| {
            std::iter::once(0)
                .chain(rows.iter().scan(0, |n, r| {
                    *n += r.len();
                    Some(*n)
                }))
                .collect::<Vec<usize>>()
        };
        let (pb, pw) = (prefix(&bundles), prefix(&rollouts));
        let fixed = tables(&[], bundles.len(), &[], rollouts.len()).len();
        let len = |b: usize, w: usize| fixed + pb[b] + pw[w];
        while out.len() + len(b, w) + notice_room > max && b + w > 0 {
            if w >= b {
                w -= 1;
            } else {
                b -= 1;
            }
        }
    }
    out.push_str(&shown(b, w));
    details.iter().for_each(|(_, t)| out.push_str(t));
    let mut cut: Vec<String> = left_out.iter().rev().map(|s| (*s).to_string()).collect();
    if b < bundles.len() {
        cut.push(format!("{} of {} config versions", bundles.len() - b, bundles.len()));
    }
    if w < rollouts.len() {
        cut.push(format!("{} of {} workloads", rollouts.len() - w, rollouts.len()));
    }
    out.push_str(&format!(
        "> Cut to {max} bytes; left out: {}. `imprint diff` prints the whole report.\n",
        cut.join(", ")
    ));
    out
}

fn bundle_row(b: &BundleChange) -> String {
    let ns = if b.namespace.is_empty() { String::new() } else { format!("{}/", b.namespace) };
    let change = match b.change {
        "new-version" => {
            format!("`{}` → `{}`", b.old_name.as_deref().unwrap_or_default(), b.new_name.as_deref().unwrap_or_default())
        }
        "added" => format!("added `{}`", b.new_name.as_deref().unwrap_or_default()),
        _ => format!("removed `{}`", b.old_name.as_deref().unwrap_or_default()),
    };
    // Bundle and versioned names are DNS names (versioning checks them);
    // the namespace and keys come from the input as they are.
    format!("| {}{} `{}` | {change} | {} |\n", md_escape(&ns), b.kind, b.bundle, md_escape(&keys_summary(&b.keys)))
}

/// The two tables with the rows given; `… and N more` for rows cut.
fn tables(bundles: &[String], all_bundles: usize, rollouts: &[String], all_rollouts: usize) -> String {
    let mut out = String::new();
    let more = |shown: usize, all: usize, cols: usize| {
        (shown < all).then(|| format!("| … and {} more |{}\n", all - shown, " |".repeat(cols - 1)))
    };
    if all_bundles > 0 {
        out.push_str("#### Config versions\n\n| bundle | change | keys |\n|---|---|---|\n");
        bundles.iter().for_each(|row| out.push_str(row));
        out.push_str(&more(bundles.len(), all_bundles, 3).unwrap_or_default());
        out.push('\n');
    }
    if all_rollouts > 0 {
        out.push_str("#### Workloads that will roll\n\n| workload | because |\n|---|---|\n");
        rollouts.iter().for_each(|row| out.push_str(row));
        out.push_str(&more(rollouts.len(), all_rollouts, 2).unwrap_or_default());
        out.push('\n');
    }
    out
}

/// A collapsible list of objects under `summary`, each line labelled by
/// which of the three lists it is in; empty when all three are.
fn details(summary: &str, labels: [&str; 3], o: &ObjectChanges) -> String {
    if o == &ObjectChanges::default() {
        return String::new();
    }
    let mut out = format!("<details><summary>{summary}</summary>\n\n");
    for (what, list) in labels.into_iter().zip([&o.added, &o.removed, &o.changed]) {
        for x in list {
            out.push_str(&format!("- {what}: {}\n", md_escape(&x.to_string())));
        }
    }
    out.push_str("\n</details>\n\n");
    out
}

fn object_diff(diff: &str) -> String {
    if diff.is_empty() {
        return String::new();
    }
    // A fence longer than any backtick run in the diff.
    let longest = diff.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("<details><summary>Object diff</summary>\n\n{fence}diff\n{diff}{fence}\n\n</details>\n")
}

/// The JSON report (schema in docs/commands.md, `schemaVersion` 1).
#[must_use]
pub fn to_json(r: &Report) -> String {
    let mut s = serde_json::to_string_pretty(r).expect("the report always serializes");
    s.push('\n');
    s
}

#[cfg(test)]
mod md_tests {
    use super::md_escape;

    #[test]
    fn markdown_escapes_what_could_break_out_of_a_cell() {
        let hostile = "d</details><img src=x> @admin | x\n| y `code` *b* [l](u) <!--";
        let e = md_escape(hostile);
        for bad in ["<", ">", "@admin", "\n", "`"] {
            assert!(!e.contains(bad), "{bad:?} survives in {e}");
        }
        assert!(!e.replace("\\|", "").contains('|'), "an unescaped | in {e}");
        assert!(e.contains("&lt;/details&gt;") && e.contains("\\| x"), "{e}");
        assert_eq!(md_escape("web-message-7g2k9x0c1d"), "web-message-7g2k9x0c1d");
    }
}
