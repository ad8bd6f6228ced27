//! What the benchmark reads from `/proc`: CPU time, resident set, and CPU
//! affinity (set through `taskset`, so no unsafe code is needed).

use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use crate::Error;

/// Sum of `utime` and `stime` (fields 14 and 15, in clock ticks) of a
/// `/proc/<pid>/stat` line. The command name (field 2) may hold spaces and
/// parentheses, so fields are counted from the last `)`.
pub(crate) fn parse_stat_ticks(stat: &str) -> Option<u64> {
    let after_comm = &stat[stat.rfind(')')? + 1..];
    let mut fields = after_comm.split_ascii_whitespace();
    // After the command name: state is field 3, so utime (14) is the 12th.
    let utime: u64 = fields.nth(11)?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

/// Busy ticks of all CPUs from the aggregate `cpu` line of `/proc/stat`:
/// user, nice, system and steal. Idle and iowait are left out, and so are
/// irq and softirq, which loopback traffic of the benchmark itself fills.
pub(crate) fn parse_proc_stat_busy(stat: &str) -> Option<u64> {
    let line = stat.lines().find(|line| line.starts_with("cpu "))?;
    let fields: Vec<u64> = line
        .split_ascii_whitespace()
        .skip(1)
        .map(|field| field.parse().ok())
        .collect::<Option<_>>()?;
    let busy = [0, 1, 2, 7]
        .iter()
        .map(|&i| fields.get(i).copied().unwrap_or(0));
    (fields.len() >= 4).then(|| busy.sum())
}

/// The value in KiB of a `Key:   1234 kB` line of `/proc/<pid>/status`.
pub(crate) fn parse_status_kib(status: &str, key: &str) -> Option<u64> {
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(key)?.strip_prefix(':')?;
        rest.split_ascii_whitespace().next()?.parse().ok()
    })
}

/// The value of a `Key:\tvalue` line of `/proc/<pid>/status`, as text.
pub(crate) fn parse_status_text<'a>(status: &'a str, key: &str) -> Option<&'a str> {
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(key)?.strip_prefix(':')?;
        Some(rest.trim())
    })
}

/// Clock ticks per second of the `/proc` CPU counters (`getconf CLK_TCK`,
/// 100 where that cannot be run).
fn clock_ticks() -> u64 {
    static TICKS: OnceLock<u64> = OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|out| String::from_utf8(out.stdout).ok())
            .and_then(|text| text.trim().parse().ok())
            .filter(|&ticks| ticks > 0)
            .unwrap_or(100)
    })
}

/// Converts clock ticks to a duration.
pub(crate) fn ticks_to_duration(ticks: u64, per_second: u64) -> Duration {
    Duration::from_micros(ticks * 1_000_000 / per_second.max(1))
}

/// `/proc/<pid>` or `/proc/self`.
fn dir(pid: Option<u32>) -> String {
    match pid {
        Some(pid) => format!("/proc/{pid}"),
        None => "/proc/self".to_owned(),
    }
}

/// User + system CPU time of a process (`None`: this process), all threads.
pub(crate) fn cpu_time(pid: Option<u32>) -> Result<Duration, Error> {
    let path = format!("{}/stat", dir(pid));
    let stat = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    let ticks = parse_stat_ticks(&stat).ok_or_else(|| format!("{path}: unexpected format"))?;
    Ok(ticks_to_duration(ticks, clock_ticks()))
}

/// Resident set: `VmRSS` (current) and `VmHWM` (peak), in KiB.
pub(crate) fn rss_kib(pid: u32) -> Result<(u64, u64), Error> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    let field = |key| {
        parse_status_kib(&status, key).ok_or_else(|| format!("{path}: no {key} (process exited?)"))
    };
    Ok((field("VmRSS")?, field("VmHWM")?))
}

/// Busy time of the whole machine (all CPUs), from `/proc/stat`.
fn machine_busy() -> Result<Duration, Error> {
    let stat = std::fs::read_to_string("/proc/stat")?;
    let ticks = parse_proc_stat_busy(&stat).ok_or("/proc/stat: unexpected format")?;
    Ok(ticks_to_duration(ticks, clock_ticks()))
}

/// CPU time at one moment: the server, this process, and the machine.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CpuSnapshot {
    server: Duration,
    client: Duration,
    machine: Duration,
}

