//! `.gitattributes` as a checkout applies them (SPEC §2): the output of
//! `--rev X` must equal the output of a clean checkout of X, and a checkout
//! rewrites some files on the way out. imprint reproduces the conversions
//! git itself performs, `text`/`eol` (and the older `crlf`) and `ident`;
//! what a checkout hands to another program (`filter`, git-lfs included) or
//! re-encodes (`working-tree-encoding`) it cannot reproduce, and says so.
//!
//! Each step is git's own, read from its source: parsing and priority from
//! `attr.c` (`parse_attr_line`, `fill`, `macroexpand_one`), matching from
//! `dir.c` and `wildmatch.c` ([`super::wildmatch`]), the decision from
//! `convert.c` (`convert_attrs`, `classify_conv_attrs`), and the rewriting
//! from `convert.c` as `git checkout` runs it: the streaming filters
//! (`ident_filter_fn`, `lf_to_crlf_filter_fn`) unless `text=auto` or
//! `core.autocrlf` makes the conversion in-core (`crlf_to_worktree`,
//! `ident_to_worktree`). No git2 here: the git backend feeds the files in.

use super::wildmatch::wildmatch;
use std::collections::HashMap;

/// One attribute's state on a line: `text`, `-text`, `!text` (git's
/// "unspecified": it stops lower-priority lines from setting it),
/// `eol=crlf`.
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
    /// 1-based, for messages.
    line: usize,
    pattern: Vec<u8>,
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

/// Parses an attributes file. Lines git ignores are ignored here too: a
/// negative pattern, a pattern that only matches folders (`dir/`), and a
/// line with an invalid attribute name (`eol=crlf # comment`: `#`).
#[must_use]
pub fn parse(text: &str) -> Rules {
    let mut out = Rules::default();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_start_matches([' ', '\t', '\r', '\n']);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (pattern, rest) = split_pattern(line);
        let Some(attrs) = rest.split_ascii_whitespace().map(parse_attr).collect::<Option<Vec<_>>>() else {
            continue;
        };
        if let Some(name) = pattern.strip_prefix("[attr]") {
            if valid_name(name) {
                out.macros.push((name.to_string(), attrs));
            }
            continue;
        }
        if pattern.starts_with('!') || pattern.ends_with('/') || pattern.is_empty() {
            continue;
        }
        let basename = !pattern.contains('/');
        let anchored = pattern.strip_prefix('/').unwrap_or(&pattern);
        out.rules.push(Rule { line: n + 1, pattern: anchored.as_bytes().to_vec(), basename, attrs });
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
    let end = line.find([' ', '\t', '\r', '\n']).unwrap_or(line.len());
    (line[..end].to_string(), &line[end..])
}

/// git's `attr_name_valid`: letters, digits, `-`, `.`, `_`, not starting
/// with `-`; `builtin_` names are reserved.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('-')
        && !name.starts_with("builtin_")
        && name.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_'))
}

fn parse_attr(token: &str) -> Option<(String, State)> {
    let (name, state) = if let Some(name) = token.strip_prefix('-') {
        (name, State::Unset)
    } else if let Some(name) = token.strip_prefix('!') {
        (name, State::Unspecified)
    } else if let Some((name, value)) = token.split_once('=') {
        (name, State::Value(value.to_string()))
    } else {
        (token, State::Set)
    };
    valid_name(name).then(|| (name.to_string(), state))
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
    /// `text=auto` or `core.autocrlf` decides: git converts in memory
    /// (only content that looks like text with LF endings gets CRLF, and
    /// `ident` follows `ident_to_worktree`) instead of streaming.
    pub auto: bool,
    /// `$Id$` becomes `$Id: <blob id> $`.
    pub ident: bool,
}

impl Conversion {
    /// A short tag for cache keys: the same blob converts the same way.
    #[must_use]
    pub fn tag(self) -> String {
        [(self.crlf, 'c'), (self.auto, 'a'), (self.ident, 'i')].iter().filter(|(on, _)| *on).map(|(_, c)| *c).collect()
    }
}

/// An attribute a checkout applies that imprint cannot reproduce, and
/// where it was set: the index of the attributes file (in the list given to
/// [`attributes`]) and the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub attribute: &'static str,
    pub value: String,
    pub file: usize,
    pub line: usize,
}

/// Where an attribute was decided: attributes file index and line.
type Origin = (usize, usize);

/// The attributes of one file, each with where it was decided.
#[derive(Debug, Default)]
pub struct Attributes(HashMap<String, (State, Origin)>);

impl Attributes {
    fn get(&self, name: &str) -> Option<&State> {
        self.0.get(name).map(|(s, _)| s)
    }
}

