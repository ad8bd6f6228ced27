//! [`McpServer::run`]: serving on the transport the command line names, so
//! one program runs on stdio for a desktop host and on HTTP for the network
//! (`mcp run --transport http --port N` passes `--port N`).

use crate::McpServer;

/// Where [`McpServer::run`] serves.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Launch {
    Stdio,
    Http { host: String, port: u16 },
}

/// Reads `--stdio`, `--port N` and `--host ADDR` (also `--port=N`,
/// `--host=ADDR`) from `args`; other arguments are the program's own.
fn launch(args: impl IntoIterator<Item = String>) -> crate::Result<Launch> {
    let mut port = None;
    let mut host = None;
    let mut stdio = false;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f.to_owned(), Some(v.to_owned())),
            None => (arg, None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| crate::Error::Usage(format!("`{name}` needs a value")))
        };
        match flag.as_str() {
            "--stdio" => stdio = true,
            "--port" => {
                let v = value("--port")?;
                let p = v.parse::<u16>().map_err(|_| {
                    crate::Error::Usage(format!("`--port {v}` is not a port number"))
                })?;
                port = Some(p);
            }
            "--host" => host = Some(value("--host")?),
            _ => {}
        }
    }
    match (stdio, port) {
        (true, Some(_)) => Err(crate::Error::Usage(
            "`--stdio` and `--port` ask for two transports; give one".into(),
        )),
        (_, Some(port)) => Ok(Launch::Http {
            host: host.unwrap_or_else(|| "127.0.0.1".into()),
            port,
        }),
        _ => Ok(Launch::Stdio),
    }
}

impl<S: Send + Sync + 'static> McpServer<S> {
    /// Serves on the transport the process's command line names: Streamable
    /// HTTP at `http://<host>:<N>/mcp` for `--port N` (with `--host ADDR`,
    /// default `127.0.0.1`; needs the crate feature `http`), otherwise stdio
    /// (also `--stdio`). Other arguments are left to the program.
    ///
    /// ```no_run
    /// # async fn f() -> mcp_server::Result<()> {
    /// // `my-server` serves stdio; `my-server --port 8000` serves HTTP.
    /// mcp_server::McpServer::new("Demo")
    ///     .tool("ping", || "pong")
    ///     .run()
    ///     .await
    /// # }
    /// ```
    pub async fn run(self) -> crate::Result<()> {
        match launch(std::env::args().skip(1))? {
            Launch::Stdio => self.serve_stdio().await,
            #[cfg(feature = "http")]
            Launch::Http { host, port } => self.serve_http((host.as_str(), port)).await,
            #[cfg(not(feature = "http"))]
            Launch::Http { .. } => Err(crate::Error::Usage(
                "`--port` serves Streamable HTTP, which needs mcp-server's `http` feature".into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> crate::Result<Launch> {
        launch(args.iter().map(|a| a.to_string()))
    }

    #[test]
    fn reads_the_transport_and_leaves_other_arguments() {
        assert_eq!(parse(&[]).unwrap(), Launch::Stdio);
        assert_eq!(parse(&["--stdio", "--db", "x"]).unwrap(), Launch::Stdio);
        let http = |host: &str, port| Launch::Http {
            host: host.into(),
            port,
        };
        assert_eq!(
            parse(&["--weather-url", "u", "--port", "8000"]).unwrap(),
            http("127.0.0.1", 8000)
        );
        assert_eq!(
            parse(&["--port=9", "--host=0.0.0.0"]).unwrap(),
            http("0.0.0.0", 9)
        );
    }

    #[test]
    fn bad_transport_arguments_are_usage_errors() {
        for args in [
            &["--port"][..],
            &["--port", "http"],
            &["--port", "70000"],
            &["--stdio", "--port", "1"],
        ] {
            let e = parse(args).unwrap_err();
            assert!(matches!(e, crate::Error::Usage(_)), "{args:?}: {e}");
        }
    }
}
