//! Command line → validated settings → the library. The only place that
//! reads the process environment ([`env::Environment`], read once, and
//! clap's `IMPRINT_*` flag fallbacks), and it never passes it into a
//! bundle. The library below never prints.

mod apps;
pub mod args;
mod commands;
pub mod env;

pub use args::{Cli, Command};

use crate::error::{Error, ErrorKind, Severity};
use crate::load::{self, Loaded};
use crate::render::{Options, Rendered};
use crate::source::{Confined, dir::DirSource, git::GitSource};
use crate::values::Overrides;
use crate::version::hash::HashKey;
use args::{AppArgs, InputArgs, LimitArgs};
use clap::Parser;
use env::Environment;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Runs the command line; returns the process exit code.
#[must_use]
pub fn main() -> i32 {
    let cli = Cli::parse();
    // Parsing, walking and writing a document recurse once a nesting level,
    // on the worker threads; give them the main thread's 8 MiB instead of
    // 2 MiB so --max-depth up to its ceiling is safe in any build. (Address
    // space only: pages are used as the stack grows.)
    let _ = rayon::ThreadPoolBuilder::new().stack_size(8 << 20).build_global();
    let env = Environment::read();
    match std::panic::catch_unwind(|| run(cli, &env)) {
        Ok(Ok(code)) => code,
        Ok(Err(err)) => {
            eprintln!("error: {err}");
            err.exit_code()
        }
        Err(_) => {
            eprintln!("error: internal error (a bug in imprint; please report it with the input that caused it)");
            crate::error::EXIT_INTERNAL
        }
    }
}

fn run(cli: Cli, env: &Environment) -> Result<i32, Error> {
    // Debug builds only: the tests' way to reach the panic path above
    // (there is no known input that panics). Release builds never read it.
    #[cfg(debug_assertions)]
    if std::env::var_os("IMPRINT_DEBUG_PANIC").is_some() {
        panic!("IMPRINT_DEBUG_PANIC is set");
    }
    match cli.command {
        Command::Render(args) => commands::render_cmd(&args, env),
        Command::Diff(args) => commands::diff_cmd(&args, env),
        Command::Graph(args) => commands::graph_cmd(&args, env),
        Command::Check(args) => commands::check_cmd(&args, env),
        Command::Fn(args) => commands::fn_cmd(&args, env),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut <Cli as clap::CommandFactory>::command(), "imprint", &mut out);
            print(&String::from_utf8_lossy(&out))?;
            Ok(crate::error::EXIT_OK)
        }
    }
}

fn read_key(path: &PathBuf) -> Result<HashKey, Error> {
    let bytes = std::fs::read(path).map_err(|e| {
        Error::new(ErrorKind::Io { path: path.display().to_string(), message: e.kind().to_string() })
            .help("--hash-key-file / IMPRINT_HASH_KEY_FILE names the operator's key file")
    })?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::new(ErrorKind::Usage(format!("hash key file {} is empty", path.display()))));
    }
    // A short key is guessable, which is what keyed hashing is meant to stop.
    if bytes.len() < 16 {
        return Err(Error::new(ErrorKind::Usage(format!(
            "hash key file {} holds {} bytes; use at least 16 (e.g. head -c 32 /dev/urandom)",
            path.display(),
            bytes.len()
        ))));
    }
    Ok(HashKey::from_material(&bytes))
}

/// Loads the input: stdin, the working tree, or a git revision of it.
fn load_input(overrides: &Overrides, dir: &str, rev: Option<&str>, limits: LimitArgs) -> Result<Loaded, Error> {
    match (dir, rev) {
        ("-", Some(_)) => Err(Error::new(ErrorKind::Usage("--rev cannot be used with `-` (stdin)".into()))),
        ("-", None) => load::load_stream(&read_stdin(limits.max_input_size)?, "<stdin>", &limits.limits()),
        (dir, None) => {
            load::load_dir_with(&Confined::with_limits(DirSource::open(Path::new(dir))?, limits.limits()), overrides)
        }
        (dir, Some(rev)) => load::load_dir_with(
            &Confined::with_limits(GitSource::open(Path::new(dir), rev)?, limits.limits()),
            overrides,
        ),
    }
}