/// The attributes of one file, as git's `fill` decides them. `files` are
/// the attributes files that apply, lowest priority first (the repository
/// root's `.gitattributes`, then each folder down to the file's own, then
/// `info/attributes`), each with the folder it sits in (`""` for the root
/// and for info/attributes, the only places git reads macro definitions
/// from); `path` is the file's path from the repository root. The highest
/// priority line that names an attribute decides it, and a macro set there
/// (`binary`) fills the attributes it stands for that are still open.
#[must_use]
pub fn attributes(files: &[(&str, &Rules)], path: &str) -> Attributes {
    let binary =
        [("diff".to_string(), State::Unset), ("merge".to_string(), State::Unset), ("text".to_string(), State::Unset)];
    let mut macros: HashMap<&str, &[(String, State)]> = HashMap::new();
    macros.insert("binary", &binary);
    for (_, rules) in files.iter().filter(|(base, _)| base.is_empty()) {
        for (name, attrs) in &rules.macros {
            macros.insert(name, attrs);
        }
    }
    let name = path.rsplit('/').next().unwrap_or(path);
    let mut out = Attributes::default();
    for (index, (base, rules)) in files.iter().enumerate().rev() {
        let relative =
            if base.is_empty() { Some(path) } else { path.strip_prefix(*base).and_then(|p| p.strip_prefix('/')) };
        let Some(relative) = relative else { continue };
        for rule in rules.rules.iter().rev() {
            let matched = if rule.basename {
                wildmatch(&rule.pattern, name.as_bytes(), false)
            } else {
                wildmatch(&rule.pattern, relative.as_bytes(), true)
            };
            if matched {
                fill(&rule.attrs, (index, rule.line), &macros, &mut out);
            }
        }
    }
    out
}

