//! Command line → validated settings → the library. The only place that
//! reads the process environment (flags' `IMPRINT_*` fallbacks,
//! `ARGOCD_APP_NAMESPACE`, `NO_COLOR`), and it never passes it into a bundle.

use crate::diff;
use crate::emit::{self, Format};
use crate::error::{Error, ErrorKind, Severity};
use crate::limits::Limits;
use crate::load::{self, Loaded};
use crate::render::{Options, Rendered};
use crate::source::{Confined, dir::DirSource, git::GitSource};
use crate::values::{self, Overrides};
use crate::version::hash::HashKey;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

/// Content-versioned ConfigMaps and Secrets for GitOps.
#[derive(Debug, Parser)]
#[command(name = "imprint", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render an app directory (or `-` for a manifest stream on stdin) into
    /// versioned, rewritten, deterministic manifests.
    Render(RenderArgs),
    /// Render two revisions and report what will roll, and why.
    Diff(DiffArgs),
    /// Who uses which config: every bundle and the objects that reference it.
    Graph(GraphArgs),
    /// Policy findings before sync (exit 1 on any error finding).
    Check(CheckArgs),
    /// KRM function: a ResourceList on stdin, the versioned ResourceList on stdout.
    Fn(FnArgs),
    /// Print shell completions (bash, zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, clap::Args)]
