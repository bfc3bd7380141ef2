//! git's `wildmatch` (the matcher behind `.gitattributes` and `.gitignore`),
//! so `--rev` matches patterns exactly as a checkout does. A general glob
//! library differs in ways that change bytes: `{a,b}` is literal to git,
//! `[[:alpha:]]` is a class, `**` only counts between slashes.

/// How a match ended (git's `WM_*`): `AbortAll` and `AbortToStarStar`
/// prune the backtracking of an enclosing `*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Match,
    NoMatch,
    AbortAll,
    AbortToStarStar,
}

/// Whether `text` matches `pattern`. With `pathname` (git's
/// `WM_PATHNAME`), `*` and `?` do not match `/`, and `**` between slashes
/// matches any number of folders.
#[must_use]
pub fn wildmatch(pattern: &[u8], text: &[u8], pathname: bool) -> bool {
    dowild(pattern, 0, text, 0, pathname) == Outcome::Match
}

fn at(s: &[u8], i: usize) -> u8 {
    s.get(i).copied().unwrap_or(0)
}

fn is_glob_special(c: u8) -> bool {
    matches!(c, b'*' | b'?' | b'[' | b'\\')
}

#[allow(clippy::too_many_lines)] // one state machine, kept in git's shape to be checked against it
fn dowild(pat: &[u8], mut p: usize, text: &[u8], mut t: usize, pathname: bool) -> Outcome {
    loop {
        let mut p_ch = at(pat, p);
        if p_ch == 0 {
            break;
        }
        let mut t_ch = at(text, t);
        if t_ch == 0 && p_ch != b'*' {
            return Outcome::AbortAll;
        }
        match p_ch {
            b'?' => {
                if pathname && t_ch == b'/' {
                    return Outcome::NoMatch;
                }
            }
            b'*' => {
                p += 1;
                let match_slash;
                if at(pat, p) == b'*' {
                    // The character before the stars (none: the start).
                    let before = (p >= 2).then(|| pat[p - 2]);
                    while at(pat, p) == b'*' {
                        p += 1;
                    }
                    let after = at(pat, p);
                    if (before.is_none() || before == Some(b'/'))
                        && (after == 0 || after == b'/' || (after == b'\\' && at(pat, p + 1) == b'/'))
                    {
                        // `a/**/b` also matches `a/b`.
                        if after == b'/' && dowild(pat, p + 1, text, t, pathname) == Outcome::Match {
                            return Outcome::Match;
                        }
                        match_slash = true;
                    } else {
                        match_slash = false;
                    }
                } else {
                    match_slash = !pathname;
                }
                if at(pat, p) == 0 {
                    // A trailing `**` matches everything; a trailing `*`
                    // only what has no more slashes.
                    if !match_slash && text[t.min(text.len())..].contains(&b'/') {
                        return Outcome::NoMatch;
                    }
                    return Outcome::Match;
                } else if !match_slash && at(pat, p) == b'/' {
                    // One star before a slash matches one folder name.
                    let Some(slash) = text[t.min(text.len())..].iter().position(|&c| c == b'/') else {
                        return Outcome::NoMatch;
                    };
                    t += slash;
                    // The slash is consumed below, with the pattern's.
                    p += 1;
                    t += 1;
                    continue;
                }
                loop {
                    if t_ch == 0 {
                        break;
                    }
                    // A literal after the star: skip ahead to it.
                    if !is_glob_special(at(pat, p)) {
                        let want = at(pat, p);
                        loop {
                            t_ch = at(text, t);
                            if t_ch == 0 || !(match_slash || t_ch != b'/') || t_ch == want {
                                break;
                            }
                            t += 1;
                        }
                        if t_ch != want {
                            return if match_slash { Outcome::AbortAll } else { Outcome::AbortToStarStar };
                        }
                    }
                    let matched = dowild(pat, p, text, t, pathname);
                    if matched != Outcome::NoMatch {
                        if !match_slash || matched != Outcome::AbortToStarStar {
                            return matched;
                        }
                    } else if !match_slash && t_ch == b'/' {
                        return Outcome::AbortToStarStar;
                    }
                    t += 1;
                    t_ch = at(text, t);
                }
                return Outcome::AbortAll;
            }
            b'[' => {
                p += 1;
                p_ch = at(pat, p);
                if p_ch == b'^' {
                    p_ch = b'!';
                }
                let negated = p_ch == b'!';
                if negated {
                    p += 1;
                    p_ch = at(pat, p);
                }
                let mut prev_ch = 0u8;
                let mut matched = false;
                loop {
                    if p_ch == 0 {
                        return Outcome::AbortAll;
                    }
                    if p_ch == b'\\' {
                        p += 1;
                        p_ch = at(pat, p);
                        if p_ch == 0 {
                            return Outcome::AbortAll;
                        }
                        if t_ch == p_ch {
                            matched = true;
                        }
                    } else if p_ch == b'-' && prev_ch != 0 && at(pat, p + 1) != 0 && at(pat, p + 1) != b']' {
                        p += 1;
                        p_ch = at(pat, p);
                        if p_ch == b'\\' {
                            p += 1;
                            p_ch = at(pat, p);
                            if p_ch == 0 {
                                return Outcome::AbortAll;
                            }
                        }
                        if t_ch <= p_ch && t_ch >= prev_ch {
                            matched = true;
                        }
                        p_ch = 0; // so that prev_ch becomes 0
                    } else if p_ch == b'[' && at(pat, p + 1) == b':' {
                        p += 2;
                        let s = p;
                        while at(pat, p) != 0 && at(pat, p) != b']' {
                            p += 1;
                        }
                        if at(pat, p) == 0 {
                            return Outcome::AbortAll;
                        }
                        if p == s || pat[p - 1] != b':' {
                            // No `:]`: a plain `[` in the set.
                            p = s - 2;
                            p_ch = b'[';
                            if t_ch == p_ch {
                                matched = true;
                            }
                        } else {
                            let Some(hit) = class(&pat[s..p - 1], t_ch) else { return Outcome::AbortAll };
                            matched |= hit;
                            p_ch = 0;
                        }
                    } else if t_ch == p_ch {
                        matched = true;
                    }
                    prev_ch = p_ch;
                    p += 1;
                    p_ch = at(pat, p);
                    if p_ch == b']' {
                        break;
                    }
                }
                if matched == negated || (pathname && t_ch == b'/') {
                    return Outcome::NoMatch;
                }
            }
            _ => {
                if p_ch == b'\\' {
                    // The next character, literally (none: no match).
                    p += 1;
                    p_ch = at(pat, p);
                }
                if t_ch != p_ch {
                    return Outcome::NoMatch;
                }
            }
        }
        p += 1;
        t += 1;
    }
    if t < text.len() { Outcome::NoMatch } else { Outcome::Match }
}