/// git's `fill_one`: the line's attributes, last first, where still open;
/// a macro filled as set expands in turn (a cycle stops at what is filled).
fn fill(attrs: &[(String, State)], origin: Origin, macros: &HashMap<&str, &[(String, State)]>, out: &mut Attributes) {
    for (name, state) in attrs.iter().rev() {
        if out.0.contains_key(name) {
            continue;
        }
        out.0.insert(name.clone(), (state.clone(), origin));
        if *state == State::Set
            && let Some(expanded) = macros.get(name.as_str())
        {
            fill(expanded, origin, macros, out);
        }
    }
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
pub fn conversion(attrs: &Attributes, config: EolConfig) -> Result<Conversion, Refused> {
    let refused = |attribute: &'static str, value: &str| {
        let (file, line) = attrs.0.get(attribute).map_or((0, 0), |(_, o)| *o);
        Refused { attribute, value: value.to_string(), file, line }
    };
    if let Some(State::Value(v)) = attrs.get("filter") {
        return Err(refused("filter", v));
    }
    if let Some(State::Value(v)) = attrs.get("working-tree-encoding")
        && !v.eq_ignore_ascii_case("utf-8")
        && !v.eq_ignore_ascii_case("utf8")
    {
        return Err(refused("working-tree-encoding", v));
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
    let bytes = match (conversion.ident, conversion.auto) {
        (false, _) => bytes,
        (true, true) => ident_in_core(bytes, blob_id),
        (true, false) => ident_streaming(&bytes, blob_id),
    };
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

/// Every LF without a CR before it gets one. The streaming filter and the
/// in-core conversion agree on that; in-core (`auto`) also leaves alone
/// content that already has CRs or looks binary (git's "safer autocrlf").
fn crlf(bytes: Vec<u8>, auto: bool) -> Vec<u8> {
    let s = stats(&bytes);
    if s.lonelf == 0 {
        return bytes;
    }
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

/// `ident_to_worktree` (in-core): `$Id$` and `$Id: … $` on one line become
/// `$Id: <blob id> $`; an id with spaces inside (another versioning
/// system's) is kept.
fn ident_in_core(bytes: Vec<u8>, blob_id: &str) -> Vec<u8> {
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

/// `ident_filter_fn` (streaming, what `git checkout` runs unless the
/// conversion is in-core): a small state machine with its own rules. A `$`
/// inside a partial `$Id` does not start a new one (`$$Id$` stays), and an
/// id is foreign only if it starts `$Id: ` and has white space that is not
/// right before the closing `$`.
fn ident_streaming(bytes: &[u8], blob_id: &str) -> Vec<u8> {
    const HEAD: &[u8] = b"$Id";
    let replacement = format!(": {blob_id} $");
    let mut out = Vec::with_capacity(bytes.len() + 64);
    // How much of HEAD is matched; `None` while skipping to the closing `$`
    // of a `$Id:` (`left` holds what is skipped).
    let mut state: Option<usize> = Some(0);
    let mut left: Vec<u8> = Vec::new();
    for &ch in bytes {
        let Some(n) = state else {
            left.push(ch);
            if ch != b'\n' && ch != b'$' {
                continue;
            }
            if ch == b'$' && !is_foreign_ident(&left) {
                left.truncate(HEAD.len());
                left.extend_from_slice(replacement.as_bytes());
            }
            out.append(&mut left);
            state = Some(0);
            continue;
        };
        if n < HEAD.len() && HEAD[n] == ch {
            state = Some(n + 1);
            continue;
        }
        left.extend_from_slice(&HEAD[..n]);
        state = Some(0);
        if n == HEAD.len() && ch == b':' {
            left.push(ch);
            state = None;
            continue;
        }
        if n == HEAD.len() && ch == b'$' {
            left.extend_from_slice(replacement.as_bytes());
        } else {
            left.push(ch);
        }
        out.append(&mut left);
    }
    if let Some(n) = state {
        left.extend_from_slice(&HEAD[..n]);
    }
    out.append(&mut left);
    out
}

/// git's `is_foreign_ident`.
fn is_foreign_ident(s: &[u8]) -> bool {
    let Some(rest) = s.strip_prefix(b"$Id: ") else { return false };
    rest.iter().enumerate().any(|(i, &c)| matches!(c, b' ' | b'\t' | b'\n' | b'\r') && rest.get(i + 1) != Some(&b'$'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(text: &str, path: &str, config: EolConfig) -> Result<Conversion, Refused> {
        let rules = parse(text);
        conversion(&attributes(&[("", &rules)], path), config)
    }

    const NONE: EolConfig = EolConfig { autocrlf: AutoCrlf::False, crlf: false };
    const CRLF: Conversion = Conversion { crlf: true, auto: false, ident: false };
    const AUTO_CRLF: Conversion = Conversion { crlf: true, auto: true, ident: false };
    const KEEP: Conversion = Conversion { crlf: false, auto: false, ident: false };

    #[test]
    fn eol_and_text_decide_crlf() {
        assert_eq!(conv("*.ps1 text eol=crlf\n", "a/b/x.ps1", NONE), Ok(CRLF));
        assert_eq!(conv("*.ps1 eol=crlf\n", "x.ps1", NONE), Ok(CRLF), "eol alone means text");
        assert_eq!(conv("*.ps1 text eol=crlf\n", "x.sh", NONE), Ok(KEEP));
        assert_eq!(conv("* text=auto eol=crlf\n", "x", NONE), Ok(AUTO_CRLF));
        assert_eq!(conv("* text=auto\n", "x", NONE), Ok(Conversion { auto: true, ..KEEP }));
        assert_eq!(conv("* text\n", "x", NONE), Ok(KEEP), "text on LF systems is LF");
        let eol_crlf = EolConfig { crlf: true, ..NONE };
        assert_eq!(conv("* text\n", "x", eol_crlf), Ok(CRLF));
        assert_eq!(conv("", "x", eol_crlf), Ok(KEEP), "core.eol alone converts nothing");
        let auto = EolConfig { autocrlf: AutoCrlf::True, ..NONE };
        assert_eq!(conv("", "x", auto), Ok(AUTO_CRLF));
        assert_eq!(conv("* -text\n", "x", auto), Ok(KEEP));
        assert_eq!(conv("* binary\n", "x", auto), Ok(KEEP), "the binary macro unsets text");
        assert_eq!(conv("* crlf\n", "x", eol_crlf), Ok(CRLF), "the older spelling");
        assert_eq!(conv("* text eol=crlf\n* -text\n", "x", NONE), Ok(KEEP), "later lines win");
        assert_eq!(conv("* text eol=crlf\n* !eol\n", "x", NONE), Ok(KEEP));
    }

    #[test]
    fn lines_and_macros_as_git_reads_them() {
        // An invalid name drops the whole line (a trailing comment).
        assert_eq!(conv("*.txt text eol=crlf # Windows\n", "a.txt", NONE), Ok(KEEP));
        // Macros expand recursively, and only where they are set.
        assert_eq!(conv("[attr]win text eol=crlf\n[attr]script win\n*.txt script\n", "a.txt", NONE), Ok(CRLF));
        assert_eq!(conv("* text eol=crlf\n[attr]generated binary\n*.txt generated\n", "a.txt", NONE), Ok(KEEP));
        // A later `-binary` means the macro never expands: eol decides.
        assert_eq!(conv("* binary\n*.txt -binary eol=crlf\n", "a.txt", NONE), Ok(CRLF));
        assert_eq!(conv("* binary\n*.txt !binary eol=crlf\n", "a.txt", NONE), Ok(CRLF));
        // A macro defined below the root does not count.
        let (root, nested) = (parse("*.txt win\n"), parse("[attr]win text eol=crlf\n"));
        assert_eq!(conversion(&attributes(&[("", &root), ("app", &nested)], "app/a.txt"), NONE), Ok(KEEP));
    }

    #[test]
    fn patterns_follow_gitattributes() {
        assert_eq!(conv("/x.ps1 eol=crlf\n", "x.ps1", NONE), Ok(CRLF));
        assert_eq!(conv("/x.ps1 eol=crlf\n", "d/x.ps1", NONE), Ok(KEEP), "anchored");
        assert_eq!(conv("d/*.ps1 eol=crlf\n", "d/x.ps1", NONE), Ok(CRLF));
        assert_eq!(conv("d/*.ps1 eol=crlf\n", "d/e/x.ps1", NONE), Ok(KEEP), "* stops at /");
        assert_eq!(conv("d/**/*.ps1 eol=crlf\n", "d/e/f/x.ps1", NONE), Ok(CRLF));
        assert_eq!(conv("!*.ps1 eol=crlf\n", "x.ps1", NONE), Ok(KEEP), "negation is ignored");
        assert_eq!(conv("d/ eol=crlf\n", "d/x.ps1", NONE), Ok(KEEP), "folders carry no attributes of files");
        assert_eq!(conv("\"a b.ps1\" eol=crlf\n", "a b.ps1", NONE), Ok(CRLF));
        assert_eq!(conv("*.{txt,conf} eol=crlf\n", "a.txt", NONE), Ok(KEEP), "braces are literal to git");
        assert_eq!(conv("[[:alpha:]].txt eol=crlf\n", "a.txt", NONE), Ok(CRLF));
        // A nested file's patterns are relative to its folder and win.
        let (root, nested) = (parse("*.txt eol=crlf\n"), parse("/x.txt -text\n"));
        let attrs = attributes(&[("", &root), ("app", &nested)], "app/x.txt");
        assert_eq!(conversion(&attrs, NONE), Ok(KEEP));
        let attrs = attributes(&[("", &root), ("app", &nested)], "app/y.txt");
        assert_eq!(conversion(&attrs, NONE), Ok(CRLF));
    }

    #[test]
    fn filters_and_encodings_are_refused_naming_the_file() {
        let (root, nested) = (parse("*.bin -text\n"), parse("*.bin filter=lfs diff=lfs merge=lfs -text\n"));
        assert_eq!(
            conversion(&attributes(&[("", &root), ("d", &nested)], "d/x.bin"), NONE),
            Err(Refused { attribute: "filter", value: "lfs".into(), file: 1, line: 1 })
        );
        assert_eq!(
            conv("# a comment\n*.txt working-tree-encoding=UTF-16LE\n", "x.txt", NONE),
            Err(Refused { attribute: "working-tree-encoding", value: "UTF-16LE".into(), file: 0, line: 2 })
        );
        assert!(conv("*.txt working-tree-encoding=UTF-8\n", "x.txt", NONE).is_ok());
        assert!(conv("*.bin filter=lfs\n*.bin !filter\n", "x.bin", NONE).is_ok());
    }

    #[test]
    fn conversions_match_git() {
        assert_eq!(to_worktree(b"a\nb\r\nc\n".to_vec(), CRLF, ""), b"a\r\nb\r\nc\r\n");
        assert_eq!(to_worktree(b"a\nb\n".to_vec(), AUTO_CRLF, ""), b"a\r\nb\r\n");
        assert_eq!(to_worktree(b"a\nb\r\n".to_vec(), AUTO_CRLF, ""), b"a\nb\r\n", "auto leaves mixed endings");
        assert_eq!(to_worktree(b"a\0\nb\n".to_vec(), AUTO_CRLF, ""), b"a\0\nb\n", "auto leaves binary");
    }

    #[test]
    fn ident_streaming_and_in_core_differ_as_in_git() {
        let id = "0123456789abcdef0123456789abcdef01234567";
        let input = b"# $Id$ and $Id: old $ and $Id: cvs 1.2 $\n$$Id$ $Id:abc def$ $Id: a\tb $\n$Id: no end\n$Id";
        let streaming = Conversion { ident: true, ..KEEP };
        assert_eq!(
            String::from_utf8(to_worktree(input.to_vec(), streaming, id)).unwrap(),
            format!(
                "# $Id: {id} $ and $Id: {id} $ and $Id: cvs 1.2 $\n$$Id$ $Id: {id} $ $Id: a\tb $\n$Id: no end\n$Id"
            )
        );
        let in_core = Conversion { ident: true, auto: true, crlf: false };
        assert_eq!(
            String::from_utf8(to_worktree(input.to_vec(), in_core, id)).unwrap(),
            format!(
                "# $Id: {id} $ and $Id: {id} $ and $Id: cvs 1.2 $\n$$Id: {id} $ $Id:abc def$ $Id: {id} $\n$Id: no end\n$Id"
            )
        );
    }
}
