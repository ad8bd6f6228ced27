//! The results as Markdown tables (printed as they are to the terminal), with
//! ratios to rmcp's best variant and to the floor.

use std::time::Duration;

use super::instructions::Instructions;
use super::servers::Role;
use super::stats::{Measurement, Sessions, Startup};

/// How one server fared in one scenario.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Outcome<T> {
    /// Measured.
    Done(T),
    /// The binary does not exist (our `bench-server` before it is written).
    NotBuilt,
    /// The run failed; the message says why.
    Failed(String),
}

/// One server's line in a table.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Row<T> {
    /// Server name.
    pub(crate) label: &'static str,
    /// Whose server.
    pub(crate) role: Role,
    /// What happened.
    pub(crate) outcome: Outcome<T>,
}

/// One scenario: a titled table.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Section<T> {
    /// Scenario name.
    pub(crate) title: String,
    /// One per server.
    pub(crate) rows: Vec<Row<T>>,
}

/// Everything measured in one `cargo xtask bench`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Results {
    /// Round-trip scenarios, stdio and HTTP.
    pub(crate) throughput: Vec<Section<Measurement>>,
    /// Spawn to first initialize response.
    pub(crate) startup: Vec<Section<Startup>>,
    /// Idle RSS (KiB) of initialized stdio servers.
    pub(crate) idle: Vec<Section<u64>>,
    /// Stateful session memory.
    pub(crate) sessions: Vec<Section<Sessions>>,
    /// CPU instructions per stdio call (callgrind).
    pub(crate) instructions: Vec<Section<Instructions>>,
}

impl Results {
    /// How many throughput runs had more than `percent` % of a core of
    /// other load on the machine.
    pub(crate) fn noisy_runs(&self, percent: f64) -> usize {
        self.throughput
            .iter()
            .flat_map(|s| &s.rows)
            .filter(|r| matches!(&r.outcome, Outcome::Done(m) if m.other_load_percent() > percent))
            .count()
    }

    /// How many runs failed.
    pub(crate) fn failures(&self) -> usize {
        fn count<T>(sections: &[Section<T>]) -> usize {
            sections
                .iter()
                .flat_map(|s| &s.rows)
                .filter(|r| matches!(r.outcome, Outcome::Failed(_)))
                .count()
        }
        count(&self.throughput)
            + count(&self.startup)
            + count(&self.idle)
            + count(&self.sessions)
            + count(&self.instructions)
    }
}

/// Pads a Markdown table so it also reads well as plain text. The first
/// column is left-aligned, the others right-aligned (numbers).
pub(crate) fn markdown_table(header: &[&str], rows: &[Vec<String>]) -> String {
    aligned_table(header, rows, true)
}

/// Like [`markdown_table`] with every column left-aligned (text).
pub(crate) fn text_table(header: &[&str], rows: &[Vec<String>]) -> String {
    aligned_table(header, rows, false)
}

fn aligned_table(header: &[&str], rows: &[Vec<String>], numeric: bool) -> String {
    let width = |column: usize| {
        rows.iter()
            .filter_map(|row| row.get(column))
            .map(|cell| cell.chars().count())
            .chain([header[column].chars().count(), 3])
            .max()
            .unwrap_or(3)
    };
    let widths: Vec<usize> = (0..header.len()).map(width).collect();
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (cell, &w))| {
                if i == 0 || !numeric {
                    format!("{cell:<w$}")
                } else {
                    format!("{cell:>w$}")
                }
            })
            .collect();
        format!("| {} |\n", padded.join(" | "))
    };
    let mut out = line(header.to_vec());
    let rule: Vec<String> = widths
        .iter()
        .enumerate()
        .map(|(i, &w)| {
            if i == 0 || !numeric {
                "-".repeat(w)
            } else {
                format!("{}:", "-".repeat(w - 1))
            }
        })
        .collect();
    out.push_str(&format!("| {} |\n", rule.join(" | ")));
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

/// An integer with thousands separators: `45,123`.
pub(crate) fn thousands(value: f64) -> String {
    let digits = format!("{:.0}", value.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `value / base` as `0.45×`; a dash without a base.
pub(crate) fn ratio(value: f64, base: Option<f64>) -> String {
    match base {
        Some(base) if base > 0.0 => format!("{:.2}×", value / base),
        _ => "—".to_owned(),
    }
}

fn micros(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e6)
}

fn millis(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1e3)
}

