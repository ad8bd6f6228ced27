//! Latency samples, percentiles and the figures of one measured run.

use std::time::Duration;

/// Latency samples of one run, in nanoseconds.
#[derive(Debug, Default)]
pub(crate) struct Recorder {
    samples: Vec<u64>,
}

impl Recorder {
    /// A recorder with room for `capacity` samples before it reallocates.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self {
            samples: Vec::with_capacity(capacity),
        }
    }

    /// Adds one round trip.
    pub(crate) fn record(&mut self, latency: Duration) {
        self.samples
            .push(u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX));
    }

    /// Moves the samples of `other` into this recorder.
    pub(crate) fn merge(&mut self, other: Recorder) {
        self.samples.extend(other.samples);
    }

    /// How many samples were recorded.
    pub(crate) fn len(&self) -> usize {
        self.samples.len()
    }

    /// The 50th and 99th percentile (zero when empty).
    pub(crate) fn p50_p99(mut self) -> (Duration, Duration) {
        self.samples.sort_unstable();
        (
            Duration::from_nanos(percentile(&self.samples, 50.0)),
            Duration::from_nanos(percentile(&self.samples, 99.0)),
        )
    }
}

/// Nearest-rank percentile of sorted samples: the smallest sample with at
/// least `p` percent of the samples at or below it. Zero for no samples.
pub(crate) fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// The median of a few durations (zero when empty).
pub(crate) fn median(values: &[Duration]) -> Duration {
    let mut nanos: Vec<u64> = values
        .iter()
        .map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
        .collect();
    nanos.sort_unstable();
    Duration::from_nanos(percentile(&nanos, 50.0))
}

/// The figures of one throughput run.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Measurement {
    /// Round trips completed in the measured window.
    pub(crate) requests: u64,
    /// Length of the measured window.
    pub(crate) elapsed: Duration,
    /// Median round-trip latency.
    pub(crate) p50: Duration,
    /// 99th percentile round-trip latency.
    pub(crate) p99: Duration,
    /// Server CPU (user + system) spent in the window.
    pub(crate) server_cpu: Duration,
    /// Load generator CPU (user + system) spent in the window.
    pub(crate) client_cpu: Duration,
    /// CPU of everything else on the machine in the window (noise).
    pub(crate) other_cpu: Duration,
    /// Server peak resident set (VmHWM) at the end of the run, in KiB.
    pub(crate) peak_rss_kib: u64,
    /// req/s of every round of the scenario, this one's included, in the
    /// order they ran (see [`median_round`]); empty for a lone run.
    pub(crate) rounds: Vec<f64>,
}

/// The round with the median req/s (of an even count, the upper one), with
/// every round's req/s in [`Measurement::rounds`]; `None` for no rounds.
///
/// Each round runs against a freshly started server, so it also samples where
/// the scheduler places the server's threads: on a small virtual machine the
/// one-connection figures jump between a few levels from one start to the
/// next, and a median of rounds is steadier than any one run.
pub(crate) fn median_round(runs: Vec<Measurement>) -> Option<Measurement> {
    let rounds: Vec<f64> = runs.iter().map(Measurement::rps).collect();
    let mut order: Vec<usize> = (0..runs.len()).collect();
    order.sort_by(|&a, &b| rounds[a].total_cmp(&rounds[b]));
    let median = *order.get(runs.len() / 2)?;
    let mut chosen = runs.into_iter().nth(median)?;
    chosen.rounds = rounds;
    Some(chosen)
}

impl Measurement {
    /// Round trips per second.
    pub(crate) fn rps(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            self.requests as f64 / secs
        } else {
            0.0
        }
    }

    /// Server CPU microseconds per round trip.
    pub(crate) fn server_us_per_request(&self) -> f64 {
        per_request_us(self.server_cpu, self.requests)
    }

    /// Other CPU load during the window, in percent of one core.
    pub(crate) fn other_load_percent(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            self.other_cpu.as_secs_f64() / secs * 100.0
        } else {
            0.0
        }
    }

    /// Load generator CPU microseconds per round trip.
    pub(crate) fn client_us_per_request(&self) -> f64 {
        per_request_us(self.client_cpu, self.requests)
    }
}

fn per_request_us(cpu: Duration, requests: u64) -> f64 {
    if requests == 0 {
        0.0
    } else {
        cpu.as_secs_f64() * 1e6 / requests as f64
    }
}

/// Spawn-to-first-initialize-response times of a stdio server.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Startup {
    /// Median over the spawns.
    pub(crate) median: Duration,
    /// Fastest spawn.
    pub(crate) min: Duration,
    /// Slowest spawn.
    pub(crate) max: Duration,
    /// How many spawns were timed.
    pub(crate) spawns: usize,
}

