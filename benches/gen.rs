//! The benchmark's input: writes a realistic IIS 10 `u_ex` W3C log of a given size from a
//! fixed-seed xorshift, and records the exact counts of what it wrote in a `.counts` file
//! beside it, so a fast but wrong result cannot pass. Reused when already there.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// IIS 10's default field list.
pub const FIELDS: &str = "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken";

/// Bumped whenever the bytes written change, so stale files are regenerated.
const VERSION: &str = "iislog-bench-data v1";
const SEED: u64 = 0x1153_2026_1123_0001;

/// Default size: 1 GB (10^9 bytes).
pub const DEFAULT_SIZE: u64 = 1_000_000_000;

/// A (sc-status, sc-substatus, sc-win32-status) triple.
pub type Triple = (u32, u32, u32);

/// What the generator wrote: every line accounted for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expected {
    /// The size asked for; the file holds whole lines, so `bytes` is a little less.
    pub target: u64,
    pub bytes: u64,
    pub lines: u64,
    pub requests: u64,
    pub directives: u64,
    pub codes: BTreeMap<Triple, u64>,
}

impl Expected {
    /// Header blocks written (`#Software`, `#Version`, `#Date`, `#Fields` each).
    pub fn blocks(&self) -> u64 {
        self.directives / 4
    }

    fn to_text(&self) -> String {
        let mut s = format!(
            "{VERSION} seed={SEED:#x} target={} bytes={} lines={} requests={} directives={}\n",
            self.target, self.bytes, self.lines, self.requests, self.directives
        );
        for ((st, sub, w), n) in &self.codes {
            s.push_str(&format!("{st} {sub} {w} {n}\n"));
        }
        s
    }

    fn from_text(text: &str) -> Option<Expected> {
        let mut lines = text.lines();
        let head = lines.next()?;
        let rest = head.strip_prefix(VERSION)?;
        let mut e = Expected::default();
        let mut seed_ok = false;
        for kv in rest.split_whitespace() {
            let (k, v) = kv.split_once('=')?;
            match k {
                "seed" => seed_ok = v == format!("{SEED:#x}"),
                "target" => e.target = v.parse().ok()?,
                "bytes" => e.bytes = v.parse().ok()?,
                "lines" => e.lines = v.parse().ok()?,
                "requests" => e.requests = v.parse().ok()?,
                "directives" => e.directives = v.parse().ok()?,
                _ => return None,
            }
        }
        for line in lines {
            let n: Vec<u64> = line
                .split(' ')
                .map(str::parse)
                .collect::<Result<_, _>>()
                .ok()?;
            let [st, sub, w, count] = n[..] else {
                return None;
            };
            e.codes.insert((st as u32, sub as u32, w as u32), count);
        }
        (seed_ok && e.codes.values().sum::<u64>() == e.requests).then_some(e)
    }
}

/// Where generated files live: `$IISLOG_BENCH_DIR`, else `target/bench-data`.
pub fn data_dir() -> PathBuf {
    match std::env::var_os("IISLOG_BENCH_DIR") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data"),
    }
}

/// The default file for `size` bytes: `<dir>/<size>/W3SVC1/u_ex261123.log`, so the folder
/// names the site as IIS does.
pub fn default_path(size: u64) -> PathBuf {
    data_dir()
        .join(size.to_string())
        .join("W3SVC1")
        .join("u_ex261123.log")
}

/// The counts file kept beside a generated log.
pub fn counts_path(log: &Path) -> PathBuf {
    let mut p = log.as_os_str().to_owned();
    p.push(".counts");
    PathBuf::from(p)
}

/// Makes sure `path` holds the generated log of about `size` bytes and returns its
/// counts; an existing file is reused when its size and counts file match.
pub fn ensure(path: &Path, size: u64) -> io::Result<(Expected, bool)> {
    let counts = counts_path(path);
    if let (Ok(meta), Ok(text)) = (fs::metadata(path), fs::read_to_string(&counts)) {
        if let Some(e) = Expected::from_text(&text) {
            if e.target == size && e.bytes == meta.len() {
                return Ok((e, true));
            }
        }
    }
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    let _ = fs::remove_file(&counts);
    let tmp = path.with_extension("log.tmp");
    let e = write_log(&tmp, size)?;
    fs::rename(&tmp, path)?;
    fs::write(&counts, e.to_text())?;
    Ok((e, false))
}

