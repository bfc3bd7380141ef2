//! `.gitattributes` as a checkout applies them (SPEC §2): the output of
//! `--rev X` must equal the output of a clean checkout of X, and a checkout
//! rewrites some files on the way out. imprint reproduces the conversions
//! git itself performs, `text`/`eol` (and the older `crlf`) and `ident`;
//! what a checkout hands to another program (`filter`, git-lfs included) or
//! re-encodes (`working-tree-encoding`) it cannot reproduce, and says so.
//!
//! The decision logic follows git's `convert.c` (`convert_attrs`,
//! `crlf_to_worktree`, `ident_to_worktree`); pattern matching follows
//! `gitattributes(5)`. No git2 here: the git backend feeds the files in.

use globset::{GlobBuilder, GlobMatcher};
use std::collections::HashMap;

/// One attribute's state on a line: `text`, `-text`, `!text`, `eol=crlf`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    Set,
    Unset,
    Value(String),
    Unspecified,
}

/// One line: a pattern and the attributes it assigns.
#[derive(Debug)]
struct Rule {
    matcher: GlobMatcher,
    /// The pattern has no `/`: it matches a file's name at any depth.
    basename: bool,
    attrs: Vec<(String, State)>,
}

/// The rules and macro definitions of one attributes file.
#[derive(Debug, Default)]
pub struct Rules {
    rules: Vec<Rule>,
    macros: Vec<(String, Vec<(String, State)>)>,
}

/// Parses an attributes file. Lines git ignores (negative patterns,
/// patterns that only match folders) are ignored here too.
#[must_use]
pub fn parse(text: &str) -> Rules {
    let mut out = Rules::default();
    for line in text.lines() {
        let line = line.trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (pattern, rest) = split_pattern(line);
        let attrs: Vec<(String, State)> = rest.split_whitespace().map(parse_attr).collect();
        if let Some(name) = pattern.strip_prefix("[attr]") {
            out.macros.push((name.to_string(), attrs));
            continue;
        }
        // git: "Negative patterns are ignored in git attributes"; a pattern
        // ending in `/` names folders, which carry no attributes of files.
        if pattern.starts_with('!') || pattern.ends_with('/') || pattern.is_empty() {
            continue;
        }
        let anchored = pattern.strip_prefix('/').unwrap_or(&pattern);
        let basename = !pattern.contains('/');
        let Ok(glob) = GlobBuilder::new(anchored).literal_separator(true).backslash_escape(true).build() else {
            continue; // git matches nothing with a malformed pattern
        };
        out.rules.push(Rule { matcher: glob.compile_matcher(), basename, attrs });
    }
    out
}

/// The pattern (git allows a C-style quoted one) and the rest of the line.
fn split_pattern(line: &str) -> (String, &str) {
    if let Some(quoted) = line.strip_prefix('"') {
        let mut pattern = String::new();
        let mut chars = quoted.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => return (pattern, &quoted[i + 1..]),
                '\\' => match chars.next() {
                    Some((_, 't')) => pattern.push('\t'),
                    Some((_, 'n')) => pattern.push('\n'),
                    Some((_, other)) => pattern.push(other),
                    None => break,
                },
                _ => pattern.push(c),
            }
        }
        return (String::new(), "");
    }
    let end = line.find(char::is_whitespace).unwrap_or(line.len());
    (line[..end].to_string(), &line[end..])
}

fn parse_attr(token: &str) -> (String, State) {
    if let Some(name) = token.strip_prefix('-') {
        (name.to_string(), State::Unset)
    } else if let Some(name) = token.strip_prefix('!') {
        (name.to_string(), State::Unspecified)
    } else if let Some((name, value)) = token.split_once('=') {
        (name.to_string(), State::Value(value.to_string()))
    } else {
        (token.to_string(), State::Set)
    }
}

/// `core.autocrlf` of the repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AutoCrlf {
    #[default]
    False,
    True,
    Input,
}

/// The end-of-line settings a checkout reads from the repository's config.
/// `core.eol=native` is LF: imprint's output is the same on every machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EolConfig {
    pub autocrlf: AutoCrlf,
    /// `core.eol=crlf`.
    pub crlf: bool,
}

/// What a checkout does to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Conversion {
    /// LF becomes CRLF.
    pub crlf: bool,
    /// Only if the content looks like text with LF endings (`text=auto`,
    /// `core.autocrlf`).
    pub auto: bool,
    /// `$Id$` becomes `$Id: <blob id> $`.
    pub ident: bool,
}

impl Conversion {
    /// A short tag for cache keys: the same blob converts the same way.
    #[must_use]
    pub fn tag(self) -> &'static str {
        match (self.crlf, self.auto, self.ident) {
            (false, _, false) => "",
            (false, _, true) => "i",
            (true, false, false) => "c",
            (true, true, false) => "a",
            (true, false, true) => "ci",
            (true, true, true) => "ai",
        }
    }
}