/// A `[:name:]` class; `None` for a name git does not know (no match at all).
fn class(name: &[u8], c: u8) -> Option<bool> {
    Some(match name {
        b"alnum" => c.is_ascii_alphanumeric(),
        b"alpha" => c.is_ascii_alphabetic(),
        b"blank" => c == b' ' || c == b'\t',
        b"cntrl" => c.is_ascii_control(),
        b"digit" => c.is_ascii_digit(),
        b"graph" => c.is_ascii_graphic(),
        b"lower" => c.is_ascii_lowercase(),
        b"print" => c.is_ascii_graphic() || c == b' ',
        b"punct" => c.is_ascii_punctuation(),
        // git's own ctype: tab, newline, carriage return and space.
        b"space" => matches!(c, b' ' | b'\t' | b'\n' | b'\r'),
        b"upper" => c.is_ascii_uppercase(),
        b"xdigit" => c.is_ascii_hexdigit(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::wildmatch;

    /// Cases from git's t/t3070-wildmatches.sh (pathname mode where it says so).
    #[test]
    fn git_cases() {
        let yes =
            |p: &str, t: &str, pathname: bool| assert!(wildmatch(p.as_bytes(), t.as_bytes(), pathname), "{p} ~ {t}");
        let no =
            |p: &str, t: &str, pathname: bool| assert!(!wildmatch(p.as_bytes(), t.as_bytes(), pathname), "{p} !~ {t}");
        yes("foo", "foo", true);
        no("foo", "bar", true);
        yes("???", "foo", true);
        yes("*", "foo", true);
        yes("f*", "foo", true);
        no("*f", "foo", true);
        yes("*foo*", "foo", true);
        yes("*ob*a*r*", "foobar", true);
        yes("\\*", "*", true);
        no("\\*", "foo", true);
        yes("[[]", "[", true);
        yes("[ab]", "a", true);
        yes("[!ab]", "c", true);
        yes("[^ab]", "c", true);
        no("[!ab]", "a", true);
        yes("[a-c]", "b", true);
        yes("[[:alpha:]]x", "ax", true);
        no("[[:digit:]]x", "ax", true);
        no("*.{txt,conf}", "a.txt", true);
        yes("*.{txt,conf}", "a.{txt,conf}", true);
        // Slashes.
        no("foo*bar", "foo/baz/bar", true);
        yes("foo*bar", "foo/baz/bar", false);
        no("foo?bar", "foo/bar", true);
        yes("foo/**/bar", "foo/bar", true);
        yes("foo/**/bar", "foo/a/b/bar", true);
        yes("**/foo", "foo", true);
        yes("**/foo", "a/b/foo", true);
        yes("foo/**", "foo/a/b", true);
        no("foo/**", "foo", true);
        yes("foo/*/bar", "foo/x/bar", true);
        no("foo/*/bar", "foo/x/y/bar", true);
        yes("**", "a/b/c", true);
        no("*", "a/b", true);
        yes("a**b", "axxb", true);
        no("a**b", "a/b", true);
        yes("*/*.txt", "d/x.txt", true);
        no("*/*.txt", "d/e/x.txt", true);
        yes("-*-*-*-*-*-*-12-*-*-*-m-*-*-*", "-adobe-courier-bold-o-normal--12-120-75-75-m-70-iso8859-1", true);
        no("-*-*-*-*-*-*-12-*-*-*-m-*-*-*", "-adobe-courier-bold-o-normal--12-120-75-75-X-70-iso8859-1", true);
        yes("XXX/*/*/*/*/*/*/12/*/*/*/m/*/*/*", "XXX/adobe/courier/bold/o/normal//12/120/75/75/m/70/iso8859/1", true);
        yes("[\\-_]", "-", true);
        yes("[]-a]", "]", true);
        no("[]-a]", "b", true);
    }
}