/// Reads stdin, refusing more than `max` bytes without buffering them.
fn read_stdin(max: u64) -> Result<String, Error> {
    let mut text = String::new();
    std::io::stdin()
        .take(max.saturating_add(1))
        .read_to_string(&mut text)
        .map_err(|e| Error::new(ErrorKind::Io { path: "<stdin>".into(), message: e.to_string() }))?;
    if text.len() as u64 > max {
        return Err(crate::limits::exceeded(
            format!("stdin is larger than the limit of {max} bytes"),
            crate::limits::Limit::InputSize,
        ));
    }
    Ok(text)
}

/// Renders through the pipeline, with the previous versions `keepVersions`
/// asks for (SPEC §9; the flag beats imprint.yaml).
fn render_with_history(
    overrides: &Overrides,
    input: &InputArgs,
    dir: &str,
    rev: Option<&str>,
    loaded: Loaded,
    opts: &Options,
) -> Result<Rendered, Error> {
    let history = crate::pipeline::History {
        dir,
        rev,
        overrides,
        versions: input.keep_versions,
        depth: input.history_depth,
        best_effort: input.keep_versions_best_effort,
    };
    crate::pipeline::run(loaded, opts, Some(history))
}

fn options(env: &Environment, app: &AppArgs, allow_dangling: bool) -> Result<Options, Error> {
    Ok(Options {
        namespace: app.namespace.clone().filter(|n| !n.is_empty()),
        env_namespace: env.app_namespace.clone(),
        allow_dangling,
        hash_key: app.hash_key_file.as_ref().map(read_key).transpose()?,
        lenient: false,
    })
}

fn print_diagnostics(rendered: &Rendered, quiet: bool, verbose: bool) {
    for d in &rendered.diagnostics {
        let show = match d.severity {
            Severity::Warning | Severity::Error => !quiet,
            Severity::Note => verbose,
        };
        if show {
            eprintln!("{d}");
        }
    }
    // Kept names are notes, but a change to such an object rolls nothing:
    // say how many there are even without -v.
    let kept = rendered.diagnostics.iter().filter(|d| d.severity == Severity::Note && d.code.keeps_name()).count();
    if kept > 0 && !quiet && !verbose {
        let (objects, them) =
            if kept == 1 { ("object keeps its name", "it") } else { ("objects keep their names", "them") };
        eprintln!("note: {kept} {objects} for safety (a change to {them} rolls nothing); -v says why for each");
    }
}

/// Writes to stdout; a closed pipe (`| head`) is the reader's choice, not an error.
fn print(text: &str) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Error::new(ErrorKind::Output { path: "<stdout>".into(), message: e.to_string() }))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::Limit;
    use clap::CommandFactory;

    /// Limit errors name a flag in their help: each must exist, with its
    /// `IMPRINT_MAX_*` variable, on every command that reads input.
    #[test]
    fn every_limit_is_a_flag_of_every_command() {
        let cli = Cli::command();
        for command in ["render", "diff", "graph", "check", "fn"] {
            let command = cli.find_subcommand(command).expect("subcommand");
            for limit in Limit::ALL {
                let long = limit.flag().trim_start_matches("--");
                let arg = command.get_arguments().find(|a| a.get_long() == Some(long));
                let arg = arg.unwrap_or_else(|| panic!("{} has no {}", command.get_name(), limit.flag()));
                let env = format!("IMPRINT_{}", long.replace('-', "_").to_uppercase());
                assert_eq!(arg.get_env().and_then(|e| e.to_str()), Some(env.as_str()), "{}", limit.flag());
            }
        }
    }
}