/// An attribute a checkout applies that imprint cannot reproduce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub attribute: &'static str,
    pub value: String,
}

/// The attributes of one file. `files` are the attributes files that apply,
/// lowest priority first (the repository root's `.gitattributes`, then each
/// folder down to the file's own, then `info/attributes`), each with the
/// folder it sits in (`""` for the root and for info/attributes, the only
/// places git reads macro definitions); `path` is the file's path from the
/// repository root.
#[must_use]
pub fn attributes(files: &[(&str, &Rules)], path: &str) -> HashMap<String, State> {
    // git honours macros defined at the root and in info/attributes only.
    let mut macros: HashMap<&str, &[(String, State)]> = HashMap::new();
    let binary =
        [("diff".to_string(), State::Unset), ("merge".to_string(), State::Unset), ("text".to_string(), State::Unset)];
    macros.insert("binary", &binary);
    for (base, rules) in files {
        if base.is_empty() {
            for (name, attrs) in &rules.macros {
                macros.insert(name, attrs);
            }
        }
    }
    let name = path.rsplit('/').next().unwrap_or(path);
    let mut out: HashMap<String, State> = HashMap::new();
    for (base, rules) in files {
        let relative =
            if base.is_empty() { Some(path) } else { path.strip_prefix(*base).and_then(|p| p.strip_prefix('/')) };
        let Some(relative) = relative else { continue };
        for rule in &rules.rules {
            let subject = if rule.basename { name } else { relative };
            if !rule.matcher.is_match(subject) {
                continue;
            }
            for (attr, state) in &rule.attrs {
                if *state == State::Set
                    && let Some(expanded) = macros.get(attr.as_str())
                {
                    for (a, s) in *expanded {
                        out.insert(a.clone(), s.clone());
                    }
                }
                out.insert(attr.clone(), state.clone());
            }
        }
    }
    out
}

/// git's `crlf_action`, before and after the config is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Undefined,
    Binary,
    Text,
    TextInput,
    TextCrlf,
    Auto,
    AutoInput,
    AutoCrlf,
}

/// What a checkout does to a file with these attributes, or the attribute
/// that makes it impossible to reproduce.
pub fn conversion(attrs: &HashMap<String, State>, config: EolConfig) -> Result<Conversion, Refused> {
    if let Some(State::Value(v)) = attrs.get("filter") {
        return Err(Refused { attribute: "filter", value: v.clone() });
    }
    if let Some(State::Value(v)) = attrs.get("working-tree-encoding")
        && !v.eq_ignore_ascii_case("utf-8")
        && !v.eq_ignore_ascii_case("utf8")
    {
        return Err(Refused { attribute: "working-tree-encoding", value: v.clone() });
    }
    let ident = attrs.get("ident") == Some(&State::Set);
    let from = |state: Option<&State>| match state {
        Some(State::Set) => Action::Text,
        Some(State::Unset) => Action::Binary,
        Some(State::Value(v)) if v == "input" => Action::TextInput,
        Some(State::Value(v)) if v == "auto" => Action::Auto,
        _ => Action::Undefined,
    };
    let mut action = from(attrs.get("text"));
    if action == Action::Undefined {
        // The older spelling: `crlf`, `-crlf`, `crlf=input`.
        action = from(attrs.get("crlf"));
    }
    if action != Action::Binary {
        let eol = match attrs.get("eol") {
            Some(State::Value(v)) if v == "lf" => Some(false),
            Some(State::Value(v)) if v == "crlf" => Some(true),
            _ => None,
        };
        action = match (action, eol) {
            (Action::Auto, Some(false)) => Action::AutoInput,
            (Action::Auto, Some(true)) => Action::AutoCrlf,
            (_, Some(false)) => Action::TextInput,
            (_, Some(true)) => Action::TextCrlf,
            (a, None) => a,
        };
    }
    let eol_is_crlf = match config.autocrlf {
        AutoCrlf::True => true,
        AutoCrlf::Input => false,
        AutoCrlf::False => config.crlf,
    };
    action = match (action, config.autocrlf) {
        (Action::Text, _) if eol_is_crlf => Action::TextCrlf,
        (Action::Text, _) => Action::TextInput,
        (Action::Undefined, AutoCrlf::False) => Action::Binary,
        (Action::Undefined, AutoCrlf::True) => Action::AutoCrlf,
        (Action::Undefined, AutoCrlf::Input) => Action::AutoInput,
        (a, _) => a,
    };
    let (crlf, auto) = match action {
        Action::TextCrlf => (true, false),
        Action::AutoCrlf => (true, true),
        Action::Auto => (eol_is_crlf, true),
        _ => (false, false),
    };
    Ok(Conversion { crlf, auto, ident })
}

