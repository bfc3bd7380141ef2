//! Errors and diagnostics.
//!
//! Every error a user can cause carries where it happened (file, line, object,
//! field) so the one-line message is actionable. Messages never include input
//! values: a line of an env file or a Secret manifest may hold a credential.

use std::fmt;

/// What went wrong, without the where.
#[derive(Debug, thiserror::Error)]
pub enum ErrorKind {
    /// The YAML or JSON text could not be parsed.
    #[error("invalid YAML: {0}")]
    Yaml(String),
    /// imprint.yaml is not valid.
    #[error("invalid imprint.yaml: {0}")]
    Config(String),
    /// A path named by the input is outside the app directory or otherwise refused.
    #[error("refused path {path:?}: {reason}")]
    Path { path: String, reason: String },
    /// A path named by the input does not exist.
    #[error("{path:?} does not exist")]
    Missing { path: String },
    /// A Kubernetes object is malformed.
    #[error("{0}")]
    Object(String),
    /// A generator input is malformed.
    #[error("{0}")]
    Generator(String),
    /// A reference names an object that is not in the output.
    #[error("dangling reference: {0}")]
    Dangling(String),
    /// A reference needs a key its object does not have.
    #[error("missing key: {0}")]
    MissingKey(String),
    /// A renamed object's old name is still used after rewriting.
    #[error("stale reference: {0}")]
    Stale(String),
    /// A handlebars template failed to compile or render.
    #[error("template: {0}")]
    Template(String),
    /// A naming template or its result is invalid.
    #[error("{0}")]
    Naming(String),
    /// A git repository or revision problem (`--rev`).
    #[error("{0}")]
    Git(String),
    /// Reading a file failed at the operating-system level.
    #[error("cannot read {path:?}: {message}")]
    Io { path: String, message: String },
    /// The command line is wrong.
    #[error("{0}")]
    Usage(String),
    /// Writing the output failed.
    #[error("cannot write {path:?}: {message}")]
    Output { path: String, message: String },
    /// The input went past a resource limit; its flag raises it (`None`
    /// for a fixed one, such as JSON's nesting).
    #[error("{message}")]
    Limit { message: String, limit: Option<crate::model::Limit> },
    /// A bug in imprint: an invariant that does not hold.
    #[error("internal error: {0} (a bug in imprint; please report it with the input that caused it)")]
    Internal(String),
    /// Rendering would print nothing.
    #[error(
        "the render produced no objects (Argo CD would prune the whole application); pass --allow-empty if that is intended"
    )]
    Empty,
}

/// Exit code: success (`diff`: no change; `check`: no error finding).
pub const EXIT_OK: i32 = 0;
/// Exit code: `diff` found changes, `check` error findings, `fn` error results.
pub const EXIT_FINDINGS: i32 = 1;
/// Exit code: bad input or usage; the message says what to change.
pub const EXIT_BAD_INPUT: i32 = 2;
/// Exit code: a bug in imprint (an internal error or a panic).
pub const EXIT_INTERNAL: i32 = 3;

/// An error with its location and context lines (boxed: errors are rare,
/// results are everywhere).
#[derive(Debug)]
pub struct Error(Box<Details>);

/// What an [`Error`] says.
#[derive(Debug)]
pub struct Details {
    pub kind: ErrorKind,
    pub file: Option<String>,
    pub line: Option<u64>,
    pub object: Option<String>,
    pub field: Option<String>,
    pub help: Option<String>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    #[must_use]
    pub fn new(kind: ErrorKind) -> Self {
        Error(Box::new(Details { kind, file: None, line: None, object: None, field: None, help: None }))
    }

    #[must_use]
    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        if self.file.is_none() {
            self.file = Some(file.into());
        }
        self
    }

    /// Locates the error at an input object: its file, line and identity.
    #[must_use]
    pub fn at_object(self, obj: &crate::model::Object) -> Self {
        self.in_file(obj.origin.file.clone()).at_line(obj.origin.line).object(obj.id().to_string())
    }

    #[must_use]
    pub fn at_line(mut self, line: u64) -> Self {
        if self.line.is_none() && line > 0 {
            self.line = Some(line);
        }
        self
    }

    #[must_use]
    pub fn object(mut self, object: impl Into<String>) -> Self {
        if self.object.is_none() {
            self.object = Some(object.into());
        }
        self
    }

    #[must_use]
    pub fn field(mut self, field: impl Into<String>) -> Self {
        if self.field.is_none() {
            self.field = Some(field.into());
        }
        self
    }

    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Places the error's file inside `folder` (or names the folder when
    /// there is no file): commands over several apps show paths from where
    /// they were run.
    #[must_use]
    pub fn in_folder(mut self, folder: &str) -> Self {
        self.0.file = Some(in_folder(folder, self.0.file.as_deref()));
        self
    }

    /// Process exit code (docs/commands.md "Exit codes"): 3 for a bug in
    /// imprint, 2 for anything the input, the command line or the
    /// machine (a file it cannot read or write) caused. 0 and 1 are not
    /// errors: success, and findings or changes.
    #[must_use]
    pub fn exit_code(&self) -> i32 {
        match self.kind {
            ErrorKind::Internal(_) => EXIT_INTERNAL,
            _ => EXIT_BAD_INPUT,
        }
    }
}