/// CPU spent between two snapshots.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct CpuSpent {
    /// By the server.
    pub(crate) server: Duration,
    /// By the load generator.
    pub(crate) client: Duration,
    /// By everything else on the machine (other processes, steal): noise,
    /// when large.
    pub(crate) other: Duration,
}

impl CpuSnapshot {
    /// Reads the counters now.
    pub(crate) fn take(server_pid: u32) -> Result<Self, Error> {
        Ok(Self {
            server: cpu_time(Some(server_pid))?,
            client: cpu_time(None)?,
            machine: machine_busy()?,
        })
    }

    /// CPU spent since `earlier`.
    pub(crate) fn since(&self, earlier: &CpuSnapshot) -> CpuSpent {
        let server = self.server.saturating_sub(earlier.server);
        let client = self.client.saturating_sub(earlier.client);
        let machine = self.machine.saturating_sub(earlier.machine);
        CpuSpent {
            server,
            client,
            other: machine.saturating_sub(server + client),
        }
    }
}

/// Pins every thread of this process to CPU 0 until dropped, then restores
/// the CPUs it was allowed before.
#[derive(Debug)]
pub(crate) struct PinnedToCpu0 {
    previous: String,
}

impl PinnedToCpu0 {
    /// Runs `taskset -a -p -c 0 <own pid>`.
    pub(crate) fn pin() -> Result<Self, Error> {
        let status = std::fs::read_to_string("/proc/self/status")?;
        let previous = parse_status_text(&status, "Cpus_allowed_list")
            .ok_or("/proc/self/status: no Cpus_allowed_list")?
            .to_owned();
        taskset("0")?;
        Ok(Self { previous })
    }
}

impl Drop for PinnedToCpu0 {
    fn drop(&mut self) {
        if let Err(e) = taskset(&self.previous) {
            eprintln!(
                "bench: could not restore CPU affinity {}: {e}",
                self.previous
            );
        }
    }
}

fn taskset(cpus: &str) -> Result<(), Error> {
    let pid = std::process::id().to_string();
    let out = Command::new("taskset")
        .args(["-a", "-p", "-c", cpus, &pid])
        .output()
        .map_err(|e| format!("taskset (util-linux) is needed for pinned runs: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "taskset -c {cpus}: {}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_ticks_skip_a_tricky_command_name() {
        let stat = "4242 (my (odd) server) S 1 4242 4242 0 -1 4194560 600 0 0 0 \
                    123 45 0 0 20 0 3 0 777 1234567 890 18446744073709551615";
        assert_eq!(parse_stat_ticks(stat), Some(168));
        assert_eq!(parse_stat_ticks("1 (x) S 1 2"), None);
        assert_eq!(parse_stat_ticks("garbage"), None);
    }

    #[test]
    fn stat_ticks_of_this_process_parse() {
        let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
        assert!(parse_stat_ticks(&stat).is_some(), "{stat}");
    }

    #[test]
    fn status_fields() {
        let status = "Name:\tbench\nVmPeak:\t  10000 kB\nVmHWM:\t    5120 kB\n\
                      VmRSS:\t    4096 kB\nCpus_allowed_list:\t0-1\n";
        assert_eq!(parse_status_kib(status, "VmHWM"), Some(5120));
        assert_eq!(parse_status_kib(status, "VmRSS"), Some(4096));
        assert_eq!(parse_status_kib(status, "VmSwap"), None);
        assert_eq!(parse_status_text(status, "Cpus_allowed_list"), Some("0-1"));
        // `VmRSS` must not match a longer key that starts the same way.
        assert_eq!(parse_status_kib("VmRSSx:\t1 kB\n", "VmRSS"), None);
    }

    #[test]
    fn machine_busy_ticks() {
        let stat = "cpu  100 5 50 9000 7 3 2 1 0 0\ncpu0 50 0 25 4500 3 1 1 0 0 0\n";
        assert_eq!(parse_proc_stat_busy(stat), Some(100 + 5 + 50 + 1));
        assert_eq!(parse_proc_stat_busy("cpu0 1 2 3 4\n"), None);
        let real = std::fs::read_to_string("/proc/stat").unwrap();
        assert!(parse_proc_stat_busy(&real).is_some());
    }

    #[test]
    fn ticks_convert_at_the_given_rate() {
        assert_eq!(ticks_to_duration(250, 100), Duration::from_millis(2500));
        assert_eq!(ticks_to_duration(3, 1000), Duration::from_millis(3));
    }
}