pub struct FnArgs {
    /// kustomize legacy exec-plugin mode: the plugin config file kustomize
    /// passes; stdin and stdout are then plain manifest streams.
    pub config: Option<PathBuf>,
    /// Key file for keyed Secret hashes.
    #[arg(long, env = "IMPRINT_HASH_KEY_FILE")]
    pub hash_key_file: Option<PathBuf>,
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Table,
    Dot,
    Mermaid,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    /// App directories (default `.`): one graph over all of them, with the
    /// app on every row; `-` reads a manifest stream from stdin.
    #[arg(value_name = "DIR")]
    pub dirs: Vec<String>,
    /// Every folder under each DIR that holds an imprint.yaml is an app.
    #[arg(short = 'r', long)]
    pub recursive: bool,
    #[command(flatten)]
    pub input: InputArgs,
    /// Read DIR as it is at this git revision.
    #[arg(long, env = "IMPRINT_REV")]
    pub rev: Option<String>,
    #[arg(long, value_enum, default_value_t = GraphFormat::Table)]
    pub format: GraphFormat,
    /// Only this bundle (original or versioned name) and its users.
    #[arg(long)]
    pub bundle: Option<String>,
    /// Only the bundles this object (by name) uses.
    #[arg(long)]
    pub workload: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Deny {
    Warnings,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// App directories (default `.`), or `-` for a manifest stream on stdin.
    #[arg(value_name = "DIR")]
    pub dirs: Vec<String>,
    /// Every folder under each DIR that holds an imprint.yaml is an app.
    #[arg(short = 'r', long)]
    pub recursive: bool,
    /// Read DIR as it is at this git revision.
    #[arg(long, env = "IMPRINT_REV")]
    pub rev: Option<String>,
    #[arg(short = 'n', long, env = "IMPRINT_NAMESPACE")]
    pub namespace: Option<String>,
    /// Key file for keyed Secret hashes.
    #[arg(long, env = "IMPRINT_HASH_KEY_FILE")]
    pub hash_key_file: Option<PathBuf>,
    #[command(flatten)]
    pub values: ValueArgs,
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Flux post-build substitution runs on the output: `${VAR}` in a
    /// versioned bundle is an error.
    #[arg(long)]
    pub flux: bool,
    /// Also fail (exit 1) on warnings.
    #[arg(long, value_enum)]
    pub deny: Option<Deny>,
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
}

/// What to render and how: shared by every command that renders.
#[derive(Debug, clap::Args)]
pub struct InputArgs {
    /// Default namespace for namespaced objects without one (beats imprint.yaml).
    #[arg(short = 'n', long, env = "IMPRINT_NAMESPACE")]
    pub namespace: Option<String>,
    /// Key file for keyed Secret hashes (operator-owned; may lie outside DIR).
    #[arg(long, env = "IMPRINT_HASH_KEY_FILE")]
    pub hash_key_file: Option<PathBuf>,
    /// Turn dangling references into warnings.
    #[arg(long, env = "IMPRINT_ALLOW_DANGLING")]
    pub allow_dangling: bool,
    #[command(flatten)]
    pub values: ValueArgs,
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Also emit the N previous versions of each bundle from git history
    /// (beats imprint.yaml's keepVersions).
    #[arg(long, env = "IMPRINT_KEEP_VERSIONS", value_name = "N")]
    pub keep_versions: Option<u32>,
    /// Most commits walked for --keep-versions.
    #[arg(long, default_value_t = 500, value_name = "COMMITS")]
    pub history_depth: usize,
    /// History that ends before N versions are found is a warning, not an error.
    #[arg(long)]
    pub keep_versions_best_effort: bool,
}

/// Resource limits (docs/limits.md). Defaults come from
/// [`crate::limits::Limits::default`], which is where they are explained.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct LimitArgs {
    /// Largest input file, in bytes.
    #[arg(long, help_heading = "Limits", env = "IMPRINT_MAX_FILE_SIZE", default_value_t = Limits::default().max_file_bytes, value_name = "BYTES")]
    pub max_file_size: u64,
    /// Most bytes read in all (files and stdin), and of parsed strings.
    #[arg(long, help_heading = "Limits", env = "IMPRINT_MAX_INPUT_SIZE", default_value_t = Limits::default().max_input_bytes, value_name = "BYTES")]
    pub max_input_size: u64,
    /// Most YAML documents in all input files.
    #[arg(long, help_heading = "Limits", env = "IMPRINT_MAX_DOCUMENTS", default_value_t = Limits::default().max_documents, value_name = "N")]
    pub max_documents: usize,
    /// Most YAML nodes in all input files (memory: about 80 bytes a node).
    #[arg(long, help_heading = "Limits", env = "IMPRINT_MAX_YAML_NODES", default_value_t = Limits::default().max_yaml_nodes, value_name = "N")]
    pub max_yaml_nodes: usize,
    /// Deepest nesting in one document.
    #[arg(long, help_heading = "Limits", env = "IMPRINT_MAX_DEPTH", default_value_t = Limits::default().max_depth, value_name = "LEVELS",
          value_parser = depth)]
    pub max_depth: usize,
    /// Most alias uses, anchors and alias-replayed nodes in one file.
    #[arg(long, help_heading = "Limits", env = "IMPRINT_MAX_ALIAS_EXPANSION", default_value_t = Limits::default().max_alias_expansion, value_name = "N")]
    pub max_alias_expansion: usize,
    /// Most keys in one generated ConfigMap or Secret.
    #[arg(long, help_heading = "Limits", env = "IMPRINT_MAX_BUNDLE_KEYS", default_value_t = Limits::default().max_bundle_keys, value_name = "N")]
    pub max_bundle_keys: usize,
    /// Largest rendered output (and output of one template), in bytes.
    #[arg(long, help_heading = "Limits", env = "IMPRINT_MAX_OUTPUT_SIZE", default_value_t = Limits::default().max_output_bytes, value_name = "BYTES")]
    pub max_output_size: u64,
    /// Most `{{#each}}` iterations of all templates together.
    #[arg(long, help_heading = "Limits", env = "IMPRINT_MAX_TEMPLATE_ITERATIONS", default_value_t = Limits::default().max_template_iterations, value_name = "N")]
    pub max_template_iterations: u64,
}

/// `--max-depth`: 1 to [`crate::limits::DEPTH_CEILING`].
fn depth(s: &str) -> Result<usize, String> {
    let ceiling = crate::limits::DEPTH_CEILING;
    match s.parse::<usize>() {
        Ok(n) if (1..=ceiling).contains(&n) => Ok(n),
        _ => Err(format!("expected a number from 1 to {ceiling}")),
    }
}

impl LimitArgs {
    fn limits(self) -> Limits {
        Limits {
            max_file_bytes: self.max_file_size,
            max_input_bytes: self.max_input_size,
            max_documents: self.max_documents,
            max_yaml_nodes: self.max_yaml_nodes,
            max_depth: self.max_depth,
            max_alias_expansion: self.max_alias_expansion,
            max_bundle_keys: self.max_bundle_keys,
            max_output_bytes: self.max_output_size,
            max_template_iterations: self.max_template_iterations,
        }
    }
}