/// Shorthand constructors used across the pipeline.
pub fn object_error(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Object(msg.into()))
}

pub fn config_error(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Config(msg.into()))
}

pub fn generator_error(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Generator(msg.into()))
}

pub fn naming_error(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Naming(msg.into()))
}

impl fmt::Display for Error {
    /// `<what> (<file>:<line>)` on the first line, then indented context lines.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind)?;
        let d = &self.0;
        write_where(f, (&d.file, d.line), &d.object, d.field.as_ref(), &d.help)
    }
}

/// The one display of where a message applies, for errors and findings
/// alike: ` (<file>:<line>)` on the message's line, then `object:`,
/// `field:` (errors only: a finding's field is in `check`'s report) and
/// `help:` lines.
fn write_where(
    f: &mut fmt::Formatter<'_>,
    (file, line): (&Option<String>, Option<u64>),
    object: &Option<String>,
    field: Option<&String>,
    help: &Option<String>,
) -> fmt::Result {
    match (file, line) {
        (Some(file), Some(line)) => write!(f, " ({file}:{line})")?,
        (Some(file), None) => write!(f, " ({file})")?,
        _ => {}
    }
    for (what, value) in [("object", object.as_ref()), ("field", field), ("help", help.as_ref())] {
        if let Some(value) = value {
            write!(f, "\n  {what}: {value}")?;
        }
    }
    Ok(())
}

impl std::error::Error for Error {}

impl std::ops::Deref for Error {
    type Target = Details;
    fn deref(&self) -> &Details {
        &self.0
    }
}

impl std::ops::DerefMut for Error {
    fn deref_mut(&mut self) -> &mut Details {
        &mut self.0
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Self {
        Error::new(kind)
    }
}

/// How serious a non-fatal finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    #[default]
    Note,
    Warning,
    Error,
}

impl Severity {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A finding: from a render (printed to stderr, never to stdout) or from
/// `check`. The JSON form is part of `check --format json`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable short code, e.g. `unversioned-rbac`.
    pub code: crate::model::Code,
    pub message: String,
    pub file: Option<String>,
    pub line: Option<u64>,
    pub object: Option<String>,
    pub field: Option<String>,
    pub help: Option<String>,
}

impl Diagnostic {
    /// A finding with no location yet.
    #[must_use]
    pub fn new(severity: Severity, code: crate::model::Code, message: String) -> Self {
        Diagnostic { severity, code, message, file: None, line: None, object: None, field: None, help: None }
    }

    /// A finding about `obj`, located at its file and line.
    #[must_use]
    pub fn about(severity: Severity, code: crate::model::Code, obj: &crate::model::Object, message: String) -> Self {
        Diagnostic {
            file: Some(obj.origin.file.clone()),
            line: Some(obj.origin.line).filter(|l| *l > 0),
            object: Some(obj.id().to_string()),
            ..Diagnostic::new(severity, code, message)
        }
    }

    /// An error turned into a finding (`check` reports instead of stopping).
    #[must_use]
    pub fn from_error(code: crate::model::Code, err: &Error) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: err.kind.to_string(),
            file: err.file.clone(),
            line: err.line,
            object: err.object.clone(),
            field: err.field.clone(),
            help: err.help.clone(),
        }
    }

    #[must_use]
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl Diagnostic {
    /// As [`Error::in_folder`].
    pub fn in_folder(&mut self, folder: &str) {
        self.file = Some(in_folder(folder, self.file.as_deref()));
    }
}

/// `folder/file`, or `folder` alone.
fn in_folder(folder: &str, file: Option<&str>) -> String {
    let folder = folder.trim_end_matches('/');
    match file {
        Some(file) if !folder.is_empty() && folder != "." => format!("{folder}/{file}"),
        Some(file) => file.to_string(),
        None => folder.to_string(),
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]: {}", self.severity.as_str(), self.code, self.message)?;
        write_where(f, (&self.file, self.line), &self.object, None, &self.help)
    }
}
