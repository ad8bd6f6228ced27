//! `conformance/expected-failures.yml`: the scenarios each set is expected
//! to fail, and the comparison of a run against them.
//!
//! The file is a small, fixed subset of YAML, read without a YAML library:
//!
//! ```yaml
//! server:                          # leg: `server` or `client`
//!   requirements-2026-07-28:       # set (see `SetName`)
//!     # Feature heading comments are free-form.
//!     tasks-lifecycle: tasks extension not implemented yet
//!     caching:sep-2549-ttl-non-negative: one check of a scenario
//!   suite-all: {}                  # an empty set (or nothing after the colon)
//! ```
//!
//! An entry is `<scenario>: <reason>` (the whole scenario may fail) or
//! `<scenario>:<check-id>: <reason>` (only that check may fail), the grammar
//! of the suite's own `--expected-failures` lists. The reason is required.
//! Comments start with `#` at the start of a line or after a space.

use std::collections::{BTreeMap, BTreeSet};

use super::results::{Check, Status};
use super::{Leg, SetName};

/// One expected failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Entry {
    pub(super) scenario: String,
    /// When set, only this check may fail; the scenario's others must pass.
    pub(super) check: Option<String>,
    pub(super) reason: String,
    /// 1-based line in the file, for messages.
    pub(super) line: usize,
}

impl Entry {
    /// The entry as written in the file (without the reason).
    pub(super) fn key(&self) -> String {
        match &self.check {
            Some(check) => format!("{}:{check}", self.scenario),
            None => self.scenario.clone(),
        }
    }
}

/// The whole baseline file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Baseline {
    sets: BTreeMap<(Leg, SetName), Vec<Entry>>,
}

impl Baseline {
    /// Parses the file; errors name the line.
    pub(super) fn parse(text: &str) -> Result<Self, String> {
        let mut baseline = Baseline::default();
        let mut leg: Option<Leg> = None;
        let mut set: Option<SetName> = None;
        for (index, raw) in text.lines().enumerate() {
            let number = index + 1;
            let fail = |why: String| Err(format!("line {number}: {why}"));
            if raw.contains('\t') {
                return fail("tabs are not allowed; indent with spaces".into());
            }
            let line = strip_comment(raw).trim_end();
            if line.trim().is_empty() {
                continue;
            }
            let indent = line.len() - line.trim_start().len();
            let line = line.trim_start();
            match indent {
                0 => {
                    let Some(name) = line.strip_suffix(':') else {
                        return fail(format!("expected `server:` or `client:`, found `{line}`"));
                    };
                    let parsed = Leg::parse(name).ok_or_else(|| {
                        format!("line {number}: unknown leg `{name}` (server, client)")
                    })?;
                    leg = Some(parsed);
                    set = None;
                }
                2 => {
                    let Some(current) = leg else {
                        return fail("a set must be inside `server:` or `client:`".into());
                    };
                    let (name, rest) = line.split_once(':').unwrap_or((line, "?"));
                    if !matches!(rest.trim(), "" | "{}") {
                        return fail(format!("expected `<set>:` on its own line, found `{line}`"));
                    }
                    let parsed = SetName::parse(name).ok_or_else(|| {
                        format!(
                            "line {number}: unknown set `{name}` (one of: {})",
                            SetName::ALL.map(SetName::as_str).join(", ")
                        )
                    })?;
                    if baseline.sets.contains_key(&(current, parsed)) {
                        return fail(format!(
                            "`{name}` appears twice under `{}`",
                            current.as_str()
                        ));
                    }
                    baseline.sets.insert((current, parsed), Vec::new());
                    set = Some(parsed);
                }
                4 => {
                    let (Some(current_leg), Some(current_set)) = (leg, set) else {
                        return fail("an entry must be inside a set".into());
                    };
                    let Some((key, reason)) = line.split_once(": ") else {
                        return fail(format!(
                            "expected `<scenario>: <reason>`, found `{line}` (every entry needs a one-line reason)"
                        ));
                    };
                    let reason = unquote(reason.trim());
                    if reason.is_empty() {
                        return fail(format!("`{key}` needs a reason"));
                    }
                    if reason.contains(": ") {
                        return fail(format!(
                            "the reason of `{key}` contains `: `, which YAML reads as a mapping; rephrase it"
                        ));
                    }
                    let (scenario, check) = match key.split_once(':') {
                        Some((scenario, check)) => (scenario, Some(check.to_owned())),
                        None => (key, None),
                    };
                    if scenario.is_empty() || check.as_deref() == Some("") || key.contains(' ') {
                        return fail(format!(
                            "`{key}` is not `<scenario>` or `<scenario>:<check-id>`"
                        ));
                    }
                    let entries = baseline
                        .sets
                        .get_mut(&(current_leg, current_set))
                        .expect("the set was inserted when its line was read");
                    let entry = Entry {
                        scenario: scenario.to_owned(),
                        check,
                        reason: reason.to_owned(),
                        line: number,
                    };
                    if let Some(other) = entries.iter().find(|e| conflicts(e, &entry)) {
                        return fail(format!(
                            "`{}` conflicts with `{}` on line {}: list a scenario once, either whole or per check",
                            entry.key(),
                            other.key(),
                            other.line
                        ));
                    }
                    entries.push(entry);
                }
                _ => {
                    return fail(format!(
                        "unexpected indentation of {indent} spaces (use 0, 2 or 4)"
                    ));
                }
            }
        }
        Ok(baseline)
    }

