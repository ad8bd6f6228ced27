//! The MCP Inspector's command line (`npx @modelcontextprotocol/inspector`),
//! built as a pure function so it can be checked without Node or a browser,
//! and printed in a form a shell takes back.

use std::path::Path;

use indexmap::IndexMap;

/// The Inspector's npm package.
pub(crate) const PACKAGE: &str = "@modelcontextprotocol/inspector";

/// The command line that opens the Inspector on the stdio server `program
/// args`: each variable as `-e KEY=VALUE`, then `--` so that the server's own
/// flags are not taken for the Inspector's.
pub(crate) fn command_line(
    npx: &Path,
    env: &IndexMap<String, String>,
    program: &Path,
    args: &[String],
) -> Vec<String> {
    let mut line = vec![npx.display().to_string(), PACKAGE.to_owned()];
    for (key, value) in env {
        line.push("-e".to_owned());
        line.push(format!("{key}={value}"));
    }
    line.push("--".to_owned());
    line.push(program.display().to_string());
    line.extend(args.iter().cloned());
    line
}

/// `words` joined for a POSIX shell: words with anything but safe
/// characters are single-quoted.
pub(crate) fn shell_join(words: &[String]) -> String {
    words.iter().map(|w| quote(w)).collect::<Vec<_>>().join(" ")
}

fn quote(word: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c);
    if !word.is_empty() && word.chars().all(safe) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r#"'\''"#))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_passes_env_and_separates_the_server() {
        let mut env = IndexMap::new();
        env.insert("API_KEY".to_owned(), "s3cret".to_owned());
        env.insert("MODE".to_owned(), "a b".to_owned());
        let line = command_line(
            Path::new("/usr/bin/npx"),
            &env,
            Path::new("/t/debug/examples/echo"),
            &["--stdio".to_owned()],
        );
        assert_eq!(
            line,
            [
                "/usr/bin/npx",
                PACKAGE,
                "-e",
                "API_KEY=s3cret",
                "-e",
                "MODE=a b",
                "--",
                "/t/debug/examples/echo",
                "--stdio"
            ]
        );
        assert_eq!(
            shell_join(&line),
            "/usr/bin/npx @modelcontextprotocol/inspector -e API_KEY=s3cret -e 'MODE=a b' -- /t/debug/examples/echo --stdio"
        );
    }

    #[test]
    fn quoting_survives_quotes() {
        assert_eq!(quote("it's"), r#"'it'\''s'"#);
        assert_eq!(quote(""), "''");
    }
}
