//! Shared helpers for the criterion benches: reading back what criterion measured in this run and
//! printing ratios between a subject and its reference.
//!
//! Criterion writes `target/criterion/<group>/<bench>/new/estimates.json` after each benchmark;
//! [`mean_ns`] reads the mean from there, so a bench can compare two measurements of the same run.

use std::path::PathBuf;

/// Directory criterion writes its results to.
fn criterion_dir() -> PathBuf {
    if let Ok(d) = std::env::var("CRITERION_HOME") {
        return PathBuf::from(d);
    }
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| {
        // benches run with the package directory as cwd; the workspace target is one level up.
        let here = std::env::current_dir().unwrap_or_default();
        let ws = here
            .parent()
            .map(|p| p.join("target"))
            .unwrap_or_else(|| "target".into());
        ws.to_string_lossy().into_owned()
    });
    PathBuf::from(target).join("criterion")
}

/// Mean time per iteration in nanoseconds of benchmark `group/id` from this run, if it ran.
pub fn mean_ns(group: &str, id: &str) -> Option<f64> {
    let path = criterion_dir()
        .join(group)
        .join(id)
        .join("new")
        .join("estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    // {"mean":{"confidence_interval":{...},"point_estimate":123.4,...},...}
    let mean = text.split("\"mean\"").nth(1)?;
    let pe = mean.split("\"point_estimate\":").nth(1)?;
    let num: String = pe
        .chars()
        .take_while(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+'))
        .collect();
    num.parse().ok()
}

/// Prints `RATIO <label>: <x>` = reference time / subject time (speed ratio: ≥ 1 means the
/// subject is at least as fast), plus the goal when one is set. Returns the ratio.
pub fn report_speed_ratio(
    label: &str,
    subject: (&str, &str),
    reference: (&str, &str),
    goal: Option<f64>,
) -> Option<f64> {
    let s = mean_ns(subject.0, subject.1)?;
    let r = mean_ns(reference.0, reference.1)?;
    let ratio = r / s;
    print_ratio(label, ratio, goal);
    Some(ratio)
}

/// Prints `RATIO <label>: <x>` with the goal when one is set (the format every bench uses).
pub fn print_ratio(label: &str, ratio: f64, goal: Option<f64>) {
    match goal {
        Some(g) => println!(
            "RATIO {label}: {ratio:.3} (goal >= {g}) {}",
            if ratio >= g { "met" } else { "NOT MET" }
        ),
        None => println!("RATIO {label}: {ratio:.3}"),
    }
}

/// A speed ratio measured in pairs: each criterion sample of the subject is followed at once
/// by the same number of iterations of the reference, and the ratio is the median over the
/// samples of `reference time / subject time`.
///
/// Two criterion benches run one after the other: a neighbour that starts during one of them
/// (other processes on a shared two-core machine take cache and memory bandwidth even from a
/// thread measured in CPU time) shifts their ratio by several percent. Paired samples see the
/// same neighbours, and the median drops the samples a burst of them hit.
#[derive(Debug, Default)]
pub struct PairedRatio {
    ratios: Vec<f64>,
}

impl PairedRatio {
    /// For [`criterion::Bencher::iter_custom`]: times `iters` runs of `subject`, then `iters`
    /// runs of `reference`, records the pair and returns the subject's time.
    pub fn measure(
        &mut self,
        iters: u64,
        mut subject: impl FnMut(),
        mut reference: impl FnMut(),
    ) -> std::time::Duration {
        let t = cpu_time::ThreadTime::now();
        for _ in 0..iters {
            subject();
        }
        let s = t.elapsed();
        let t = cpu_time::ThreadTime::now();
        for _ in 0..iters {
            reference();
        }
        let r = t.elapsed();
        if !s.is_zero() {
            self.ratios.push(r.as_secs_f64() / s.as_secs_f64());
        }
        s
    }

    /// The median paired speed ratio (≥ 1: the subject is at least as fast), if any pair was
    /// measured.
    pub fn median(&self) -> Option<f64> {
        let mut v = self.ratios.clone();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        match n {
            0 => None,
            _ if n % 2 == 1 => Some(v[n / 2]),
            _ => Some((v[n / 2 - 1] + v[n / 2]) / 2.0),
        }
    }
}

/// Throughput in MB/s (10^6 bytes per second) for `bytes` processed per iteration of `group/id`.
pub fn throughput_mbs(group: &str, id: &str, bytes: usize) -> Option<f64> {
    let ns = mean_ns(group, id)?;
    Some(bytes as f64 / ns * 1e3)
}

/// Criterion measurement: CPU time of the benchmarking thread in nanoseconds (the machines
/// the benches run on are shared, and descheduled time would otherwise dominate). Used by the
/// filter benches; `crypto_belt` has its own copy.
pub struct ThreadCpuTime;

struct CpuNsFormatter;

impl criterion::measurement::ValueFormatter for CpuNsFormatter {
    fn scale_values(&self, typical: f64, values: &mut [f64]) -> &'static str {
        let (f, unit) = if typical < 1e3 {
            (1.0, "ns")
        } else if typical < 1e6 {
            (1e-3, "µs")
        } else {
            (1e-6, "ms")
        };
        values.iter_mut().for_each(|v| *v *= f);
        unit
    }
    fn scale_throughputs(
        &self,
        _typical: f64,
        t: &criterion::Throughput,
        values: &mut [f64],
    ) -> &'static str {
        use criterion::Throughput;
        let bytes = match *t {
            Throughput::Bytes(b) | Throughput::BytesDecimal(b) => b as f64,
            Throughput::Elements(e) | Throughput::ElementsAndBytes { elements: e, .. } => {
                values.iter_mut().for_each(|v| *v = e as f64 * 1e9 / *v);
                return "elem/s (CPU)";
            }
            Throughput::Bits(b) => b as f64 / 8.0,
        };
        values.iter_mut().for_each(|v| *v = bytes * 1e3 / *v);
        "MB/s (CPU)"
    }
    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns"
    }
}

impl criterion::measurement::Measurement for ThreadCpuTime {
    type Intermediate = cpu_time::ThreadTime;
    type Value = std::time::Duration;
    fn start(&self) -> Self::Intermediate {
        cpu_time::ThreadTime::now()
    }
    fn end(&self, i: Self::Intermediate) -> Self::Value {
        i.elapsed()
    }
    fn add(&self, a: &Self::Value, b: &Self::Value) -> Self::Value {
        *a + *b
    }
    fn zero(&self) -> Self::Value {
        std::time::Duration::ZERO
    }
    fn to_f64(&self, v: &Self::Value) -> f64 {
        v.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn criterion::measurement::ValueFormatter {
        &CpuNsFormatter
    }
}
