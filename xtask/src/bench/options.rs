//! The command line of `cargo xtask bench`.

use std::path::PathBuf;
use std::time::Duration;

use crate::Error;

/// Printed by `cargo xtask bench --help`.
pub(crate) const USAGE: &str = "\
usage: cargo xtask bench [options]

Builds (profile `benchmark`: release + fat LTO) and benchmarks our bench-server example, the same tools on
rmcp (bench/rmcp-server) and the raw floors (bench/floor), then prints the
tables and writes BENCHMARKS.md.

options:
  --quick               short smoke run (0.2 s warm-up, 1 s per scenario, 1 round, 5 spawns)
  --only GROUP[,GROUP]  run only these groups: stdio, http, memory, instructions
                        (instructions: CPU instructions per call under valgrind's
                        callgrind; skipped when valgrind is not on PATH)
  --build-only          build every server, measure nothing (for CI)
  --no-build            use the binaries already built
  --warmup SECS         unmeasured seconds before each round (default 1)
  --duration SECS       measured seconds per round (default 3)
  --rounds N            rounds of each throughput scenario, each against a fresh
                        server, servers taking turns; the median round is shown
                        (default 3)
  --sessions N          stateful sessions for the memory figure (default 2000)
  --spawns N            cold starts timed for the startup figure (default 20)
  --server TEXT         only servers whose name contains TEXT (e.g. rmcp, floor)
  --out PATH            where to write the report (default BENCHMARKS.md; - for nowhere)
";

/// Parsed options.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Options {
    /// `--help`.
    pub(crate) help: bool,
    /// `--quick`.
    pub(crate) quick: bool,
    /// `--build-only`.
    pub(crate) build_only: bool,
    /// `--no-build`.
    pub(crate) no_build: bool,
    /// Run the stdio group (round trips, startup).
    pub(crate) stdio: bool,
    /// Run the Streamable HTTP group.
    pub(crate) http: bool,
    /// Run the memory group (idle RSS, sessions).
    pub(crate) memory: bool,
    /// Run the instructions group (callgrind counts per stdio call).
    pub(crate) instructions: bool,
    /// Unmeasured time per scenario.
    pub(crate) warmup: Duration,
    /// Measured time per round.
    pub(crate) duration: Duration,
    /// Rounds of each throughput scenario.
    pub(crate) rounds: usize,
    /// Sessions opened for the memory figure.
    pub(crate) sessions: usize,
    /// Cold starts timed.
    pub(crate) spawns: usize,
    /// Only servers whose label contains this.
    pub(crate) server: Option<String>,
    /// Report path relative to the repository root; `None`: not written.
    pub(crate) out: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            help: false,
            quick: false,
            build_only: false,
            no_build: false,
            stdio: true,
            http: true,
            memory: true,
            instructions: true,
            warmup: Duration::from_secs(1),
            duration: Duration::from_secs(3),
            rounds: 3,
            sessions: 2000,
            spawns: 20,
            server: None,
            out: Some(PathBuf::from("BENCHMARKS.md")),
        }
    }
}

fn seconds(text: &str) -> Result<Duration, Error> {
    let secs: f64 = text
        .parse()
        .map_err(|_| format!("not a number of seconds: {text}"))?;
    if secs.is_finite() && secs >= 0.0 {
        Ok(Duration::from_secs_f64(secs))
    } else {
        Err(format!("not a number of seconds: {text}").into())
    }
}

fn count(text: &str) -> Result<usize, Error> {
    match text.parse() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("not a positive count: {text}").into()),
    }
}