fn mib(kib: u64) -> String {
    format!("{:.1}", kib as f64 / 1024.0)
}

/// The best figure among the rows of `role`: the highest when `higher` is
/// better, else the lowest.
fn best<T>(rows: &[Row<T>], role: Role, key: impl Fn(&T) -> f64, higher: bool) -> Option<f64> {
    rows.iter()
        .filter(|row| row.role == role)
        .filter_map(|row| match &row.outcome {
            Outcome::Done(value) => Some(key(value)),
            _ => None,
        })
        .reduce(|a, b| if (a > b) == higher { a } else { b })
}

/// The cells of a row that has no figures, `columns` wide.
fn missing<T>(row: &Row<T>, columns: usize) -> Option<Vec<String>> {
    let why = match &row.outcome {
        Outcome::Done(_) => return None,
        Outcome::NotBuilt => "not built".to_owned(),
        Outcome::Failed(e) => {
            let first = e.lines().next().unwrap_or_default();
            let short: String = first.chars().take(70).collect();
            format!("failed: {short}")
        }
    };
    let mut cells = vec![row.label.to_owned(), why];
    cells.resize(columns, "—".to_owned());
    Some(cells)
}

/// Every round's req/s, in thousands: `11.6k 14.6k 14.7k`; a dash for a lone
/// run.
fn rounds(rps: &[f64]) -> String {
    if rps.len() < 2 {
        return "—".to_owned();
    }
    let each: Vec<String> = rps.iter().map(|r| format!("{:.1}k", r / 1e3)).collect();
    each.join(" ")
}

fn throughput_table(section: &Section<Measurement>) -> String {
    let header = [
        "server",
        "req/s",
        "× rmcp",
        "× floor",
        "p50 µs",
        "p99 µs",
        "server CPU µs/req",
        "client CPU µs/req",
        "server peak RSS MiB",
        "other load %",
        "req/s of the rounds",
    ];
    let rps = |m: &Measurement| m.rps();
    let rmcp = best(&section.rows, Role::Rmcp, rps, true);
    let floor = best(&section.rows, Role::Floor, rps, true);
    let rows: Vec<Vec<String>> = section
        .rows
        .iter()
        .map(|row| match &row.outcome {
            Outcome::Done(m) => vec![
                row.label.to_owned(),
                thousands(m.rps()),
                ratio(m.rps(), rmcp),
                ratio(m.rps(), floor),
                micros(m.p50),
                micros(m.p99),
                format!("{:.1}", m.server_us_per_request()),
                format!("{:.1}", m.client_us_per_request()),
                mib(m.peak_rss_kib),
                format!("{:.0}", m.other_load_percent()),
                rounds(&m.rounds),
            ],
            _ => missing(row, header.len()).unwrap_or_default(),
        })
        .collect();
    markdown_table(&header, &rows)
}

fn startup_table(section: &Section<Startup>) -> String {
    let header = [
        "server",
        "median ms",
        "× rmcp",
        "× floor",
        "min ms",
        "max ms",
        "spawns",
    ];
    let median = |s: &Startup| s.median.as_secs_f64();
    let rmcp = best(&section.rows, Role::Rmcp, median, false);
    let floor = best(&section.rows, Role::Floor, median, false);
    let rows: Vec<Vec<String>> = section
        .rows
        .iter()
        .map(|row| match &row.outcome {
            Outcome::Done(s) => vec![
                row.label.to_owned(),
                millis(s.median),
                ratio(median(s), rmcp),
                ratio(median(s), floor),
                millis(s.min),
                millis(s.max),
                s.spawns.to_string(),
            ],
            _ => missing(row, header.len()).unwrap_or_default(),
        })
        .collect();
    markdown_table(&header, &rows)
}