/// The bytes a checkout writes for a blob with id `blob_id` (hex).
#[must_use]
pub fn to_worktree(bytes: Vec<u8>, conversion: Conversion, blob_id: &str) -> Vec<u8> {
    let bytes = if conversion.ident { ident(bytes, blob_id) } else { bytes };
    if conversion.crlf { crlf(bytes, conversion.auto) } else { bytes }
}

/// git's `gather_stats`.
#[derive(Debug, Default)]
struct Stats {
    nul: usize,
    lonecr: usize,
    lonelf: usize,
    crlf: usize,
    printable: usize,
    nonprintable: usize,
}

fn stats(b: &[u8]) -> Stats {
    let mut s = Stats::default();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\r' if b.get(i + 1) == Some(&b'\n') => {
                s.crlf += 1;
                i += 1;
            }
            b'\r' => s.lonecr += 1,
            b'\n' => s.lonelf += 1,
            127 => s.nonprintable += 1,
            // Backspace, tab, escape, form feed count as printable.
            8 | 9 | 27 | 12 => s.printable += 1,
            0 => {
                s.nul += 1;
                s.nonprintable += 1;
            }
            c if c < 32 => s.nonprintable += 1,
            _ => s.printable += 1,
        }
        i += 1;
    }
    // A trailing ^Z (DOS end of file) is not counted as non-printable.
    if b.last() == Some(&0x1a) {
        s.nonprintable = s.nonprintable.saturating_sub(1);
    }
    s
}

/// LF to CRLF as `crlf_to_worktree` does it.
fn crlf(bytes: Vec<u8>, auto: bool) -> Vec<u8> {
    let s = stats(&bytes);
    if s.lonelf == 0 {
        return bytes;
    }
    // Content that already has CRs, or looks binary, is left alone (git's
    // "safer autocrlf").
    if auto && (s.lonecr > 0 || s.crlf > 0 || s.nul > 0 || (s.printable >> 7) < s.nonprintable) {
        return bytes;
    }
    let mut out = Vec::with_capacity(bytes.len() + s.lonelf);
    let mut last = 0u8;
    for &c in &bytes {
        if c == b'\n' && last != b'\r' {
            out.push(b'\r');
        }
        out.push(c);
        last = c;
    }
    out
}

