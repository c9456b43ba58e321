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
    match goal {
        Some(g) => println!(
            "RATIO {label}: {ratio:.3} (goal >= {g}) {}",
            if ratio >= g { "met" } else { "NOT MET" }
        ),
        None => println!("RATIO {label}: {ratio:.3}"),
    }
    Some(ratio)
}

/// Throughput in MB/s (10^6 bytes per second) for `bytes` processed per iteration of `group/id`.
pub fn throughput_mbs(group: &str, id: &str, bytes: usize) -> Option<f64> {
    let ns = mean_ns(group, id)?;
    Some(bytes as f64 / ns * 1e3)
}
