//! The server's environment from `-v KEY=VALUE` and `-f .env`: the file's
//! variables first, in its order, then each `-v`, which wins.

use indexmap::IndexMap;

use crate::cli::EnvArgs;
use crate::error::{CliError, Result};

/// The variables `args` give, in order (a later one replaces an earlier one
/// in place).
pub(crate) fn collect(args: &EnvArgs) -> Result<IndexMap<String, String>> {
    let mut vars = IndexMap::new();
    if let Some(path) = &args.file {
        let entries = dotenvy::from_path_iter(path).map_err(|e| {
            CliError::Env(format!(
                "could not read the env file {}: {e}",
                path.display()
            ))
        })?;
        for entry in entries {
            let (key, value) =
                entry.map_err(|e| CliError::Env(format!("{}: {e}", path.display())))?;
            vars.insert(key, value);
        }
    }
    for var in &args.vars {
        let (key, value) = parse_var(var)?;
        vars.insert(key.to_owned(), value.to_owned());
    }
    Ok(vars)
}

/// Splits `KEY=VALUE` at the first `=`.
pub(crate) fn parse_var(var: &str) -> Result<(&str, &str)> {
    match var.split_once('=') {
        Some((key, value)) if !key.is_empty() && !key.contains('\0') && !value.contains('\0') => {
            Ok((key, value))
        }
        _ => Err(CliError::Env(format!(
            "`{var}` is not KEY=VALUE (for example -v API_KEY=secret)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vars_parse_at_the_first_equals_sign() {
        assert_eq!(parse_var("A=b=c").unwrap(), ("A", "b=c"));
        assert_eq!(parse_var("EMPTY=").unwrap(), ("EMPTY", ""));
        assert!(parse_var("=x").is_err());
        assert!(parse_var("novalue").is_err());
    }

    #[test]
    fn the_command_line_wins_over_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(".env");
        std::fs::write(&file, "# comment\nA=1\nB=\"two words\"\n").unwrap();
        let args = EnvArgs {
            vars: vec!["A=3".into(), "C=4".into()],
            file: Some(file),
        };
        let vars = collect(&args).unwrap();
        let pairs: Vec<_> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(pairs, [("A", "3"), ("B", "two words"), ("C", "4")]);
    }

    #[test]
    fn a_missing_file_is_an_error() {
        let args = EnvArgs {
            vars: vec![],
            file: Some("/nonexistent/.env".into()),
        };
        assert!(
            collect(&args)
                .unwrap_err()
                .to_string()
                .contains("/nonexistent/.env")
        );
    }
}