fn idle_table(section: &Section<u64>) -> String {
    let header = ["server", "RSS MiB", "× rmcp", "× floor"];
    let kib = |k: &u64| *k as f64;
    let rmcp = best(&section.rows, Role::Rmcp, kib, false);
    let floor = best(&section.rows, Role::Floor, kib, false);
    let rows: Vec<Vec<String>> = section
        .rows
        .iter()
        .map(|row| match &row.outcome {
            Outcome::Done(k) => vec![
                row.label.to_owned(),
                mib(*k),
                ratio(kib(k), rmcp),
                ratio(kib(k), floor),
            ],
            _ => missing(row, header.len()).unwrap_or_default(),
        })
        .collect();
    markdown_table(&header, &rows)
}

fn sessions_table(section: &Section<Sessions>) -> String {
    let header = [
        "server",
        "idle RSS MiB",
        "baseline MiB",
        "loaded MiB",
        "KiB/session",
        "× rmcp",
        "sessions/s",
    ];
    let per = |s: &Sessions| s.bytes_per_session();
    let rmcp = best(&section.rows, Role::Rmcp, per, false);
    let rows: Vec<Vec<String>> = section
        .rows
        .iter()
        .map(|row| match &row.outcome {
            Outcome::Done(s) => vec![
                row.label.to_owned(),
                mib(s.idle_rss_kib),
                mib(s.baseline_rss_kib),
                mib(s.loaded_rss_kib),
                format!("{:.1}", s.bytes_per_session() / 1024.0),
                ratio(per(s), rmcp),
                thousands(s.per_second()),
            ],
            _ => missing(row, header.len()).unwrap_or_default(),
        })
        .collect();
    markdown_table(&header, &rows)
}

fn instructions_table(section: &Section<Instructions>) -> String {
    let header = [
        "server",
        "instructions/request",
        "× rmcp",
        "× floor",
        "responses checked",
    ];
    let per = |i: &Instructions| i.per_request;
    let rmcp = best(&section.rows, Role::Rmcp, per, false);
    let floor = best(&section.rows, Role::Floor, per, false);
    let rows: Vec<Vec<String>> = section
        .rows
        .iter()
        .map(|row| match &row.outcome {
            Outcome::Done(i) => vec![
                row.label.to_owned(),
                thousands(i.per_request),
                ratio(i.per_request, rmcp),
                ratio(i.per_request, floor),
                thousands(i.responses as f64),
            ],
            _ => missing(row, header.len()).unwrap_or_default(),
        })
        .collect();
    markdown_table(&header, &rows)
}

/// One summary line: the best figure of ours, rmcp and the floor in a
/// section, and the ratios between them.
fn summary_row<T>(
    title: &str,
    unit: &str,
    rows: &[Row<T>],
    key: impl Fn(&T) -> f64 + Copy,
    higher: bool,
    show: impl Fn(f64) -> String,
) -> Vec<String> {
    let ours = best(rows, Role::Ours, key, higher);
    let rmcp = best(rows, Role::Rmcp, key, higher);
    let floor = best(rows, Role::Floor, key, higher);
    let cell = |v: Option<f64>| v.map_or_else(|| "—".to_owned(), &show);
    let ours_cell = match ours {
        Some(v) => show(v),
        None if rows
            .iter()
            .any(|r| r.role == Role::Ours && matches!(r.outcome, Outcome::NotBuilt)) =>
        {
            "not built".to_owned()
        }
        None => "—".to_owned(),
    };
    vec![
        format!("{title} ({unit})"),
        ours_cell,
        cell(rmcp),
        cell(floor),
        ours.map_or_else(|| "—".to_owned(), |v| ratio(v, rmcp)),
        ours.map_or_else(|| "—".to_owned(), |v| ratio(v, floor)),
        rmcp.map_or_else(|| "—".to_owned(), |v| ratio(v, floor)),
    ]
}

/// Like [`summary_row`], for figures where the floor does not do the same
/// work (it keeps no session state): no ratios to it.
fn summary_row_no_floor_ratio<T>(
    title: &str,
    unit: &str,
    rows: &[Row<T>],
    key: impl Fn(&T) -> f64 + Copy,
    show: impl Fn(f64) -> String,
) -> Vec<String> {
    let mut row = summary_row(title, unit, rows, key, false, show);
    row[5] = "—".to_owned();
    row[6] = "—".to_owned();
    row
}

