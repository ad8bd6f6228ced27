//! What the suite reports: `checks.json` files in the output directory
//! (`-o`), and the summary it prints.
//!
//! `checks.json` is the machine-readable truth: one per scenario run, an array
//! of checks `{id, name, description, status, errorMessage?, ...}`, written to
//! `<out>/<prefix><scenario>-<ISO timestamp with - for : and .>/checks.json`
//! where the prefix is `server-` for server scenarios and empty for client
//! scenarios (whose names may contain `/`, so `auth/x` lands in `<out>/auth/`).
//! A scenario that throws writes no file; the printed summary still lists it
//! as failed, which is why the summary is parsed too.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use super::Leg;
use crate::Error;

/// A check's status, as the suite writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Status {
    Info,
    Skipped,
    Success,
    Warning,
    Failure,
}

impl Status {
    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "INFO" => Status::Info,
            "SKIPPED" => Status::Skipped,
            "SUCCESS" => Status::Success,
            "WARNING" => Status::Warning,
            "FAILURE" => Status::Failure,
            _ => return None,
        })
    }

    /// Whether the check counts against the scenario. This is the suite's own
    /// `--expected-failures` rule: warnings count, INFO and SKIPPED do not.
    pub(super) fn is_failing(self) -> bool {
        matches!(self, Status::Failure | Status::Warning)
    }

    pub(super) fn as_str(self) -> &'static str {
        match self {
            Status::Info => "INFO",
            Status::Skipped => "SKIPPED",
            Status::Success => "SUCCESS",
            Status::Warning => "WARNING",
            Status::Failure => "FAILURE",
        }
    }
}

/// One check of one scenario run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Check {
    pub(super) id: String,
    pub(super) status: Status,
    /// `errorMessage`, or the description when there is none.
    pub(super) message: String,
}

impl Check {
    /// A check made up by the runner, for a scenario the suite reported
    /// without writing its checks.
    pub(super) fn synthetic(id: &str, message: String) -> Self {
        Check {
            id: id.to_owned(),
            status: Status::Failure,
            message,
        }
    }
}

/// Parses one `checks.json`.
pub(super) fn parse_checks(text: &str) -> Result<Vec<Check>, String> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let items = value.as_array().ok_or("not a JSON array")?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let field = |name: &str| item.get(name).and_then(serde_json::Value::as_str);
            let id = field("id").ok_or_else(|| format!("check {i} has no string `id`"))?;
            let status = field("status").ok_or_else(|| format!("check {id} has no `status`"))?;
            let status = Status::parse(status)
                .ok_or_else(|| format!("check {id} has an unknown status {status:?}"))?;
            let message = field("errorMessage")
                .or_else(|| field("description"))
                .unwrap_or_default();
            Ok(Check {
                id: id.to_owned(),
                status,
                message: message.to_owned(),
            })
        })
        .collect()
}

/// The scenario a result directory belongs to, from its path relative to the
/// output directory (`server-tools-list-2026-12-01T19-32-42-353Z`,
/// `auth/metadata-default-2026-12-01T19-33-08-141Z`).
pub(super) fn scenario_of_result_dir(relative: &str, leg: Leg) -> Option<String> {
    let name = strip_timestamp(relative)?;
    let name = match leg {
        Leg::Server => name.strip_prefix("server-")?,
        Leg::Client => name,
    };
    (!name.is_empty()).then(|| name.to_owned())
}

/// Strips `-YYYY-MM-DDTHH-MM-SS-mmmZ`, the suite's directory timestamp.
fn strip_timestamp(name: &str) -> Option<&str> {
    const PATTERN: &[u8] = b"-dddd-dd-ddTdd-dd-dd-dddZ";
    let split = name.len().checked_sub(PATTERN.len())?;
    let (head, tail) = name.split_at_checked(split)?;
    let matches = tail.bytes().zip(PATTERN).all(|(b, &p)| match p {
        b'd' => b.is_ascii_digit(),
        _ => b == p,
    });
    matches.then_some(head)
}

