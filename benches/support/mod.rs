//! What every benchmark binary shares: running a command under `/usr/bin/time` for its peak
//! memory, and writing its section of BENCHMARKS.md.

#![allow(dead_code)]

use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// Runs a command under /usr/bin/time; returns (stdout, seconds, peak RSS in MiB).
pub fn timed(cmd: &mut Command) -> (String, f64, f64) {
    let mut wrapped = Command::new("/usr/bin/time");
    wrapped
        .arg("-f")
        .arg("BENCH_MAXRSS_KB=%M")
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => wrapped.env(k, v),
            None => wrapped.env_remove(k),
        };
    }
    if let Some(dir) = cmd.get_current_dir() {
        wrapped.current_dir(dir);
    }
    let start = Instant::now();
    let out = wrapped.output().expect("run /usr/bin/time (Debian package time)");
    let secs = start.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{cmd:?} failed:\n{stderr}");
    let kb: f64 = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("BENCH_MAXRSS_KB="))
        .next_back()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0);
    (
        String::from_utf8_lossy(&out.stdout).to_string(),
        secs,
        kb / 1024.0,
    )
}

/// Replaces the text between `<!-- NAME:begin -->` and `<!-- NAME:end -->` in `file`.
pub fn write_section(file: &str, name: &str, body: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let (begin, end) = (format!("<!-- {name}:begin -->"), format!("<!-- {name}:end -->"));
    let section = format!("{begin}\n{body}{end}");
    let new = match (text.find(&begin), text.find(&end)) {
        (Some(b), Some(e)) => format!("{}{}{}", &text[..b], section, &text[e + end.len()..]),
        _ => format!("{text}\n{section}\n"),
    };
    std::fs::write(path, new).unwrap();
}