/// The headline figures of every section in one table: ours, rmcp's best
/// variant, the floor, and the ratios.
pub(crate) fn summary_table(results: &Results) -> String {
    let header = [
        "scenario",
        "ours",
        "rmcp",
        "floor",
        "ours × rmcp",
        "ours × floor",
        "rmcp × floor",
    ];
    let mut rows = Vec::new();
    for s in &results.throughput {
        rows.push(summary_row(
            &s.title,
            "req/s",
            &s.rows,
            Measurement::rps,
            true,
            thousands,
        ));
    }
    for s in &results.startup {
        let ms = |v: &Startup| v.median.as_secs_f64() * 1e3;
        rows.push(summary_row(&s.title, "ms", &s.rows, ms, false, |v| {
            format!("{v:.2}")
        }));
    }
    for s in &results.idle {
        let mib = |v: &u64| *v as f64 / 1024.0;
        rows.push(summary_row(&s.title, "MiB", &s.rows, mib, false, |v| {
            format!("{v:.1}")
        }));
    }
    for s in &results.sessions {
        let kib = |v: &Sessions| v.bytes_per_session() / 1024.0;
        rows.push(summary_row_no_floor_ratio(
            &s.title,
            "KiB/session",
            &s.rows,
            kib,
            |v| format!("{v:.1}"),
        ));
    }
    for s in &results.instructions {
        let per = |v: &Instructions| v.per_request;
        rows.push(summary_row(
            &s.title,
            "instructions/request",
            &s.rows,
            per,
            false,
            thousands,
        ));
    }
    markdown_table(&header, &rows)
}