impl Options {
    /// Parses the arguments after `bench`; `--quick` sets the short times
    /// and one round unless `--warmup`, `--duration`, `--spawns` or
    /// `--rounds` say otherwise.
    pub(crate) fn parse(args: &[String]) -> Result<Self, Error> {
        let mut options = Options::default();
        let (mut warmup, mut duration, mut spawns, mut rounds) = (None, None, None, None);
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((flag, value)) if flag.starts_with("--") => (flag, Some(value.to_owned())),
                _ => (arg.as_str(), None),
            };
            let mut value = || {
                inline
                    .clone()
                    .or_else(|| args.next().cloned())
                    .ok_or_else(|| format!("{flag} needs a value"))
            };
            match flag {
                "-h" | "--help" => options.help = true,
                "--quick" => options.quick = true,
                "--build-only" => options.build_only = true,
                "--no-build" => options.no_build = true,
                "--only" => {
                    let groups = value()?;
                    (
                        options.stdio,
                        options.http,
                        options.memory,
                        options.instructions,
                    ) = (false, false, false, false);
                    for group in groups.split(',') {
                        match group.trim() {
                            "stdio" => options.stdio = true,
                            "http" => options.http = true,
                            "memory" => options.memory = true,
                            "instructions" => options.instructions = true,
                            other => {
                                return Err(format!(
                                    "--only: unknown group {other:?} \
                                     (stdio, http, memory, instructions)"
                                )
                                .into());
                            }
                        }
                    }
                }
                "--warmup" => warmup = Some(seconds(&value()?)?),
                "--duration" => duration = Some(seconds(&value()?)?),
                "--sessions" => options.sessions = count(&value()?)?,
                "--server" => options.server = Some(value()?),
                "--spawns" => spawns = Some(count(&value()?)?),
                "--rounds" => rounds = Some(count(&value()?)?),
                "--out" => {
                    let path = value()?;
                    options.out = (path != "-").then(|| PathBuf::from(path));
                }
                other => return Err(format!("unknown option {other:?}\n\n{USAGE}").into()),
            }
        }
        if options.quick {
            options.warmup = Duration::from_millis(200);
            options.duration = Duration::from_secs(1);
            options.spawns = 5;
            options.rounds = 1;
        }
        options.warmup = warmup.unwrap_or(options.warmup);
        options.duration = duration.unwrap_or(options.duration);
        options.spawns = spawns.unwrap_or(options.spawns);
        options.rounds = rounds.unwrap_or(options.rounds);
        if options.duration.is_zero() {
            return Err("--duration must be more than 0".into());
        }
        Ok(options)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options, Error> {
        Options::parse(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn defaults() {
        assert_eq!(parse(&[]).unwrap(), Options::default());
    }

    #[test]
    fn quick_and_overrides() {
        let o = parse(&["--quick", "--duration=2.5", "--only", "stdio,memory"]).unwrap();
        assert!(o.quick && o.stdio && o.memory && !o.http && !o.instructions);
        assert_eq!(o.warmup, Duration::from_millis(200));
        assert_eq!(o.duration, Duration::from_millis(2500));
        assert_eq!((o.spawns, o.rounds), (5, 1));
        let o = parse(&["--quick", "--rounds", "2"]).unwrap();
        assert_eq!(o.rounds, 2);
        let o = parse(&["--out", "-", "--sessions", "10", "--build-only"]).unwrap();
        assert_eq!((o.out, o.sessions, o.build_only), (None, 10, true));
    }

    #[test]
    fn instructions_group() {
        assert!(Options::default().instructions);
        let o = parse(&["--only=instructions"]).unwrap();
        assert!(o.instructions && !o.stdio && !o.http && !o.memory);
        let o = parse(&["--only", "stdio,instructions"]).unwrap();
        assert!(o.instructions && o.stdio && !o.http && !o.memory);
    }

    #[test]
    fn errors() {
        assert!(parse(&["--only", "gpu"]).is_err());
        assert!(parse(&["--duration"]).is_err());
        assert!(parse(&["--duration", "0"]).is_err());
        assert!(parse(&["--sessions", "-1"]).is_err());
        assert!(parse(&["--rounds", "0"]).is_err());
        assert!(parse(&["--frobnicate"]).is_err());
    }
}