/// xorshift64*: small, fast, and the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform-enough in `0..n` (n is small).
    fn below(&mut self, n: u64) -> u64 {
        (self.next() >> 32) % n
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// User agents as IIS logs them (spaces as `+`), weighted toward desktop browsers.
const AGENTS: &[&str] = &[
    "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/131.0.0.0+Safari/537.36",
    "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/131.0.0.0+Safari/537.36",
    "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/131.0.0.0+Safari/537.36+Edg/131.0.0.0",
    "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/131.0.0.0+Safari/537.36+Edg/131.0.0.0",
    "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64;+rv:132.0)+Gecko/20100101+Firefox/132.0",
    "Mozilla/5.0+(Macintosh;+Intel+Mac+OS+X+10_15_7)+AppleWebKit/605.1.15+(KHTML,+like+Gecko)+Version/18.1+Safari/605.1.15",
    "Mozilla/5.0+(iPhone;+CPU+iPhone+OS+18_1+like+Mac+OS+X)+AppleWebKit/605.1.15+(KHTML,+like+Gecko)+Version/18.1+Mobile/15E148+Safari/604.1",
    "Mozilla/5.0+(Linux;+Android+14;+SM-S918B)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/131.0.6778.81+Mobile+Safari/537.36",
    "Mozilla/5.0+(compatible;+Googlebot/2.1;++http://www.google.com/bot.html)",
    "Mozilla/5.0+(compatible;+bingbot/2.0;++http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64;+Trident/7.0;+rv:11.0)+like+Gecko",
    "Microsoft+Office/16.0+(Windows+NT+10.0;+Microsoft+Outlook+16.0.17928;+Pro)",
    "python-requests/2.32.3",
    "curl/8.5.0",
];

const REFERERS: &[&str] = &[
    "-",
    "https://www.contoso.com/",
    "https://www.contoso.com/products/list.aspx?category=12&sort=price",
    "https://www.contoso.com/products/detail.aspx?id=48213",
    "https://www.google.com/",
    "https://www.bing.com/search?q=contoso+widgets+price&form=QBLH",
    "https://intranet.contoso.local/portal/default.aspx",
];

/// Pages and their query strings (`{}` is replaced by a number).
const PAGES: &[(&str, &str)] = &[
    ("/", "-"),
    ("/default.aspx", "-"),
    ("/products/list.aspx", "category={}&page=2&sort=price"),
    ("/products/detail.aspx", "id={}"),
    ("/api/v2/orders", "customerId={}&status=open&$top=50"),
    (
        "/search.aspx",
        "q=widget+blue&lang=en-US&utm_source=newsletter&utm_medium=email",
    ),
    (
        "/signalr/negotiate",
        "clientProtocol=2.1&connectionData=%5B%7B%22name%22%3A%22chathub%22%7D%5D&_={}",
    ),
    ("/account/profile.aspx", "tab=orders&page={}"),
];

const STATIC: &[&str] = &[
    "/Content/site.min.css",
    "/Scripts/jquery-3.7.1.min.js",
    "/Scripts/bootstrap.bundle.min.js",
    "/images/logo-contoso.png",
    "/images/products/48213-large.jpg",
    "/fonts/segoeui-regular.woff2",
];

const NOT_FOUND: &[&str] = &[
    "/favicon.ico",
    "/apple-touch-icon-precomposed.png",
    "/wp-login.php",
    "/.env",
    "/products/old-catalogue.aspx",
    "/robots.txt",
];

/// The mix of codes, as weights out of 10 000.
const MIX: &[(Triple, u64)] = &[
    ((200, 0, 0), 6_380),
    ((304, 0, 0), 1_800),
    ((404, 0, 2), 500),
    ((401, 2, 5), 400),
    ((302, 0, 0), 300),
    ((301, 0, 0), 150),
    ((206, 0, 0), 120),
    ((401, 1, 2_148_074_254), 120),
    ((200, 0, 64), 60),
    ((200, 0, 1_236), 40),
    ((403, 14, 0), 40),
    ((500, 0, 64), 30),
    ((500, 19, 13), 20),
    ((503, 0, 0), 20),
];

fn pick_code(rng: &mut Rng) -> Triple {
    let total: u64 = MIX.iter().map(|m| m.1).sum();
    let mut r = rng.below(total);
    for &(t, w) in MIX {
        if r < w {
            return t;
        }
        r -= w;
    }
    MIX[0].0
}

fn header(out: &mut Vec<u8>, secs: u64) {
    out.extend_from_slice(
        b"#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n",
    );
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    out.extend_from_slice(format!("#Date: 2026-11-23 {h:02}:{m:02}:{s:02}\r\n").as_bytes());
    out.extend_from_slice(format!("#Fields: {FIELDS}\r\n").as_bytes());
}

/// One request line for `code` at `secs` after midnight.
fn request(out: &mut Vec<u8>, rng: &mut Rng, secs: u64, code: Triple) {
    use std::io::Write as _;
    let (status, _, win32) = code;
    let n = 1_000 + rng.below(90_000);
    let (method, stem, query): (&str, String, String) = match status {
        304 => ("GET", rng.pick(STATIC).to_string(), "v=20261101".into()),
        206 => ("GET", "/media/contoso-intro-1080p.mp4".into(), "-".into()),
        301 => ("GET", "/Products/List.aspx".into(), format!("category={n}")),
        302 => (
            "GET",
            "/account/login.aspx".into(),
            "ReturnUrl=%2faccount%2fprofile.aspx%3ftab%3dorders".into(),
        ),
        401 => ("GET", "/intranet/reports/sales.aspx".into(), "-".into()),
        403 => ("GET", "/images/".into(), "-".into()),
        404 => ("GET", rng.pick(NOT_FOUND).to_string(), "-".into()),
        500 if win32 == 64 => ("POST", "/api/v2/orders".into(), format!("customerId={n}")),
        _ if rng.below(4) == 0 => ("GET", rng.pick(STATIC).to_string(), "v=20261101".into()),
        _ => {
            let (stem, q) = rng.pick(PAGES);
            let method = if stem.starts_with("/api") && rng.below(3) == 0 {
                "POST"
            } else {
                "GET"
            };
            (method, stem.to_string(), q.replace("{}", &n.to_string()))
        }
    };
    let port = if status == 301 { 80 } else { 443 };
    let user = if status == 200 && stem.starts_with("/account") {
        "CONTOSO\\jdoe"
    } else {
        "-"
    };
    let taken = match (status, win32) {
        (304, _) => rng.below(12),
        (_, 64 | 1_236) => 30_000 + rng.below(90_000),
        (500 | 503, _) => rng.below(4_000),
        _ => {
            let spread = rng.below(1_500) + 1;
            15 + rng.below(spread)
        }
    };
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let _ = write!(
        out,
        "2026-11-23 {h:02}:{m:02}:{s:02} 10.0.0.4 {method} {stem} {query} {port} {user} ",
    );
    match rng.below(8) {
        0 => write!(
            out,
            "2001:db8:4006:80{}::{:x}",
            rng.below(10),
            rng.next() >> 48
        ),
        1..=3 => write!(out, "203.0.113.{}", rng.below(255)),
        4 | 5 => write!(out, "198.51.100.{}", rng.below(255)),
        _ => write!(out, "10.20.{}.{}", rng.below(32), rng.below(255)),
    }
    .expect("write to a Vec");
    let agent = rng.pick(AGENTS);
    let referer = if status == 304 {
        REFERERS[1 + rng.below(3) as usize]
    } else {
        rng.pick(REFERERS)
    };
    let (st, sub, w) = code;
    let _ = write!(out, " {agent} {referer} {st} {sub} {w} {taken}\r\n");
}

/// Writes the log to `path`: a header, then requests through one day, with the header
/// block written again after each of three restarts; stops before passing `size` bytes.
fn write_log(path: &Path, size: u64) -> io::Result<Expected> {
    let mut file = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let mut rng = Rng(SEED);
    let mut e = Expected {
        target: size,
        ..Expected::default()
    };
    let restarts = [size * 3 / 10, size * 11 / 20, size * 4 / 5];
    let mut next_restart = 0;
    let mut line = Vec::with_capacity(1024);
    header(&mut line, 0);
    loop {
        let is_header = !line.is_empty();
        if !is_header {
            let secs = (e.bytes * 86_400 / size.max(1)).min(86_399);
            if next_restart < restarts.len() && e.bytes >= restarts[next_restart] {
                next_restart += 1;
                header(&mut line, secs);
                continue;
            }
            let code = pick_code(&mut rng);
            request(&mut line, &mut rng, secs, code);
            if e.bytes + line.len() as u64 > size {
                break;
            }
            *e.codes.entry(code).or_insert(0) += 1;
            e.requests += 1;
            e.lines += 1;
        } else {
            if e.bytes + line.len() as u64 > size {
                break;
            }
            let n = line.iter().filter(|&&b| b == b'\n').count() as u64;
            e.directives += n;
            e.lines += n;
        }
        file.write_all(&line)?;
        e.bytes += line.len() as u64;
        line.clear();
    }
    file.flush()?;
    Ok(e)
}