/// Reads every `checks.json` below `dir`, by scenario.
pub(super) fn collect_checks(dir: &Path, leg: Leg) -> Result<BTreeMap<String, Vec<Check>>, Error> {
    let mut found = BTreeMap::new();
    if dir.exists() {
        collect_into(dir, dir, leg, &mut found)?;
    }
    Ok(found)
}

fn collect_into(
    root: &Path,
    dir: &Path,
    leg: Leg,
    found: &mut BTreeMap<String, Vec<Check>>,
) -> Result<(), Error> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_into(root, &path, leg, found)?;
        } else if path.file_name().is_some_and(|n| n == "checks.json") {
            let parent = path.parent().unwrap_or(root);
            let relative = parent.strip_prefix(root).unwrap_or(parent);
            let relative = relative.to_string_lossy().replace('\\', "/");
            let scenario = scenario_of_result_dir(&relative, leg)
                .ok_or_else(|| format!("{}: cannot tell which scenario this is", path.display()))?;
            let text = fs::read_to_string(&path)?;
            let checks = parse_checks(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            if found.insert(scenario.clone(), checks).is_some() {
                return Err(format!("{}: second result for {scenario}", dir.display()).into());
            }
        }
    }
    Ok(())
}

/// One line of the suite's end-of-run summary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct SummaryLine {
    pub(super) scenario: String,
    pub(super) passed: u32,
    pub(super) failed: u32,
    pub(super) warnings: u32,
    /// `- <scenario>: skipped` (not applicable at the requested version).
    pub(super) skipped: bool,
}

/// The suite's summary of a multi-scenario run (`=== SUMMARY ===` for
/// servers, `=== SUITE SUMMARY ===` for clients).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Summary {
    pub(super) lines: Vec<SummaryLine>,
    /// The `Total: ...` line and, under `--requirements`, the
    /// `Not scored for ...` line, verbatim.
    pub(super) totals: Vec<String>,
}

/// Parses the summary out of a run's output (ANSI colours are ignored).
pub(super) fn parse_summary(output: &str) -> Summary {
    let mut summary = Summary::default();
    let mut in_summary = false;
    for raw in output.lines() {
        let line = strip_ansi(raw);
        let line = line.trim_end();
        if line == "=== SUMMARY ===" || line == "=== SUITE SUMMARY ===" {
            in_summary = true;
            summary = Summary::default();
            continue;
        }
        if !in_summary {
            continue;
        }
        if line.starts_with("Total: ") || line.starts_with("Not scored for ") {
            summary.totals.push(line.to_owned());
        } else if let Some(parsed) = parse_summary_line(line) {
            summary.lines.push(parsed);
        }
    }
    summary
}

fn parse_summary_line(line: &str) -> Option<SummaryLine> {
    if let Some(rest) = line.strip_prefix("- ") {
        let scenario = rest.strip_suffix(": skipped")?;
        return Some(SummaryLine {
            scenario: scenario.to_owned(),
            passed: 0,
            failed: 0,
            warnings: 0,
            skipped: true,
        });
    }
    let rest = line
        .strip_prefix("✓ ")
        .or_else(|| line.strip_prefix("✗ "))?;
    let (scenario, counts) = rest.rsplit_once(": ")?;
    let mut line = SummaryLine {
        scenario: scenario.to_owned(),
        passed: 0,
        failed: 0,
        warnings: 0,
        skipped: false,
    };
    let mut seen = 0;
    for part in counts.split(", ") {
        let (number, word) = part.split_once(' ')?;
        let number: u32 = number.parse().ok()?;
        match word {
            "passed" => line.passed = number,
            "failed" => line.failed = number,
            "warnings" => line.warnings = number,
            _ => return None,
        }
        seen += 1;
    }
    (seen >= 2).then_some(line)
}

/// The `Passed: X/Y, F failed, W warnings` line of a single-scenario run.
pub(super) fn parse_single_result(output: &str) -> Option<String> {
    output
        .lines()
        .rev()
        .map(strip_ansi)
        .find(|line| line.starts_with("Passed: "))
        .map(|line| line.trim_end().to_owned())
}