    /// The entries of one set (empty when the set is not in the file).
    pub(super) fn entries(&self, leg: Leg, set: SetName) -> &[Entry] {
        self.sets.get(&(leg, set)).map_or(&[], Vec::as_slice)
    }

    /// Every (leg, set, entry), for validation against the suite's lists.
    pub(super) fn all(&self) -> impl Iterator<Item = (Leg, SetName, &Entry)> {
        self.sets
            .iter()
            .flat_map(|(&(leg, set), entries)| entries.iter().map(move |e| (leg, set, e)))
    }
}

/// Two entries conflict when they are the same, or one is the whole scenario
/// and the other one of its checks.
fn conflicts(a: &Entry, b: &Entry) -> bool {
    a.scenario == b.scenario && (a.check.is_none() || b.check.is_none() || a.check == b.check)
}

fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'#' && (i == 0 || bytes[i - 1] == b' ') {
            return &line[..i];
        }
    }
    line
}

fn unquote(value: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = value
            .strip_prefix(quote)
            .and_then(|v| v.strip_suffix(quote))
        {
            return inner;
        }
    }
    value
}

/// A scenario (or one of its checks) that fails without a baseline entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Regression {
    /// `<scenario>` or `<scenario>:<check-id>`.
    pub(super) key: String,
    /// The failing checks behind it, `id STATUS: message`.
    pub(super) details: Vec<String>,
}

/// How one set's results compare to its baseline.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Verdict {
    /// Scenarios with a result and no failing check.
    pub(super) passing: Vec<String>,
    /// Entries that failed as the baseline says.
    pub(super) expected: Vec<String>,
    /// Failures the baseline does not list.
    pub(super) regressions: Vec<Regression>,
    /// Entries whose scenario or check passes now.
    pub(super) stale: Vec<String>,
    /// Scenarios of the set that produced no result at all.
    pub(super) missing: Vec<String>,
}

impl Verdict {
    /// Whether the set is as the baseline says.
    pub(super) fn is_clean(&self) -> bool {
        self.regressions.is_empty() && self.stale.is_empty() && self.missing.is_empty()
    }
}

/// Compares results to baseline entries, with the rules of the suite's own
/// `--expected-failures` (see `src/expected-failures.ts` in the suite).
///
/// * A check fails when its status is FAILURE or WARNING.
/// * Whole-scenario entry: a failing scenario is expected; a passing one makes
///   the entry stale.
/// * Per-check entries: each failing check is expected if listed, else a
///   regression; a listed check that passes (SUCCESS) is stale; a listed check
///   that is absent or SKIPPED says nothing.
/// * No entry: any failing check makes the scenario a regression.
///
/// `scenarios` are the ones the set runs (in the suite's order); any of them
/// without a result is `missing`. Results of scenarios outside that list are
/// judged too.
pub(super) fn evaluate(
    scenarios: &[String],
    results: &BTreeMap<String, Vec<Check>>,
    entries: &[Entry],
) -> Verdict {
    let mut verdict = Verdict::default();
    let mut order: Vec<&String> = scenarios.iter().collect();
    let listed: BTreeSet<&String> = scenarios.iter().collect();
    order.extend(results.keys().filter(|s| !listed.contains(s)));

    for scenario in order {
        let Some(checks) = results.get(scenario) else {
            verdict.missing.push(scenario.clone());
            continue;
        };
        let collapsed = collapse(checks);
        let failing: Vec<&Check> = collapsed.iter().filter(|c| c.status.is_failing()).collect();
        let mine: Vec<&Entry> = entries.iter().filter(|e| &e.scenario == scenario).collect();

        if mine.iter().any(|e| e.check.is_none()) {
            if failing.is_empty() {
                verdict.stale.push(scenario.clone());
            } else {
                verdict.expected.push(scenario.clone());
            }
            continue;
        }
        if mine.is_empty() {
            if failing.is_empty() {
                verdict.passing.push(scenario.clone());
            } else {
                verdict.regressions.push(Regression {
                    key: scenario.clone(),
                    details: failing.iter().map(|c| describe(c)).collect(),
                });
            }
            continue;
        }
        for check in &failing {
            let key = format!("{scenario}:{}", check.id);
            if mine
                .iter()
                .any(|e| e.check.as_deref() == Some(check.id.as_str()))
            {
                verdict.expected.push(key);
            } else {
                verdict.regressions.push(Regression {
                    key,
                    details: vec![describe(check)],
                });
            }
        }
        for entry in &mine {
            let id = entry.check.as_deref().unwrap_or_default();
            if collapsed
                .iter()
                .any(|c| c.id == id && c.status == Status::Success)
            {
                verdict.stale.push(entry.key());
            }
        }
        if failing.is_empty() {
            verdict.passing.push(scenario.clone());
        }
    }
    verdict
}

