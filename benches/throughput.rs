//! Throughput benchmark: generates the realistic 1 GB IIS 10 log (gen.rs), warms the page
//! cache, and prints the median GB/s of a bare mmap+memchr ceiling, `iislog::summarize` and
//! the `iislog` binary, checking every run's counts against what the generator wrote.

#[path = "gen.rs"]
mod loggen;

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use iislog::progress::Progress;
use iislog::tally::Code;
use iislog::SummaryOptions;
use loggen::{Expected, Triple};
use rayon::prelude::*;

const USAGE: &str = "\
usage: cargo bench --bench throughput [-- --generate-only [PATH]]

  (no flag)              generate (or reuse) the log, then time every case
  --generate-only [PATH] only make sure the log exists (default path below); print its path

environment:
  IISLOG_BENCH_SIZE     bytes of log to generate [1000000000]
  IISLOG_BENCH_RUNS     timed runs per case; the median is reported [5]
  IISLOG_BENCH_THREADS  worker threads for every case [all cores]
  IISLOG_BENCH_DIR      where generated logs live [target/bench-data]

Run without --bench (as `cargo test --benches` does) it is a quick smoke test on 8 MB.";

fn env_num(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v.trim().parse().unwrap_or_else(|_| {
            eprintln!("{name}={v}: not a number\n\n{USAGE}");
            std::process::exit(2)
        }),
        _ => default,
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // cargo bench passes --bench; cargo test --benches does not: then a quick smoke test.
    let benching = args.iter().any(|a| a == "--bench");
    let default_size = if benching {
        loggen::DEFAULT_SIZE
    } else {
        8 << 20
    };
    let size = env_num("IISLOG_BENCH_SIZE", default_size);
    let runs = env_num("IISLOG_BENCH_RUNS", if benching { 5 } else { 1 }).max(1) as usize;
    let threads = match env_num("IISLOG_BENCH_THREADS", 0) {
        0 => None,
        n => Some(n as usize),
    };
    let mut generate_only = None;
    let mut it = args.iter().filter(|a| *a != "--bench");
    while let Some(a) = it.next() {
        match a.as_str() {
            "--generate-only" => {
                let path = it
                    .clone()
                    .next()
                    .filter(|p| !p.starts_with('-'))
                    .map(PathBuf::from);
                if path.is_some() {
                    it.next();
                }
                generate_only = Some(path.unwrap_or_else(|| loggen::default_path(size)));
            }
            "-h" | "--help" => {
                println!(
                    "{USAGE}\n\ndefault path: {}",
                    loggen::default_path(size).display()
                );
                return;
            }
            other => {
                eprintln!("unknown argument {other}\n\n{USAGE}");
                std::process::exit(2);
            }
        }
    }

    let path = generate_only
        .clone()
        .unwrap_or_else(|| loggen::default_path(size));
    let started = Instant::now();
    let (expected, reused) = loggen::ensure(&path, size)
        .unwrap_or_else(|e| panic!("could not generate {}: {e}", path.display()));
    eprintln!(
        "{} {} ({:.1} MB, {} lines, {} requests, {} header blocks, {:.0} bytes/line) in {:.1} s",
        if reused { "reused" } else { "generated" },
        path.display(),
        expected.bytes as f64 / 1e6,
        expected.lines,
        expected.requests,
        expected.blocks(),
        expected.bytes as f64 / expected.lines.max(1) as f64,
        started.elapsed().as_secs_f64()
    );
    if generate_only.is_some() {
        println!("{}", path.display());
        return;
    }
    bench(&path, &expected, runs, threads);
}

/// Timings of one case.
struct Stats {
    name: &'static str,
    median: Duration,
    min: Duration,
}