/// Template values from the command line (the highest precedence).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ValueArgs {
    /// Set a template value: `a.b=c` (repeatable; `3`, `true`, `null` are typed).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Like --set, but the value is always a string (applied after --set).
    #[arg(long = "set-string", value_name = "KEY=VALUE")]
    pub set_string: Vec<String>,
}

impl ValueArgs {
    /// The overrides: `ARGOCD_ENV_<NAME>` (sorted by name, so the process
    /// environment's order cannot change the output) and `--set`.
    fn overrides(&self) -> Result<Overrides, Error> {
        let mut env: Vec<(String, String)> = std::env::vars()
            .filter_map(|(k, v)| k.strip_prefix("ARGOCD_ENV_").filter(|n| !n.is_empty()).map(|n| (n.to_string(), v)))
            .collect();
        env.sort();
        let mut sets = app_parameters()?;
        for (list, as_string) in [(&self.set, false), (&self.set_string, true)] {
            for arg in list {
                sets.push(values::parse_set(arg, as_string).map_err(|m| Error::new(ErrorKind::Usage(m)))?);
            }
        }
        Ok(Overrides { env, sets })
    }
}

#[derive(Debug, clap::Args)]
pub struct RenderArgs {
    /// App directory, or `-` to read one manifest stream from stdin.
    #[arg(default_value = ".")]
    pub dir: String,
    #[command(flatten)]
    pub input: InputArgs,
    /// Read DIR as it is at this git revision (anything `git rev-parse` takes).
    #[arg(long, env = "IMPRINT_REV")]
    pub rev: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Yaml, env = "IMPRINT_FORMAT")]
    pub format: Format,
    /// Write to FILE, or one file per object into DIR (an existing folder or a
    /// path ending in `/`). Written atomically.
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,
    /// Allow a render with no objects (Argo CD prunes everything on empty output).
    #[arg(long, env = "IMPRINT_ALLOW_EMPTY")]
    pub allow_empty: bool,
    /// Print the effective template values and exit.
    #[arg(long)]
    pub show_values: bool,

    /// Print errors only.
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also print notes (why an object was left unversioned, …).
    #[arg(short, long)]
    pub verbose: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Text,
    Markdown,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// App directory.
    #[arg(default_value = ".")]
    pub dir: String,
    #[command(flatten)]
    pub input: InputArgs,
    /// The old side: a git revision.
    #[arg(long)]
    pub from: String,
    /// The new side: a git revision (default: the working tree).
    #[arg(long)]
    pub to: Option<String>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Colour in the text format (auto: when stdout is a terminal and NO_COLOR is unset).
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// A side where DIR does not exist (an app added or removed by the
    /// change) counts as empty: all its objects are added or removed.
    #[arg(long)]
    pub missing_as_empty: bool,
    /// Markdown of at most this many bytes: details, then table rows, are
    /// left out (and the report says so) to fit a comment box.
    #[arg(long, value_name = "BYTES", value_parser = report_size)]
    pub max_report_size: Option<usize>,
}

/// `--max-report-size`: at least [`diff::MIN_REPORT_SIZE`].
fn report_size(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if n >= diff::MIN_REPORT_SIZE => Ok(n),
        _ => Err(format!("expected a number of bytes, at least {}", diff::MIN_REPORT_SIZE)),
    }
}