impl Startup {
    /// Summarizes the timed spawns.
    pub(crate) fn from_samples(samples: &[Duration]) -> Self {
        Self {
            median: median(samples),
            min: samples.iter().copied().min().unwrap_or_default(),
            max: samples.iter().copied().max().unwrap_or_default(),
            spawns: samples.len(),
        }
    }
}

/// Memory of a Streamable HTTP server holding many stateful sessions.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Sessions {
    /// RSS right after the server started listening, before any request, KiB.
    pub(crate) idle_rss_kib: u64,
    /// RSS after the warm-up sessions, the baseline of the growth, KiB.
    pub(crate) baseline_rss_kib: u64,
    /// RSS once all sessions are initialized, KiB.
    pub(crate) loaded_rss_kib: u64,
    /// Sessions opened after the baseline.
    pub(crate) sessions: u64,
    /// Time taken to open them (initialize + initialized each).
    pub(crate) elapsed: Duration,
}

impl Sessions {
    /// Resident-set growth per session, in bytes (zero if RSS shrank).
    pub(crate) fn bytes_per_session(&self) -> f64 {
        let grown = self.loaded_rss_kib.saturating_sub(self.baseline_rss_kib);
        if self.sessions == 0 {
            0.0
        } else {
            grown as f64 * 1024.0 / self.sessions as f64
        }
    }

    /// Session handshakes per second.
    pub(crate) fn per_second(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            self.sessions as f64 / secs
        } else {
            0.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let sorted: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&sorted, 50.0), 50);
        assert_eq!(percentile(&sorted, 99.0), 99);
        assert_eq!(percentile(&sorted, 100.0), 100);
        assert_eq!(percentile(&sorted, 0.0), 1);
        assert_eq!(percentile(&[7], 99.0), 7);
        assert_eq!(percentile(&[], 50.0), 0);
        assert_eq!(percentile(&[1, 2, 3], 50.0), 2);
        assert_eq!(percentile(&[1, 2, 3, 4], 50.0), 2);
    }

    #[test]
    fn recorder_sorts_before_taking_percentiles() {
        let mut recorder = Recorder::with_capacity(4);
        for micros in [40, 10, 30, 20] {
            recorder.record(Duration::from_micros(micros));
        }
        let mut other = Recorder::default();
        other.record(Duration::from_micros(1000));
        recorder.merge(other);
        assert_eq!(recorder.len(), 5);
        let (p50, p99) = recorder.p50_p99();
        assert_eq!(p50, Duration::from_micros(30));
        assert_eq!(p99, Duration::from_micros(1000));
    }

    #[test]
    fn derived_figures() {
        let m = Measurement {
            requests: 20_000,
            elapsed: Duration::from_secs(2),
            p50: Duration::ZERO,
            p99: Duration::ZERO,
            server_cpu: Duration::from_millis(500),
            client_cpu: Duration::from_millis(100),
            other_cpu: Duration::from_millis(300),
            peak_rss_kib: 0,
            rounds: Vec::new(),
        };
        assert_eq!(m.other_load_percent(), 15.0);
        assert_eq!(m.rps(), 10_000.0);
        assert_eq!(m.server_us_per_request(), 25.0);
        assert_eq!(m.client_us_per_request(), 5.0);
        let s = Sessions {
            idle_rss_kib: 1000,
            baseline_rss_kib: 2000,
            loaded_rss_kib: 2100,
            sessions: 100,
            elapsed: Duration::from_millis(50),
        };
        assert_eq!(s.bytes_per_session(), 1024.0);
        assert_eq!(s.per_second(), 2000.0);
        let startup = Startup::from_samples(&[
            Duration::from_millis(3),
            Duration::from_millis(1),
            Duration::from_millis(2),
        ]);
        assert_eq!(startup.median, Duration::from_millis(2));
        assert_eq!(startup.min, Duration::from_millis(1));
        assert_eq!(startup.max, Duration::from_millis(3));
    }

    #[test]
    fn the_median_round_is_kept_with_every_rounds_rate() {
        let run = |requests, p50| Measurement {
            requests,
            elapsed: Duration::from_secs(1),
            p50: Duration::from_micros(p50),
            p99: Duration::ZERO,
            server_cpu: Duration::ZERO,
            client_cpu: Duration::ZERO,
            other_cpu: Duration::ZERO,
            peak_rss_kib: 0,
            rounds: Vec::new(),
        };
        let m = median_round(vec![run(300, 3), run(100, 1), run(200, 2)]).unwrap();
        assert_eq!((m.requests, m.p50), (200, Duration::from_micros(2)));
        assert_eq!(m.rounds, [300.0, 100.0, 200.0]);
        let m = median_round(vec![run(100, 1), run(200, 2)]).unwrap();
        assert_eq!(m.requests, 200, "of two, the upper");
        assert_eq!(median_round(vec![run(5, 5)]).unwrap().rounds, [5.0]);
        assert_eq!(median_round(Vec::new()), None);
    }
}