/// Removes ANSI escape sequences (`ESC [ ... final-byte`).
pub(super) fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        if chars.next() == Some('[') {
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) {
                    break;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // Trimmed from a real `checks.json` of 0.2.0-alpha.12 (against the
    // suite's reference server at the 2026-07-28 wire).
    const CHECKS: &str = r#"[
  {
    "id": "tools-call-simple-text",
    "name": "ToolsCallSimpleText",
    "description": "Tool returns simple text content",
    "status": "SUCCESS",
    "timestamp": "2026-12-01T19:32:49.076Z",
    "specReferences": [{"id": "MCP-Tools-Call", "url": "https://example.invalid"}],
    "details": {"result": {"content": [{"type": "text", "text": "x"}]}}
  },
  {
    "id": "wire-schema-valid",
    "name": "WireSchemaValid",
    "description": "Every JSON-RPC message the implementation sent is valid",
    "status": "FAILURE",
    "timestamp": "2026-12-01T19:32:49.076Z",
    "errorMessage": "CallToolResult: must have required property 'resultType'"
  },
  {
    "id": "tasks-status-notifications",
    "name": "TasksStatusNotificationsScenario",
    "description": "Status notifications conformance",
    "status": "SKIPPED",
    "timestamp": "2026-12-01T19:32:56.205Z"
  }
]"#;

    #[test]
    fn parses_checks_json() {
        let checks = parse_checks(CHECKS).unwrap();
        assert_eq!(checks.len(), 3);
        assert_eq!(checks[0].id, "tools-call-simple-text");
        assert_eq!(checks[0].status, Status::Success);
        assert_eq!(checks[0].message, "Tool returns simple text content");
        assert_eq!(checks[1].status, Status::Failure);
        assert!(checks[1].message.contains("resultType"));
        assert_eq!(checks[2].status, Status::Skipped);
        assert!(!checks[2].status.is_failing());
        assert!(Status::Warning.is_failing());
    }

    #[test]
    fn rejects_unknown_status_and_non_arrays() {
        assert!(parse_checks(r#"[{"id":"a","status":"MAYBE"}]"#).is_err());
        assert!(parse_checks(r#"{"id":"a"}"#).is_err());
        assert!(parse_checks(r#"[{"status":"SUCCESS"}]"#).is_err());
    }

    #[test]
    fn names_scenarios_from_result_dirs() {
        let server = "server-tools-call-simple-text-2026-12-01T19-32-49-042Z";
        assert_eq!(
            scenario_of_result_dir(server, Leg::Server).as_deref(),
            Some("tools-call-simple-text")
        );
        assert_eq!(
            scenario_of_result_dir(
                "server-server-initialize-2026-12-01T19-32-40-001Z",
                Leg::Server
            )
            .as_deref(),
            Some("server-initialize")
        );
        assert_eq!(
            scenario_of_result_dir(
                "auth/metadata-default-2026-12-01T19-33-08-141Z",
                Leg::Client
            )
            .as_deref(),
            Some("auth/metadata-default")
        );
        assert_eq!(
            scenario_of_result_dir("tools_call-2026-12-01T19-33-08-137Z", Leg::Client).as_deref(),
            Some("tools_call")
        );
        assert_eq!(scenario_of_result_dir("tools_call", Leg::Client), None);
        assert_eq!(
            scenario_of_result_dir("tools-list-2026-12-01T19-32-49-042Z", Leg::Server),
            None
        );
        assert_eq!(
            scenario_of_result_dir("x-2026-12-01T19-32-49-04Z", Leg::Client),
            None
        );
    }

    #[test]
    fn collects_checks_from_an_output_dir() {
        let dir = std::env::temp_dir().join(format!("xtask-conformance-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let a = dir.join("auth/metadata-default-2026-12-01T19-33-08-141Z");
        let b = dir.join("initialize-2026-12-01T19-33-08-137Z");
        let skipped = dir.join("sse-retry-2026-12-01T19-33-08-140Z");
        for d in [&a, &b, &skipped] {
            fs::create_dir_all(d).unwrap();
        }
        fs::write(a.join("checks.json"), CHECKS).unwrap();
        fs::write(b.join("checks.json"), "[]").unwrap();
        fs::write(b.join("stdout.txt"), "client output").unwrap();
        let found = collect_checks(&dir, Leg::Client).unwrap();
        fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            found.keys().collect::<Vec<_>>(),
            ["auth/metadata-default", "initialize"]
        );
        assert_eq!(found["auth/metadata-default"].len(), 3);
    }

    // Real output of `server --requirements 2026-07-28` (0.2.0-alpha.12),
    // shortened; the scenario lines carry no colour, check lines do.
    const SERVER_OUTPUT: &str = "\
=== Running scenario: tasks-lifecycle ===
Running client scenario 'tasks-lifecycle' against server: http://127.0.0.1:3111/mcp
Results saved to /tmp/out/server-tasks-lifecycle-2026-12-01T19-32-55-338Z


=== SUMMARY ===
✓ server-stateless: 30 passed, 0 failed
✗ tools-call-simple-text: 1 passed, 1 failed
✓ tasks-status-notifications: 0 passed, 0 failed
✗ tasks-lifecycle: 1 passed, 8 failed

Total: 130 passed, 54 failed

Not scored for 2026-07-28: 13 scenario(s) run, 11 failing. These do not affect conformance.
  ✗ tasks-lifecycle (extension)
  ✓ tasks-status-notifications (extension)
";

    // Real output of `client --suite all` (0.2.0-alpha.12), shortened.
    const CLIENT_OUTPUT: &str = "\
Running all suite (48 scenarios) in parallel...


=== SUITE SUMMARY ===

✓ initialize: 1 passed, 0 failed
✗ request-metadata: 4 passed, 0 failed, 1 warnings
✗ auth/metadata-default: 0 passed, 7 failed
- sse-retry: skipped

Total: 20 passed, 96 failed, 1 warnings, 1 skipped
";

    #[test]
    fn parses_the_server_summary() {
        let summary = parse_summary(SERVER_OUTPUT);
        let names: Vec<_> = summary.lines.iter().map(|l| l.scenario.as_str()).collect();
        assert_eq!(
            names,
            [
                "server-stateless",
                "tools-call-simple-text",
                "tasks-status-notifications",
                "tasks-lifecycle"
            ]
        );
        assert_eq!(summary.lines[3].passed, 1);
        assert_eq!(summary.lines[3].failed, 8);
        assert_eq!(
            summary.totals,
            [
                "Total: 130 passed, 54 failed",
                "Not scored for 2026-07-28: 13 scenario(s) run, 11 failing. These do not affect conformance."
            ]
        );
    }

    #[test]
    fn parses_the_client_summary() {
        let summary = parse_summary(CLIENT_OUTPUT);
        assert_eq!(summary.lines.len(), 4);
        assert_eq!(summary.lines[1].scenario, "request-metadata");
        assert_eq!(summary.lines[1].warnings, 1);
        assert_eq!(summary.lines[2].scenario, "auth/metadata-default");
        assert!(summary.lines[3].skipped);
        assert_eq!(
            summary.totals,
            ["Total: 20 passed, 96 failed, 1 warnings, 1 skipped"]
        );
        assert_eq!(parse_summary("no summary here"), Summary::default());
    }

    #[test]
    fn parses_a_single_scenario_result_and_strips_colours() {
        let output = "Checks:\n\u{1b}[90m2026-12-01T19:32:49.076Z\u{1b}[0m [tools-list] \
                      \u{1b}[32mSUCCESS\u{1b}[0m ok\n\nTest Results:\nPassed: 3/4, 1 failed, 0 warnings\n";
        assert_eq!(
            parse_single_result(output).as_deref(),
            Some("Passed: 3/4, 1 failed, 0 warnings")
        );
        assert_eq!(
            strip_ansi("\u{1b}[31mred\u{1b}[0m plain"),
            "red plain".to_owned()
        );
    }
}