/// One check per id, the most severe occurrence winning (ids repeat within a
/// run). INFO checks carry no verdict and are dropped.
fn collapse(checks: &[Check]) -> Vec<Check> {
    let mut by_id: BTreeMap<&str, &Check> = BTreeMap::new();
    for check in checks.iter().filter(|c| c.status != Status::Info) {
        let slot = by_id.entry(&check.id).or_insert(check);
        if check.status >= slot.status {
            *slot = check;
        }
    }
    // Keep the suite's order of first appearance.
    let mut seen = BTreeSet::new();
    checks
        .iter()
        .filter(|c| c.status != Status::Info && seen.insert(c.id.as_str()))
        .map(|c| by_id[c.id.as_str()].clone())
        .collect()
}

fn describe(check: &Check) -> String {
    const MAX: usize = 300;
    let message = check.message.replace('\n', " ");
    let message = match message.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &message[..cut]),
        None => message,
    };
    format!("{} {}: {message}", check.id, check.status.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "\
# Expected failures.

server:
  requirements-2025-11-25:
  requirements-2026-07-28: {}
  suite-all:
    # Tasks extension: later.
    tasks-lifecycle: tasks extension not implemented yet # trailing comment
    caching:sep-2549-ttl-non-negative: \"quoted reason\"
client:
  extensions:
    auth/dpop: authorization comes later
";

    fn check(id: &str, status: Status) -> Check {
        Check {
            id: id.into(),
            status,
            message: format!("{id} message"),
        }
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_the_format() {
        let baseline = Baseline::parse(FILE).unwrap();
        assert!(
            baseline
                .entries(Leg::Server, SetName::Requirements20251125)
                .is_empty()
        );
        assert!(baseline.entries(Leg::Client, SetName::SuiteAll).is_empty());
        let all = baseline.entries(Leg::Server, SetName::SuiteAll);
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].scenario, "tasks-lifecycle");
        assert_eq!(all[0].check, None);
        assert_eq!(all[0].reason, "tasks extension not implemented yet");
        assert_eq!(all[0].line, 8);
        assert_eq!(all[1].key(), "caching:sep-2549-ttl-non-negative");
        assert_eq!(all[1].reason, "quoted reason");
        let client = baseline.entries(Leg::Client, SetName::Extensions);
        assert_eq!(client[0].scenario, "auth/dpop");
        assert_eq!(baseline.all().count(), 3);
        assert_eq!(
            Baseline::parse("# nothing\n\n").unwrap(),
            Baseline::default()
        );
    }

    #[test]
    fn rejects_mistakes_with_the_line_number() {
        let cases = [
            ("servers:\n", "line 1: unknown leg"),
            ("server:\n  all:\n", "line 2: unknown set `all`"),
            (
                "server:\n  suite-all:\n    tasks-lifecycle:\n",
                "line 3: expected `<scenario>: <reason>`",
            ),
            (
                "server:\n  suite-all:\n    tasks-lifecycle: \"\"\n",
                "needs a reason",
            ),
            (
                "server:\n  suite-all:\n  - tasks-lifecycle\n",
                "line 3: expected `<set>:`",
            ),
            (
                "server:\n    x: y\n",
                "line 2: an entry must be inside a set",
            ),
            ("server:\n   suite-all:\n", "unexpected indentation of 3"),
            ("server:\n\tsuite-all:\n", "tabs"),
            ("  suite-all:\n", "inside `server:` or `client:`"),
            ("server:\n  suite-all:\n  suite-all:\n", "appears twice"),
            (
                "server:\n  suite-all:\n    a: r\n    a:c: r\n",
                "line 4: `a:c` conflicts with `a` on line 3",
            ),
            (
                "server:\n  suite-all:\n    a:c: r\n    a:c: r\n",
                "conflicts",
            ),
            ("server:\n  suite-all:\n    a:: r\n", "is not `<scenario>`"),
            ("server:\n  suite-all:\n    a: why: this\n", "contains `: `"),
        ];
        for (text, expected) in cases {
            let err = Baseline::parse(text).unwrap_err();
            assert!(err.contains(expected), "{text:?}: {err}");
        }
        // Different checks of one scenario are fine.
        Baseline::parse("server:\n  suite-all:\n    a:c1: r\n    a:c2: r\n").unwrap();
    }

    fn entries(text: &str) -> Vec<Entry> {
        Baseline::parse(&format!("server:\n  suite-all:\n{text}"))
            .unwrap()
            .entries(Leg::Server, SetName::SuiteAll)
            .to_vec()
    }

    #[test]
    fn whole_scenario_entries() {
        let results = BTreeMap::from([
            (
                "fails".to_string(),
                vec![check("a", Status::Success), check("b", Status::Failure)],
            ),
            ("warns".to_string(), vec![check("a", Status::Warning)]),
            (
                "passes".to_string(),
                vec![check("a", Status::Success), check("i", Status::Info)],
            ),
            (
                "listed-passes".to_string(),
                vec![check("a", Status::Skipped)],
            ),
            (
                "listed-fails".to_string(),
                vec![check("a", Status::Failure)],
            ),
        ]);
        let baseline = entries("    listed-passes: r\n    listed-fails: r\n    not-run: r\n");
        let scenarios = names(&[
            "fails",
            "warns",
            "passes",
            "listed-passes",
            "listed-fails",
            "not-run",
        ]);
        let verdict = evaluate(&scenarios, &results, &baseline);
        assert_eq!(verdict.passing, ["passes"]);
        assert_eq!(verdict.expected, ["listed-fails"]);
        assert_eq!(verdict.stale, ["listed-passes"]);
        assert_eq!(verdict.missing, ["not-run"]);
        let keys: Vec<_> = verdict.regressions.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(keys, ["fails", "warns"]);
        assert_eq!(verdict.regressions[0].details, ["b FAILURE: b message"]);
        assert!(!verdict.is_clean());
    }

    #[test]
    fn per_check_entries() {
        let results = BTreeMap::from([(
            "s".to_string(),
            vec![
                check("expected", Status::Failure),
                check("other", Status::Warning),
                check("fixed", Status::Success),
                check("skipped", Status::Skipped),
                // A repeated id: the most severe occurrence counts.
                check("repeated", Status::Success),
                check("repeated", Status::Failure),
            ],
        )]);
        let baseline = entries(
            "    s:expected: r\n    s:fixed: r\n    s:skipped: r\n    s:absent: r\n    s:repeated: r\n",
        );
        let verdict = evaluate(&names(&["s"]), &results, &baseline);
        assert_eq!(verdict.expected, ["s:expected", "s:repeated"]);
        assert_eq!(verdict.stale, ["s:fixed"]);
        let keys: Vec<_> = verdict.regressions.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(keys, ["s:other"]);
        assert!(verdict.passing.is_empty());
    }

    #[test]
    fn clean_when_everything_matches() {
        let results = BTreeMap::from([
            ("ok".to_string(), vec![check("a", Status::Success)]),
            ("known".to_string(), vec![check("a", Status::Failure)]),
            ("extra".to_string(), vec![check("a", Status::Success)]),
        ]);
        let verdict = evaluate(
            &names(&["ok", "known"]),
            &results,
            &entries("    known: r\n"),
        );
        assert!(verdict.is_clean(), "{verdict:?}");
        assert_eq!(verdict.passing, ["ok", "extra"]);
        // Entries for other scenarios are not stale when those did not run
        // (a `--scenario` run).
        let only_ok = BTreeMap::from([("ok".to_string(), vec![check("a", Status::Success)])]);
        let verdict = evaluate(&names(&["ok"]), &only_ok, &entries("    known: r\n"));
        assert!(verdict.is_clean(), "{verdict:?}");
    }

    #[test]
    fn long_messages_are_cut() {
        let long = Check {
            id: "x".into(),
            status: Status::Failure,
            message: "é\n".repeat(400),
        };
        let text = describe(&long);
        assert!(text.starts_with("x FAILURE: é é"));
        assert!(text.ends_with('…'));
        assert!(text.chars().count() < 330);
    }
}
