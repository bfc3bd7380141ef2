//! One function a command: its settings from the command line, the
//! pipeline, its output and exit code.

use super::apps::{apps, exists};
use super::args::*;
use super::env::Environment;
use super::{load_input, options, print, print_diagnostics, read_key, read_stdin, render_with_history};
use crate::diff;
use crate::emit;
use crate::error::{EXIT_FINDINGS, EXIT_OK, Error, ErrorKind};
use crate::render::{Options, Rendered};
use crate::source::{Confined, dir::DirSource};
use std::io::{IsTerminal, Write};
use std::path::Path;

pub(super) fn render_cmd(args: &RenderArgs, env: &Environment) -> Result<i32, Error> {
    let opts = options(env, &args.input.app, args.input.allow_dangling)?;
    let overrides = env.overrides(&args.input.app.values)?;
    let loaded = load_input(&overrides, &args.dir, args.at.rev.as_deref(), args.input.app.limits)?;
    if args.show_values {
        print(&crate::yaml::to_yaml(&loaded.values))?;
        return Ok(EXIT_OK);
    }
    let limits = loaded.limits;
    let rendered = render_with_history(&overrides, &args.input, &args.dir, args.at.rev.as_deref(), loaded, &opts)?;
    print_diagnostics(&rendered, args.quiet, args.verbose);
    if rendered.objects.is_empty() && !args.allow_empty {
        return Err(Error::new(ErrorKind::Empty));
    }
    match &args.output {
        Some(path) if path.is_dir() || path.to_string_lossy().ends_with('/') => {
            // One YAML file per object: a JSON List has no per-file form.
            if args.format != OutputFormat::Yaml {
                return Err(Error::new(ErrorKind::Usage(format!(
                    "-o {} writes one YAML file per object; --format json writes one List to a file or stdout",
                    path.display()
                ))));
            }
            emit::write_dir(path, &rendered.objects, &limits)?
        }
        Some(path) => emit::write_file(path, &rendered.objects, args.format.into(), &limits)?,
        None => {
            let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            let written = emit::write_stream(&rendered.objects, args.format.into(), &limits, &mut out)
                .and_then(|()| Ok(out.flush()?));
            match written {
                Ok(()) => {}
                // A closed pipe (`| head`) is the reader's choice, not an error.
                Err(emit::WriteError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                Err(emit::WriteError::Io(e)) => return Err(emit::out_err(Path::new("<stdout>"), &e)),
                Err(emit::WriteError::Limit(e)) => return Err(e),
            }
        }
    }
    Ok(EXIT_OK)
}

/// Exit 0 no change, 1 changes, 2 error, like diff(1), so CI can gate on it.
pub(super) fn diff_cmd(args: &DiffArgs, env: &Environment) -> Result<i32, Error> {
    if args.dir == "-" {
        return Err(Error::new(ErrorKind::Usage("diff reads two revisions of a directory, not stdin".into())));
    }
    if args.max_report_size.is_some() && args.format != DiffFormat::Markdown {
        return Err(Error::new(ErrorKind::Usage("--max-report-size applies to --format markdown".into())));
    }
    let opts = options(env, &args.input.app, args.input.allow_dangling)?;
    let overrides = env.overrides(&args.input.app.values)?;
    let dir = args.dir.as_str();
    // `None`: DIR is not on this side and --missing-as-empty lets it be empty.
    let side = |rev: Option<&str>, what: &str| -> Result<Option<Rendered>, Error> {
        if args.missing_as_empty && !exists(dir, rev)? {
            return Ok(None);
        }
        let loaded = load_input(&overrides, dir, rev, args.input.app.limits).map_err(|e| {
            if !args.missing_as_empty && !exists(dir, rev).unwrap_or(true) {
                e.help("an app the change adds or removes: pass --missing-as-empty to diff it against nothing")
            } else {
                e
            }
        })?;
        render_with_history(&overrides, &args.input, dir, rev, loaded, &opts)
            .map(Some)
            .map_err(|e| e.help(format!("while rendering the {what} side of the diff")))
    };
    // The two sides are independent: render them on two threads.
    let (old, new) = std::thread::scope(|s| {
        let old = s.spawn(|| side(Some(&args.from), "--from"));
        let new = side(args.to.as_deref(), if args.to.is_some() { "--to" } else { "working-tree" });
        (old.join(), new)
    });
    let old = old.unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
    let new = new?;
    if old.is_none() && new.is_none() {
        let to = args.to.as_deref().map_or_else(|| "the working tree".to_string(), |r| format!("revision {r:?}"));
        return Err(Error::new(ErrorKind::Usage(format!(
            "{dir} exists neither at revision {:?} nor in {to}",
            args.from
        ))));
    }
    let (old, new) = (old.unwrap_or_default(), new.unwrap_or_default());
    print_diagnostics(&new, false, false);
    let report = diff::compare(&old, &new);
    let text = match args.format {
        DiffFormat::Text => {
            let color = match args.color {
                Color::Always => true,
                Color::Never => false,
                Color::Auto => std::io::stdout().is_terminal() && !env.no_color,
            };
            diff::to_text(&report, diff::Style { color })
        }
        DiffFormat::Markdown => diff::to_markdown_capped(&report, args.max_report_size.unwrap_or(usize::MAX)),
        DiffFormat::Json => diff::to_json(&report),
    };
    emit::check_size(text.len() as u64, &args.input.app.limits.limits())?;
    print(&text)?;
    Ok(if report.changed { EXIT_FINDINGS } else { EXIT_OK })
}

pub(super) fn graph_cmd(args: &GraphArgs, env: &Environment) -> Result<i32, Error> {
    let opts = options(env, &args.input.app, args.input.allow_dangling)?;
    let overrides = env.overrides(&args.input.app.values)?;
    let rev = args.at.rev.as_deref();
    let apps = apps(&args.dirs, args.recursive, rev, args.input.app.limits)?;
    let several = args.recursive || apps.len() > 1;
    let mut parts = Vec::new();
    // Names `--workload` may take: every object that is not a bundle.
    let mut objects = std::collections::BTreeSet::new();
    for app in &apps {
        let in_app = |e: Error| if several { e.in_folder(app) } else { e };
        let loaded = load_input(&overrides, app, rev, args.input.app.limits).map_err(in_app)?;
        let mut rendered = render_with_history(&overrides, &args.input, app, rev, loaded, &opts).map_err(in_app)?;
        if several {
            rendered.diagnostics.iter_mut().for_each(|d| d.in_folder(app));
        }
        print_diagnostics(&rendered, false, false);
        objects.extend(rendered.objects.iter().filter(|o| o.bundle_kind().is_none()).map(|o| o.name().to_string()));
        parts.push((app.clone(), crate::graph::build(&rendered)));
    }
    let g = match parts.pop() {
        Some((_, g)) if !several => g,
        last => crate::graph::Graph::merge(parts.into_iter().chain(last).collect()),
    };
    if let Some(b) = args.bundle.as_deref().filter(|b| !g.bundle_names().contains(b)) {
        return Err(unknown_name("no ConfigMap or Secret named", b, g.bundle_names(), "--bundle"));
    }
    if let Some(w) = args.workload.as_deref().filter(|w| !objects.contains(*w)) {
        if g.bundle_names().contains(w) && !g.referrer_names().contains(w) {
            return Err(Error::new(ErrorKind::Usage(format!(
                "{w:?} is a ConfigMap or Secret, not an object that uses one"
            )))
            .help(format!("--bundle {w} shows what uses it")));
        }
        let mut names: std::collections::BTreeSet<&str> = objects.iter().map(String::as_str).collect();
        names.extend(g.referrer_names());
        return Err(unknown_name("no object named", w, names, "--workload"));
    }
    let g = g.filter(args.bundle.as_deref(), args.workload.as_deref());
    let text = match args.format {
        GraphFormat::Table => crate::graph::to_table(&g),
        GraphFormat::Dot => crate::graph::to_dot(&g),
        GraphFormat::Mermaid => crate::graph::to_mermaid(&g),
        GraphFormat::Json => crate::graph::to_json(&g),
    };
    // A ClusterRole's resourceNames are an edge to every namespace's bundle
    // of that name: n roles over n namespaces print n^2 rows.
    emit::check_size(text.len() as u64, &args.input.app.limits.limits())?;
    print(&text)?;
    Ok(EXIT_OK)
}

/// `--bundle`/`--workload` naming nothing: an error with the names it most
/// likely meant (an empty table would read as "nothing uses it").
fn unknown_name(what: &str, name: &str, names: std::collections::BTreeSet<&str>, flag: &str) -> Error {
    let near = crate::graph::nearest(name, names.iter().copied());
    let help = if near.is_empty() {
        let some: Vec<&str> = names.iter().copied().take(5).collect();
        match names.len() {
            0 => format!("{flag}: the render has none"),
            n if n > some.len() => format!("{flag} takes one of {n} names, e.g. {}", some.join(", ")),
            _ => format!("{flag} takes one of: {}", some.join(", ")),
        }
    } else {
        format!("did you mean {}?", near.join(", "))
    };
    Error::new(ErrorKind::Usage(format!("{what} {name:?}"))).help(help)
}

/// Exit 1 on any error finding (or warning with `--deny warnings`), 2 only
/// when the input cannot be read at all.
pub(super) fn check_cmd(args: &CheckArgs, env: &Environment) -> Result<i32, Error> {
    // Lenient: what would stop a render is a finding (dangling ones too).
    let opts = Options { lenient: true, ..options(env, &args.app, true)? };
    let overrides = env.overrides(&args.app.values)?;
    let rev = args.at.rev.as_deref();
    let apps = apps(&args.dirs, args.recursive, rev, args.app.limits)?;
    let several = args.recursive || apps.len() > 1;
    let mut findings = Vec::new();
    for app in &apps {
        let in_app = |e: Error| if several { e.in_folder(app) } else { e };
        let mut loaded = load_input(&overrides, app, rev, args.app.limits).map_err(in_app)?;
        let texts = std::mem::take(&mut loaded.texts);
        let rendered = crate::pipeline::run(loaded, &opts, None).map_err(in_app)?;
        let settings = crate::check::Settings { flux: args.flux };
        let mut found = crate::check::check(&rendered, &texts, settings);
        if several {
            found.iter_mut().for_each(|d| d.in_folder(app));
        }
        findings.extend(found);
    }
    print(&match args.format {
        CheckFormat::Text => crate::check::to_text(&findings),
        CheckFormat::Json => crate::check::to_json(&findings),
    })?;
    let s = crate::check::summary(&findings);
    Ok(if s.errors > 0 || (args.deny.is_some() && s.warnings > 0) { EXIT_FINDINGS } else { EXIT_OK })
}

/// KRM function: generator inputs are read from the working directory
/// (kustomize runs exec functions in the kustomization root).
pub(super) fn fn_cmd(args: &FnArgs, env: &Environment) -> Result<i32, Error> {
    let limits = args.limits.limits();
    let text = read_stdin(limits.max_input_bytes)?;
    let opts = Options {
        hash_key: args.hash_key_file.as_ref().map(read_key).transpose()?,
        env_namespace: env.app_namespace.clone(),
        ..Options::default()
    };
    let src = Confined::with_limits(DirSource::open(Path::new("."))?, limits);
    let (out, failed) = match &args.config {
        Some(path) => {
            // The host's own file (a temporary copy of the plugin config), not the repository's.
            let config = std::fs::read_to_string(path).map_err(|e| {
                Error::new(ErrorKind::Io { path: path.display().to_string(), message: e.kind().to_string() })
            })?;
            let (out, warnings) = crate::krm::run_legacy(&config, &text, &src, &opts)?;
            for d in warnings {
                eprintln!("{d}");
            }
            (out, false)
        }
        None => {
            let outcome = crate::krm::run(&text, &src, &opts)?;
            (outcome.text, outcome.failed)
        }
    };
    emit::check_size(out.len() as u64, &limits)?;
    print(&out)?;
    // Exit 1: the ResourceList holds error results (kpt and kustomize fail
    // the build on a non-zero exit); 2: stdin could not be read as one.
    Ok(if failed { EXIT_FINDINGS } else { EXIT_OK })
}