/// All result tables, each under a `###` heading, after the summary.
pub(crate) fn results_markdown(results: &Results) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "### Summary (best variant of each; req/s higher is better, the rest lower)\n\n{}\n",
        summary_table(results)
    ));
    let mut add = |title: &str, table: String| {
        out.push_str(&format!("### {title}\n\n{table}\n"));
    };
    for s in &results.throughput {
        add(&s.title, throughput_table(s));
    }
    for s in &results.startup {
        add(&s.title, startup_table(s));
    }
    for s in &results.idle {
        add(&s.title, idle_table(s));
    }
    for s in &results.sessions {
        add(&s.title, sessions_table(s));
    }
    for s in &results.instructions {
        add(&s.title, instructions_table(s));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measurement(rps: u64) -> Measurement {
        Measurement {
            requests: rps,
            elapsed: Duration::from_secs(1),
            p50: Duration::from_micros(20),
            p99: Duration::from_nanos(45_260),
            server_cpu: Duration::from_millis(rps / 100),
            client_cpu: Duration::ZERO,
            other_cpu: Duration::ZERO,
            peak_rss_kib: 2048,
            rounds: Vec::new(),
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(999.4), "999");
        assert_eq!(thousands(1000.0), "1,000");
        assert_eq!(thousands(1_234_567.0), "1,234,567");
        assert_eq!(ratio(1.0, Some(4.0)), "0.25×");
        assert_eq!(ratio(1.0, None), "—");
        assert_eq!(ratio(1.0, Some(0.0)), "—");
    }

    #[test]
    fn tables_are_aligned_markdown() {
        let table = markdown_table(
            &["server", "req/s"],
            &[
                vec!["a".into(), "1".into()],
                vec!["longer name".into(), "12,345".into()],
            ],
        );
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines[0], "| server      |  req/s |");
        assert_eq!(lines[1], "| ----------- | -----: |");
        assert_eq!(lines[2], "| a           |      1 |");
        assert_eq!(lines[3], "| longer name | 12,345 |");
        let text = text_table(&["k", "value"], &[vec!["a".into(), "b".into()]]);
        assert_eq!(text, "| k   | value |\n| --- | ----- |\n| a   | b     |\n");
    }

    #[test]
    fn throughput_ratios_use_the_best_rmcp_variant() {
        let section = Section {
            title: "t".into(),
            rows: vec![
                Row {
                    label: "ours",
                    role: Role::Ours,
                    outcome: Outcome::Done(measurement(30_000)),
                },
                Row {
                    label: "rmcp slow",
                    role: Role::Rmcp,
                    outcome: Outcome::Done(measurement(10_000)),
                },
                Row {
                    label: "rmcp fast",
                    role: Role::Rmcp,
                    outcome: Outcome::Done(measurement(20_000)),
                },
                Row {
                    label: "floor",
                    role: Role::Floor,
                    outcome: Outcome::Done(measurement(60_000)),
                },
                Row {
                    label: "broken",
                    role: Role::Ours,
                    outcome: Outcome::Failed("boom\nmore".into()),
                },
            ],
        };
        let table = throughput_table(&section);
        let ours = table.lines().nth(2).unwrap();
        assert!(ours.contains("30,000") && ours.contains("1.50×") && ours.contains("0.50×"));
        assert!(ours.contains("20.0") && ours.contains("45.3") && ours.contains("2.0"));
        assert!(table.lines().nth(3).unwrap().contains("0.50×"));
        let broken = table.lines().nth(6).unwrap();
        assert!(broken.contains("failed: boom") && !broken.contains("more"));
        let results = Results {
            throughput: vec![section],
            ..Results::default()
        };
        assert_eq!(results.failures(), 1);
        let all = results_markdown(&results);
        assert!(all.contains("\n### t\n\n| server"), "{all}");
        let summary = summary_table(&results);
        let line = summary.lines().nth(2).unwrap();
        assert!(line.starts_with("| t (req/s) |"), "{line}");
        // ours 30,000 (best of ours), rmcp 20,000, floor 60,000.
        for cell in ["30,000", "20,000", "60,000", "1.50×", "0.50×", "0.33×"] {
            assert!(line.contains(cell), "{cell} in {line}");
        }
    }

    #[test]
    fn not_built_rows_and_lower_is_better_ratios() {
        let startup = |ms| Outcome::Done(Startup::from_samples(&[Duration::from_millis(ms)]));
        let section = Section {
            title: "startup".into(),
            rows: vec![
                Row {
                    label: "ours",
                    role: Role::Ours,
                    outcome: Outcome::NotBuilt,
                },
                Row {
                    label: "rmcp a",
                    role: Role::Rmcp,
                    outcome: startup(4),
                },
                Row {
                    label: "rmcp b",
                    role: Role::Rmcp,
                    outcome: startup(2),
                },
            ],
        };
        let table = startup_table(&section);
        assert!(table.lines().nth(2).unwrap().contains("not built"));
        assert!(table.lines().nth(3).unwrap().contains("2.00×"));
        assert!(table.lines().nth(4).unwrap().contains("1.00×"));
    }

    #[test]
    fn instructions_lower_is_better() {
        let done = |per_request: f64| {
            Outcome::Done(Instructions {
                per_request,
                small_total: 0,
                large_total: 0,
                responses: 11_002,
            })
        };
        let row = |label, role, outcome| Row {
            label,
            role,
            outcome,
        };
        let section = Section {
            title: "instr".into(),
            rows: vec![
                row("ours", Role::Ours, done(20_000.0)),
                row("rmcp a", Role::Rmcp, done(80_000.0)),
                row("rmcp b", Role::Rmcp, done(78_000.0)),
                row("floor", Role::Floor, done(6_000.0)),
                row("rmcp c", Role::Rmcp, Outcome::Failed("dropped".into())),
            ],
        };
        let table = instructions_table(&section);
        let ours = table.lines().nth(2).unwrap();
        for cell in ["20,000", "0.26×", "3.33×", "11,002"] {
            assert!(ours.contains(cell), "{cell} in {ours}");
        }
        assert!(table.lines().nth(6).unwrap().contains("failed: dropped"));
        let results = Results {
            instructions: vec![section],
            ..Results::default()
        };
        assert_eq!(results.failures(), 1);
        let line = summary_table(&results).lines().nth(2).unwrap().to_owned();
        assert!(
            line.starts_with("| instr (instructions/request) |"),
            "{line}"
        );
        for cell in ["20,000", "78,000", "6,000", "0.26×", "3.33×", "13.00×"] {
            assert!(line.contains(cell), "{cell} in {line}");
        }
        assert!(results_markdown(&results).contains("\n### instr\n\n| server"));
    }
}