/// Runs the command line; returns the process exit code.
#[must_use]
pub fn main() -> i32 {
    let cli = Cli::parse();
    // Parsing, walking and writing a document recurse once a nesting level,
    // on the worker threads; give them the main thread's 8 MiB instead of
    // 2 MiB so --max-depth up to its ceiling is safe in any build. (Address
    // space only: pages are used as the stack grows.)
    let _ = rayon::ThreadPoolBuilder::new().stack_size(8 << 20).build_global();
    match std::panic::catch_unwind(|| run(cli)) {
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

fn run(cli: Cli) -> Result<i32, Error> {
    // Debug builds only: the tests' way to reach the panic path above
    // (there is no known input that panics). Release builds never read it.
    #[cfg(debug_assertions)]
    if std::env::var_os("IMPRINT_DEBUG_PANIC").is_some() {
        panic!("IMPRINT_DEBUG_PANIC is set");
    }
    match cli.command {
        Command::Render(args) => render_cmd(&args),
        Command::Diff(args) => diff_cmd(&args),
        Command::Graph(args) => graph_cmd(&args),
        Command::Check(args) => check_cmd(&args),
        Command::Fn(args) => fn_cmd(&args),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut <Cli as clap::CommandFactory>::command(), "imprint", &mut out);
            print(&String::from_utf8_lossy(&out))?;
            Ok(0)
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

/// Argo CD passes a plugin's parameters as JSON in `ARGOCD_APP_PARAMETERS`
/// (`[{"name": "replicas", "string": "3"}, {"name": "values", "map": {…}}]`).
/// A parameter named `values` merges its map at the top level; any other sets
/// the value at its (dotted) name. They rank with `ARGOCD_ENV_*`, below `--set`.
fn app_parameters() -> Result<Vec<(String, serde_json::Value)>, Error> {
    let Ok(text) = std::env::var("ARGOCD_APP_PARAMETERS") else { return Ok(Vec::new()) };
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let bad = |why: &str| Error::new(ErrorKind::Usage(format!("ARGOCD_APP_PARAMETERS {why}")));
    let list: serde_json::Value = serde_json::from_str(&text).map_err(|_| bad("is not JSON"))?;
    let mut out = Vec::new();
    for p in list.as_array().ok_or_else(|| bad("is not a list"))? {
        let Some(name) = p.get("name").and_then(serde_json::Value::as_str) else { continue };
        let value = ["string", "array", "map"].iter().find_map(|k| p.get(*k)).cloned();
        match (name, value) {
            ("values", Some(serde_json::Value::Object(m))) => {
                out.extend(m);
            }
            (name, Some(v)) if !name.is_empty() => out.push((name.to_string(), v)),
            _ => {}
        }
    }
    Ok(out)
}

/// Loads the input: stdin, the working tree, or a git revision of it.
fn load_input(dir: &str, rev: Option<&str>, values: &ValueArgs, limits: LimitArgs) -> Result<Loaded, Error> {
    let overrides = values.overrides()?;
    match (dir, rev) {
        ("-", Some(_)) => Err(Error::new(ErrorKind::Usage("--rev cannot be used with `-` (stdin)".into()))),
        ("-", None) => load::load_stream(&read_stdin(limits.max_input_size)?, "<stdin>", &limits.limits()),
        (dir, None) => {
            load::load_dir_with(&Confined::with_limits(DirSource::open(Path::new(dir))?, limits.limits()), &overrides)
        }
        (dir, Some(rev)) => load::load_dir_with(
            &Confined::with_limits(GitSource::open(Path::new(dir), rev)?, limits.limits()),
            &overrides,
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
    input: &InputArgs,
    dir: &str,
    rev: Option<&str>,
    loaded: Loaded,
    opts: &Options,
) -> Result<Rendered, Error> {
    let keep = input.keep_versions.or(loaded.config.keep_versions).unwrap_or(0);
    if keep > 0 && dir == "-" {
        return Err(Error::new(ErrorKind::Usage(
            "keepVersions needs a directory in a git repository, not stdin".into(),
        )));
    }
    let overrides = input.values.overrides()?;
    let history = crate::pipeline::History {
        dir: Path::new(dir),
        rev,
        overrides: &overrides,
        keep: crate::history::Keep {
            versions: keep as usize,
            depth: input.history_depth,
            best_effort: input.keep_versions_best_effort,
        },
    };
    crate::pipeline::run(loaded, opts, Some(history))
}

fn options(input: &InputArgs) -> Result<Options, Error> {
    Ok(Options {
        namespace: input.namespace.clone().filter(|n| !n.is_empty()),
        env_namespace: std::env::var("ARGOCD_APP_NAMESPACE").ok().filter(|n| !n.is_empty()),
        allow_dangling: input.allow_dangling,
        hash_key: input.hash_key_file.as_ref().map(read_key).transpose()?,
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

fn render_cmd(args: &RenderArgs) -> Result<i32, Error> {
    let opts = options(&args.input)?;
    let loaded = load_input(&args.dir, args.rev.as_deref(), &args.input.values, args.input.limits)?;
    if args.show_values {
        print(&crate::yaml::to_yaml(&loaded.values))?;
        return Ok(0);
    }
    let limits = loaded.limits;
    let rendered = render_with_history(&args.input, &args.dir, args.rev.as_deref(), loaded, &opts)?;
    print_diagnostics(&rendered, args.quiet, args.verbose);
    if rendered.objects.is_empty() && !args.allow_empty {
        return Err(Error::new(ErrorKind::Empty));
    }
    match &args.output {
        Some(path) if path.is_dir() || path.to_string_lossy().ends_with('/') => {
            emit::write_dir(path, &rendered.objects, &limits)?
        }
        Some(path) => emit::write_file(path, &rendered.objects, args.format, &limits)?,
        None => {
            let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            let written =
                emit::write_stream(&rendered.objects, args.format, &limits, &mut out).and_then(|()| Ok(out.flush()?));
            match written {
                Ok(()) => {}
                // A closed pipe (`| head`) is the reader's choice, not an error.
                Err(emit::WriteError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                Err(emit::WriteError::Io(e)) => return Err(emit::out_err(Path::new("<stdout>"), &e)),
                Err(emit::WriteError::Limit(e)) => return Err(e),
            }
        }
    }
    Ok(0)
}

/// Exit 0 no change, 1 changes, 2 error, like diff(1), so CI can gate on it.
fn diff_cmd(args: &DiffArgs) -> Result<i32, Error> {
    if args.dir == "-" {
        return Err(Error::new(ErrorKind::Usage("diff reads two revisions of a directory, not stdin".into())));
    }
    if args.max_report_size.is_some() && args.format != DiffFormat::Markdown {
        return Err(Error::new(ErrorKind::Usage("--max-report-size applies to --format markdown".into())));
    }
    let opts = options(&args.input)?;
    let dir = args.dir.as_str();
    // `None`: DIR is not on this side and --missing-as-empty lets it be empty.
    let side = |rev: Option<&str>, what: &str| -> Result<Option<Rendered>, Error> {
        if args.missing_as_empty && !exists(dir, rev)? {
            return Ok(None);
        }
        let loaded = load_input(dir, rev, &args.input.values, args.input.limits).map_err(|e| {
            if !args.missing_as_empty && !exists(dir, rev).unwrap_or(true) {
                e.help("an app the change adds or removes: pass --missing-as-empty to diff it against nothing")
            } else {
                e
            }
        })?;
        render_with_history(&args.input, dir, rev, loaded, &opts)
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
                Color::Auto => {
                    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                }
            };
            diff::to_text(&report, diff::Style { color })
        }
        DiffFormat::Markdown => diff::to_markdown_capped(&report, args.max_report_size.unwrap_or(usize::MAX)),
        DiffFormat::Json => diff::to_json(&report),
    };
    emit::check_size(text.len() as u64, &args.input.limits.limits())?;
    print(&text)?;
    Ok(i32::from(report.changed))
}

/// Whether DIR is a folder in the working tree (`rev` None) or at `rev`.
fn exists(dir: &str, rev: Option<&str>) -> Result<bool, Error> {
    match rev {
        None => Ok(Path::new(dir).is_dir()),
        Some(rev) => GitSource::exists(Path::new(dir), rev),
    }
}

/// The apps a command over several reads: each DIR as given (`.` when none),
/// or with `--recursive` every folder under each DIR that holds an
/// imprint.yaml (at `rev` when given). Paths as given, without a trailing
/// `/`, each once.
fn apps(dirs: &[String], recursive: bool, rev: Option<&str>, limits: LimitArgs) -> Result<Vec<String>, Error> {
    let dirs = if dirs.is_empty() { vec![".".to_string()] } else { dirs.to_vec() };
    if dirs.len() > 1 && dirs.iter().any(|d| d == "-") {
        return Err(Error::new(ErrorKind::Usage("`-` (stdin) cannot be combined with folders".into())));
    }
    let mut out: Vec<String> = Vec::new();
    for dir in &dirs {
        let dir = tidy(dir);
        let dir = dir.as_str();
        if !recursive {
            out.push(dir.to_string());
            continue;
        }
        if dir == "-" {
            return Err(Error::new(ErrorKind::Usage("--recursive finds apps in folders, not in `-` (stdin)".into())));
        }
        let found = match rev {
            None => Confined::with_limits(DirSource::open(Path::new(dir))?, limits.limits()).app_folders("")?,
            Some(rev) => {
                Confined::with_limits(GitSource::open(Path::new(dir), rev)?, limits.limits()).app_folders("")?
            }
        };
        if found.is_empty() {
            return Err(Error::new(ErrorKind::Usage(format!(
                "no folder under {dir} holds an {}",
                crate::config::FILE_NAME
            ))));
        }
        out.extend(found.into_iter().map(|rel| match (dir, rel.as_str()) {
            (_, "") => dir.to_string(),
            (".", rel) => rel.to_string(),
            (dir, rel) => format!("{}/{rel}", dir.trim_end_matches('/')),
        }));
    }
    // Each app once, however it was spelt (`apps/web`, `./apps/web`, a
    // symlink to it): the first spelling is the one shown.
    let mut seen = std::collections::HashSet::new();
    out.retain(|a| seen.insert(std::fs::canonicalize(a).unwrap_or_else(|_| PathBuf::from(a))));
    Ok(out)
}

/// A folder path as shown: no `./` or empty segments, no trailing `/`
/// (`./apps//web/` is `apps/web`); `.` for the current folder.
fn tidy(path: &str) -> String {
    if path == "-" {
        return path.to_string();
    }
    let absolute = path.starts_with('/');
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    match (absolute, parts.is_empty()) {
        (true, _) => format!("/{}", parts.join("/")),
        (false, true) => ".".to_string(),
        (false, false) => parts.join("/"),
    }
}

fn graph_cmd(args: &GraphArgs) -> Result<i32, Error> {
    let opts = options(&args.input)?;
    let rev = args.rev.as_deref();
    let apps = apps(&args.dirs, args.recursive, rev, args.input.limits)?;
    let several = args.recursive || apps.len() > 1;
    let mut parts = Vec::new();
    // Names `--workload` may take: every object that is not a bundle.
    let mut objects = std::collections::BTreeSet::new();
    for app in &apps {
        let in_app = |e: Error| if several { e.in_folder(app) } else { e };
        let loaded = load_input(app, rev, &args.input.values, args.input.limits).map_err(in_app)?;
        let mut rendered = render_with_history(&args.input, app, rev, loaded, &opts).map_err(in_app)?;
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
    emit::check_size(text.len() as u64, &args.input.limits.limits())?;
    print(&text)?;
    Ok(0)
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
fn check_cmd(args: &CheckArgs) -> Result<i32, Error> {
    let input = InputArgs {
        namespace: args.namespace.clone(),
        hash_key_file: args.hash_key_file.clone(),
        allow_dangling: true,
        values: args.values.clone(),
        limits: args.limits,
        keep_versions: None,
        history_depth: 0,
        keep_versions_best_effort: false,
    };
    let opts = Options { lenient: true, ..options(&input)? };
    let rev = args.rev.as_deref();
    let apps = apps(&args.dirs, args.recursive, rev, args.limits)?;
    let several = args.recursive || apps.len() > 1;
    let mut findings = Vec::new();
    for app in &apps {
        let in_app = |e: Error| if several { e.in_folder(app) } else { e };
        let mut loaded = load_input(app, rev, &args.values, args.limits).map_err(in_app)?;
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
    Ok(i32::from(s.errors > 0 || (args.deny.is_some() && s.warnings > 0)))
}

/// KRM function: generator inputs are read from the working directory
/// (kustomize runs exec functions in the kustomization root).
fn fn_cmd(args: &FnArgs) -> Result<i32, Error> {
    let limits = args.limits.limits();
    let text = read_stdin(limits.max_input_bytes)?;
    let opts = Options {
        hash_key: args.hash_key_file.as_ref().map(read_key).transpose()?,
        env_namespace: std::env::var("ARGOCD_APP_NAMESPACE").ok().filter(|n| !n.is_empty()),
        ..Options::default()
    };
    let src = Confined::with_limits(DirSource::open(Path::new("."))?, limits);
    let (out, failed) = match &args.config {
        Some(path) => {
            // The host's own file (a temporary copy of the plugin config), not the repository's.
            let config = std::fs::read_to_string(path).map_err(|e| {
                Error::new(ErrorKind::Io { path: path.display().to_string(), message: e.kind().to_string() })
            })?;
            (crate::krm::run_legacy(&config, &text, &src, &opts)?, false)
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
    Ok(i32::from(failed))
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