/// One untimed warm-up run, then `runs` timed ones; every result, warm-up included, is
/// checked outside the timed section.
fn measure<R>(
    name: &'static str,
    runs: usize,
    mut run: impl FnMut() -> R,
    check: impl Fn(&R),
) -> Stats {
    check(&run());
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            let r = run();
            let elapsed = t.elapsed();
            check(&r);
            elapsed
        })
        .collect();
    times.sort();
    Stats {
        name,
        median: times[times.len() / 2],
        min: times[0],
    }
}

fn bench(path: &Path, expected: &Expected, runs: usize, threads: Option<usize>) {
    let n_threads = threads.unwrap_or_else(rayon::current_num_threads);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(n_threads)
        .build()
        .expect("thread pool");
    warm(path);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load = load.split(' ').take(3).collect::<Vec<_>>().join(" ");
    eprintln!(
        "page cache warm; {runs} timed runs per case, {n_threads} threads, load average {load}\n"
    );

    let mut all = Vec::new();
    all.push(measure(
        "mmap + memchr newline count",
        runs,
        || pool.install(|| newline_count(path)),
        |&n| assert_eq!(n, expected.lines, "newline count"),
    ));
    all.push(measure(
        "mmap + memchr minimal tally",
        runs,
        || pool.install(|| minimal_tally(path)),
        |got| assert_eq!(got, &expected.codes, "minimal tally"),
    ));
    all.push(measure(
        "iislog::summarize (library)",
        runs,
        || {
            let mut opts = SummaryOptions::new(vec![path.to_path_buf()]);
            opts.threads = threads;
            iislog::summarize(&opts, &Progress::hidden()).expect("summarize")
        },
        |o| check_library(o, expected),
    ));
    let bin = env!("CARGO_BIN_EXE_iislog");
    all.push(measure(
        "iislog summary --format csv (binary)",
        runs,
        || {
            let mut cmd = Command::new(bin);
            cmd.arg("summary").arg(path).args(["--format", "csv", "-q"]);
            if let Some(n) = threads {
                cmd.args(["--threads", &n.to_string()]);
            }
            cmd.output().expect("run the iislog binary")
        },
        |out| check_csv(out, expected),
    ));

    let gb = expected.bytes as f64 / 1e9;
    let newlines = all[0].median.as_secs_f64();
    let tally = all[1].median.as_secs_f64();
    println!(
        "{:<38} {:>9} {:>9} {:>7} {:>12} {:>9}",
        "case", "median s", "min s", "GB/s", "of newlines", "of tally"
    );
    for s in &all {
        let med = s.median.as_secs_f64();
        println!(
            "{:<38} {:>9.3} {:>9.3} {:>7.2} {:>11.0}% {:>8.0}%",
            s.name,
            med,
            s.min.as_secs_f64(),
            gb / med,
            100.0 * newlines / med,
            100.0 * tally / med
        );
    }
    println!(
        "\n{:.3} GB, {} requests in {} code triples: every run matched the generator's counts",
        gb,
        expected.requests,
        expected.codes.len()
    );
}

/// Reads every page once so that all cases see a warm page cache.
fn warm(path: &Path) {
    let map = map(path);
    let mut sum = 0u64;
    for page in map.chunks(4096) {
        sum = sum.wrapping_add(u64::from(page[0]));
    }
    std::hint::black_box(sum);
}

fn map(path: &Path) -> memmap2::Mmap {
    let file = File::open(path).expect("open the bench log");
    // SAFETY: the bench log is ours and nobody writes to it while it is mapped.
    unsafe { memmap2::Mmap::map(&file) }.expect("map the bench log")
}

/// Newline-aligned pieces of about 8 MiB, like iislog's own chunking.
fn pieces(bytes: &[u8]) -> Vec<&[u8]> {
    const PIECE: usize = 8 << 20;
    let mut out = Vec::new();
    let mut start = 0;
    while start < bytes.len() {
        let target = (start + PIECE).min(bytes.len());
        let end = memchr::memchr(b'\n', &bytes[target..]).map_or(bytes.len(), |i| target + i + 1);
        out.push(&bytes[start..end]);
        start = end;
    }
    out
}