/// `$Id$` and `$Id: … $` become `$Id: <blob id> $`, as `ident_to_worktree`
/// does; an id of another versioning system (spaces inside) is kept.
fn ident(bytes: Vec<u8>, blob_id: &str) -> Vec<u8> {
    if !bytes.windows(3).any(|w| w == b"$Id") {
        return bytes;
    }
    let mut out = Vec::with_capacity(bytes.len() + 64);
    let mut rest: &[u8] = &bytes;
    while let Some(dollar) = rest.iter().position(|&c| c == b'$') {
        out.extend_from_slice(&rest[..=dollar]);
        rest = &rest[dollar + 1..];
        if rest.len() > 3 && rest.starts_with(b"Id:") {
            let Some(end) = rest[3..].iter().position(|&c| c == b'$').map(|p| p + 3) else { break };
            if rest[3..end].contains(&b'\n') {
                continue;
            }
            if end > 4 && rest[4..end].iter().position(|&c| c == b' ').is_some_and(|spc| 4 + spc < end - 1) {
                continue;
            }
            rest = &rest[end + 1..];
        } else if rest.len() > 2 && rest.starts_with(b"Id$") {
            rest = &rest[3..];
        } else {
            continue;
        }
        out.extend_from_slice(b"Id: ");
        out.extend_from_slice(blob_id.as_bytes());
        out.extend_from_slice(b" $");
    }
    out.extend_from_slice(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(text: &str, path: &str, config: EolConfig) -> Result<Conversion, Refused> {
        let rules = parse(text);
        conversion(&attributes(&[("", &rules)], path), config)
    }

    #[test]
    fn eol_and_text_decide_crlf() {
        let none = EolConfig::default();
        let crlf = Conversion { crlf: true, ..Conversion::default() };
        assert_eq!(conv("*.ps1 text eol=crlf\n", "a/b/x.ps1", none), Ok(crlf));
        assert_eq!(conv("*.ps1 eol=crlf\n", "x.ps1", none), Ok(crlf), "eol alone means text");
        assert_eq!(conv("*.ps1 text eol=crlf\n", "x.sh", none), Ok(Conversion::default()));
        assert_eq!(conv("* text=auto eol=crlf\n", "x", none), Ok(Conversion { crlf: true, auto: true, ident: false }));
        assert_eq!(conv("* text\n", "x", none), Ok(Conversion::default()), "text on LF systems is LF");
        let eol_crlf = EolConfig { crlf: true, ..EolConfig::default() };
        assert_eq!(conv("* text\n", "x", eol_crlf), Ok(crlf));
        assert_eq!(conv("", "x", eol_crlf), Ok(Conversion::default()), "core.eol alone converts nothing");
        let auto = EolConfig { autocrlf: AutoCrlf::True, ..EolConfig::default() };
        assert_eq!(conv("", "x", auto), Ok(Conversion { crlf: true, auto: true, ident: false }));
        assert_eq!(conv("* -text\n", "x", auto), Ok(Conversion::default()));
        assert_eq!(conv("* binary\n", "x", auto), Ok(Conversion::default()), "the binary macro unsets text");
        assert_eq!(conv("* crlf\n", "x", eol_crlf), Ok(crlf), "the older spelling");
        assert_eq!(conv("* text eol=crlf\n* -text\n", "x", none), Ok(Conversion::default()), "later lines win");
        assert_eq!(conv("* text eol=crlf\n* !eol\n", "x", none), Ok(Conversion::default()));
    }

    #[test]
    fn patterns_follow_gitattributes() {
        let none = EolConfig::default();
        let crlf = Ok(Conversion { crlf: true, ..Conversion::default() });
        assert_eq!(conv("/x.ps1 eol=crlf\n", "x.ps1", none), crlf);
        assert_eq!(conv("/x.ps1 eol=crlf\n", "d/x.ps1", none), Ok(Conversion::default()), "anchored");
        assert_eq!(conv("d/*.ps1 eol=crlf\n", "d/x.ps1", none), crlf);
        assert_eq!(conv("d/*.ps1 eol=crlf\n", "d/e/x.ps1", none), Ok(Conversion::default()), "* stops at /");
        assert_eq!(conv("d/**/*.ps1 eol=crlf\n", "d/e/f/x.ps1", none), crlf);
        assert_eq!(conv("!*.ps1 eol=crlf\n", "x.ps1", none), Ok(Conversion::default()), "negation is ignored");
        assert_eq!(conv("\"a b.ps1\" eol=crlf\n", "a b.ps1", none), crlf);
        // A nested file's patterns are relative to its folder and win.
        let (root, nested) = (parse("*.txt eol=crlf\n"), parse("/x.txt -text\n"));
        let attrs = attributes(&[("", &root), ("app", &nested)], "app/x.txt");
        assert_eq!(conversion(&attrs, none), Ok(Conversion::default()));
        let attrs = attributes(&[("", &root), ("app", &nested)], "app/y.txt");
        assert_eq!(conversion(&attrs, none), crlf);
        // Macros from the root file apply.
        let root = parse("[attr]windows text eol=crlf\n*.bat windows\n");
        assert_eq!(conversion(&attributes(&[("", &root)], "a/run.bat"), none), crlf);
    }

    #[test]
    fn filters_and_encodings_are_refused() {
        let none = EolConfig::default();
        assert_eq!(
            conv("*.bin filter=lfs diff=lfs merge=lfs -text\n", "x.bin", none),
            Err(Refused { attribute: "filter", value: "lfs".into() })
        );
        assert_eq!(
            conv("*.txt working-tree-encoding=UTF-16LE\n", "x.txt", none),
            Err(Refused { attribute: "working-tree-encoding", value: "UTF-16LE".into() })
        );
        assert!(conv("*.txt working-tree-encoding=UTF-8\n", "x.txt", none).is_ok());
        assert!(conv("*.bin filter=lfs\n*.bin !filter\n", "x.bin", none).is_ok());
    }

    #[test]
    fn conversions_match_git() {
        let crlf = Conversion { crlf: true, ..Conversion::default() };
        let auto = Conversion { crlf: true, auto: true, ident: false };
        assert_eq!(to_worktree(b"a\nb\r\nc\n".to_vec(), crlf, ""), b"a\r\nb\r\nc\r\n");
        assert_eq!(to_worktree(b"a\nb\n".to_vec(), auto, ""), b"a\r\nb\r\n");
        assert_eq!(to_worktree(b"a\nb\r\n".to_vec(), auto, ""), b"a\nb\r\n", "auto leaves mixed endings");
        assert_eq!(to_worktree(b"a\0\nb\n".to_vec(), auto, ""), b"a\0\nb\n", "auto leaves binary");
        let ident = Conversion { ident: true, ..Conversion::default() };
        let id = "0123456789abcdef0123456789abcdef01234567";
        assert_eq!(
            String::from_utf8(to_worktree(b"# $Id$ and $Id: old $ and $Id: cvs 1.2 $\n".to_vec(), ident, id)).unwrap(),
            format!("# $Id: {id} $ and $Id: {id} $ and $Id: cvs 1.2 $\n")
        );
        assert_eq!(to_worktree(b"$Id: no end\n$".to_vec(), ident, id), b"$Id: no end\n$");
    }
}
