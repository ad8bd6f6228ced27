//! What a command's arguments say the server is: something to build with
//! cargo or a command line (`dev`, `run`, `install`), and a URL or a command
//! to spawn (the shell client).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use crate::build::{self, BuildRequest, TargetKind};
use crate::cli::{ServerArgs, SourceArgs};
use crate::error::{CliError, Result};

/// A server to start: built from the package, or a command as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    /// An example or binary to build; `args` are the server's arguments.
    Build {
        /// What to build.
        request: BuildRequest,
        /// The server's arguments.
        args: Vec<String>,
    },
    /// A command line.
    Command {
        /// The program.
        program: String,
        /// Its arguments.
        args: Vec<String>,
    },
}

/// A server ready to start: an absolute program path and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Launch {
    /// The program (absolute when it was built or found).
    pub(crate) program: PathBuf,
    /// Its arguments.
    pub(crate) args: Vec<String>,
}

impl Source {
    /// The source `args` describe.
    pub(crate) fn from_args(args: &SourceArgs) -> Result<Source> {
        let target = match (&args.example, &args.bin) {
            (Some(name), _) => Some((TargetKind::Example, name)),
            (None, Some(name)) => Some((TargetKind::Bin, name)),
            (None, None) => None,
        };
        if let Some((kind, name)) = target {
            return Ok(Source::Build {
                request: BuildRequest {
                    kind,
                    name: name.clone(),
                    package: args.package.clone(),
                    manifest_path: args.manifest_path.clone(),
                },
                args: args.command.clone(),
            });
        }
        if args.package.is_some() || args.manifest_path.is_some() {
            return Err(CliError::Usage(
                "--package and --manifest-path need --example NAME or --bin NAME".into(),
            ));
        }
        match args.command.split_first() {
            Some((program, rest)) if !program.is_empty() => Ok(Source::Command {
                program: program.clone(),
                args: rest.to_vec(),
            }),
            _ => Err(CliError::Usage(
                "which server? Give --example NAME, --bin NAME or `-- COMMAND ARGS...`".into(),
            )),
        }
    }

    /// A name for the server: the example's or binary's, or the command's file stem.
    pub(crate) fn default_name(&self) -> String {
        match self {
            Source::Build { request, .. } => request.name.clone(),
            Source::Command { program, .. } => Path::new(program)
                .file_stem()
                .and_then(OsStr::to_str)
                .unwrap_or(program)
                .to_owned(),
        }
    }

    /// Builds the server if needed and resolves the program to an absolute path.
    pub(crate) fn launch(&self) -> Result<Launch> {
        match self {
            Source::Build { request, args } => Ok(Launch {
                program: build::build(request)?,
                args: args.clone(),
            }),
            Source::Command { program, args } => Ok(Launch {
                program: resolve_program(program)?,
                args: args.clone(),
            }),
        }
    }
}

/// `program` as an absolute path: a path (anything with a separator) made
/// absolute, a bare name looked up on the PATH.
pub(crate) fn resolve_program(program: &str) -> Result<PathBuf> {
    let path = Path::new(program);
    if path.components().count() > 1 || path.is_absolute() {
        if !path.is_file() {
            return Err(CliError::CommandNotFound(program.to_owned()));
        }
        return build::absolute(path);
    }
    find_on_path(program, std::env::var_os("PATH").as_deref())
        .ok_or_else(|| CliError::CommandNotFound(program.to_owned()))
}

/// The first file named `name` in the directories of `path_var` (on Windows
/// also with the usual executable extensions).
pub(crate) fn find_on_path(name: &str, path_var: Option<&OsStr>) -> Option<PathBuf> {
    let extensions: &[&str] = if cfg!(windows) {
        &["", ".exe", ".cmd", ".bat"]
    } else {
        &[""]
    };
    std::env::split_paths(path_var?)
        .filter(|dir| !dir.as_os_str().is_empty())
        .flat_map(|dir| {
            extensions
                .iter()
                .map(move |ext| dir.join(format!("{name}{ext}")))
        })
        .find(|candidate| candidate.is_file())
}

/// The server the shell client talks to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Server {
    /// An HTTP endpoint.
    Url(String),
    /// A command to spawn over stdio.
    Command {
        /// The program.
        program: String,
        /// Its arguments.
        args: Vec<String>,
    },
}

impl Server {
    /// The server `args` name.
    pub(crate) fn from_args(args: &ServerArgs) -> Result<Server> {
        if let Some(url) = &args.url {
            return Ok(Server::Url(url.clone()));
        }
        match args.command.split_first() {
            Some((program, rest)) if !program.is_empty() => Ok(Server::Command {
                program: program.clone(),
                args: rest.to_vec(),
            }),
            _ => Err(CliError::Usage(
                "which server? Give --url URL or `-- COMMAND ARGS...` at the end".into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(example: Option<&str>, command: &[&str]) -> SourceArgs {
        SourceArgs {
            example: example.map(Into::into),
            bin: None,
            package: None,
            manifest_path: None,
            command: command.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn trailing_words_are_arguments_of_a_built_server() {
        let s = Source::from_args(&source(Some("echo"), &["--stdio"])).unwrap();
        let Source::Build { request, args } = &s else {
            panic!("{s:?}")
        };
        assert_eq!(
            (request.kind, request.name.as_str()),
            (TargetKind::Example, "echo")
        );
        assert_eq!(args, &["--stdio"]);
        assert_eq!(s.default_name(), "echo");
    }

    #[test]
    fn otherwise_they_are_the_command() {
        let s = Source::from_args(&source(None, &["./bin/my-server.sh", "-x"])).unwrap();
        assert_eq!(
            s,
            Source::Command {
                program: "./bin/my-server.sh".into(),
                args: vec!["-x".into()]
            }
        );
        assert_eq!(s.default_name(), "my-server");
        assert!(Source::from_args(&source(None, &[])).is_err());
    }

    #[test]
    fn programs_resolve_to_absolute_paths() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("tool");
        std::fs::write(&file, "").unwrap();
        assert_eq!(
            find_on_path("tool", Some(dir.path().as_os_str())),
            Some(file.clone())
        );
        assert_eq!(find_on_path("absent", Some(dir.path().as_os_str())), None);
        assert_eq!(find_on_path("tool", None), None);
        assert_eq!(resolve_program(file.to_str().unwrap()).unwrap(), file);
        assert!(matches!(
            resolve_program("./definitely/not/here"),
            Err(CliError::CommandNotFound(_))
        ));
    }
}