/// The ceiling: map the file and count its newlines in parallel, nothing else.
fn newline_count(path: &Path) -> u64 {
    let map = map(path);
    pieces(&map)
        .par_iter()
        .map(|p| memchr::memchr_iter(b'\n', p).count() as u64)
        .sum()
}

/// What the issue calls the minimal tally: per line, the three codes read back from the
/// end of the line (this file's layout only, no checks), counted in a tiny table.
fn minimal_tally(path: &Path) -> BTreeMap<Triple, u64> {
    let map = map(path);
    pieces(&map)
        .par_iter()
        .map(|piece| {
            let mut table: Vec<(Triple, u64)> = Vec::with_capacity(32);
            let mut start = 0;
            for nl in memchr::memchr_iter(b'\n', piece) {
                let line = &piece[start..nl];
                start = nl + 1;
                if line.first() == Some(&b'#') {
                    continue;
                }
                let key = last_codes(line);
                match table.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, n)) => *n += 1,
                    None => table.push((key, 1)),
                }
            }
            table
        })
        .fold(BTreeMap::new, |mut acc, table| {
            for (k, n) in table {
                *acc.entry(k).or_insert(0) += n;
            }
            acc
        })
        .reduce(BTreeMap::new, |mut a, b| {
            for (k, n) in b {
                *a.entry(k).or_insert(0) += n;
            }
            a
        })
}

/// The 2nd, 3rd and 4th space-separated numbers from the end of `line`.
#[inline]
fn last_codes(line: &[u8]) -> Triple {
    let mut fields = [0u32; 4];
    let mut i = 0;
    let mut mul = 1u32;
    for &b in line.iter().rev() {
        match b {
            b' ' => {
                i += 1;
                mul = 1;
                if i == 4 {
                    break;
                }
            }
            b'0'..=b'9' => {
                fields[i] = fields[i].wrapping_add(u32::from(b - b'0').wrapping_mul(mul));
                mul = mul.wrapping_mul(10);
            }
            _ => {}
        }
    }
    (fields[3], fields[2], fields[1])
}

fn triple(status: Code, sub: Code, win32: Code) -> Triple {
    let v = |c: Code| {
        c.value()
            .unwrap_or_else(|| panic!("code {c:?} in the bench log"))
    };
    (v(status), v(sub), v(win32))
}

fn check_library(o: &iislog::Outcome, e: &Expected) {
    let t = &o.summary.totals;
    assert!(o.problems.is_empty(), "problems: {:?}", o.problems);
    assert_eq!(
        (
            t.bytes,
            t.lines,
            t.requests,
            t.directives,
            t.skipped_total()
        ),
        (e.bytes, e.lines, e.requests, e.directives, 0),
        "library totals (bytes, lines, requests, directives, skipped)"
    );
    let mut got = BTreeMap::new();
    for r in &o.summary.rows {
        *got.entry(triple(r.status, r.substatus, r.win32_status))
            .or_insert(0) += r.count;
    }
    assert_eq!(got, e.codes, "library counts");
}

fn check_csv(out: &std::process::Output, e: &Expected) {
    assert!(
        out.status.success(),
        "iislog exited with {}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines();
    assert_eq!(
        lines
            .next()
            .map(|h| h.split(',').take(5).collect::<Vec<_>>()),
        Some(vec![
            "service",
            "status",
            "substatus",
            "win32_status",
            "count"
        ]),
        "CSV header"
    );
    let mut got = BTreeMap::new();
    for line in lines {
        let f: Vec<&str> = line.splitn(6, ',').collect();
        let num = |s: &str| -> u64 { s.parse().unwrap_or_else(|_| panic!("CSV row {line}")) };
        assert_eq!(f[0], "http", "service in {line}");
        let key = (num(f[1]) as u32, num(f[2]) as u32, num(f[3]) as u32);
        *got.entry(key).or_insert(0) += num(f[4]);
    }
    assert_eq!(got, e.codes, "binary CSV counts");
}
