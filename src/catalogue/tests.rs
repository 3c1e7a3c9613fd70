//! Tests of the catalogue: the data parses, holds every code the seed articles (KB 318380)
//! list with their Japanese and Norwegian titles, and look-ups fall back as issue 3 says.

use super::*;
use std::time::Instant;

fn cat() -> &'static Catalogue {
    Catalogue::builtin()
}

const SEED_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/seeds/");
const SEED_LIST: &str = include_str!("../../catalogue/seed-codes.txt");

/// Which language column each seed edition feeds.
const SEED_FILES: [(&str, Lang); 2] = [
    ("000_f866a95ff7091306.txt", Lang::Ja),
    ("004_dff6c65f6c6d8cf6.txt", Lang::Nb),
];

/// Titles that deliberately differ from the seed's text, with the reason.
/// The Japanese edition leaves FTP 426 untranslated ("426 Connection closed; transfer aborted.").
const SEED_TITLE_EXCEPTIONS: [(Table, &str, Lang); 1] = [(Table::Ftp, "426", Lang::Ja)];

/// One code listed in a seed's bullet lists, with the bullet's text after the code.
#[derive(Debug)]
struct SeedCode {
    table: Table,
    code: String,
    text: String,
}

/// Extracts the codes of a seed article's bullet lists. The article has an `HTTP` section,
/// then an `FTP` section (each heading alone on its line); a bullet (`•`) starting with a
/// three-digit code lists it, `403.14` with its substatus, `500-100.ASP` meaning 500.100.
/// Only the first bullet of each code is kept (the listing, before the "common codes" part).
fn seed_codes(text: &str) -> Vec<SeedCode> {
    let mut out: Vec<SeedCode> = Vec::new();
    let mut section = None;
    for line in text.lines() {
        let t = line.trim();
        match t {
            "HTTP" => section = Some(Table::Http),
            "FTP" => section = Some(Table::Ftp),
            _ => {}
        }
        let (Some(table), Some(bullet)) = (section, t.strip_prefix('•')) else {
            continue;
        };
        let bullet = bullet.trim_start();
        let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
        if digits(bullet) != 3 {
            continue;
        }
        let (status, rest) = bullet.split_at(3);
        let mut code = status.to_string();
        let mut rest = rest;
        if let Some(r) = rest.strip_prefix('.').filter(|r| digits(r) > 0) {
            code = format!("{status}.{}", &r[..digits(r)]);
            rest = &r[digits(r)..];
        } else if let Some(r) = rest.strip_prefix('-').filter(|r| digits(r) > 0) {
            if r[digits(r)..].starts_with(".ASP") {
                code = format!("{status}.{}", &r[..digits(r)]);
                rest = &r[digits(r) + 4..];
            }
        }
        if out.iter().any(|c| c.table == table && c.code == code) {
            continue;
        }
        let text = rest
            .trim_start_matches([' ', '-', '–', ':'])
            .trim()
            .to_string();
        out.push(SeedCode { table, code, text });
    }
    out
}

fn seed_list() -> Vec<(Table, StatusCode)> {
    SEED_LIST
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (t, c) = l.split_once(' ').expect("seed-codes.txt: `service code`");
            let table = Table::from_name(t).expect("seed-codes.txt: known service");
            let code = StatusCode::parse(c).expect("seed-codes.txt: well-formed code");
            (table, code)
        })
        .collect()
}

#[test]
fn builtin_parses_quickly() {
    let started = Instant::now();
    let parsed = Catalogue::parse_builtin();
    let took = started.elapsed();
    let c = parsed.unwrap_or_else(|e| panic!("catalogue data does not parse: {e}"));
    assert!(c.entries().count() > 300);
    println!("catalogue parse: {took:?} (debug build)");
    // A debug build is ~10-30x slower than release; release stays well under 1 ms.
    assert!(took.as_millis() < 50, "parse took {took:?}");
}

#[test]
fn seed_files_are_all_in_the_catalogue() {
    if !std::path::Path::new(SEED_DIR).is_dir() {
        println!("skipped: ../shared/seeds not found");
        return;
    }
    let listed = seed_list();
    for (file, lang) in SEED_FILES {
        let path = format!("{SEED_DIR}{file}");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let codes = seed_codes(&text);
        let http = codes.iter().filter(|c| c.table == Table::Http).count();
        let ftp = codes.iter().filter(|c| c.table == Table::Ftp).count();
        assert_eq!((http, ftp), (73, 39), "{file}: codes found per section");
        let mut problems = Vec::new();
        for seed in &codes {
            let Some(key) = StatusCode::parse(&seed.code) else {
                problems.push(format!("{} {}: unparsable", seed.table, seed.code));
                continue;
            };
            if !listed.contains(&(seed.table, key)) {
                problems.push(format!(
                    "{} {}: not in seed-codes.txt",
                    seed.table, seed.code
                ));
            }
            let Some(entry) = cat().status_entry(seed.table, key) else {
                problems.push(format!(
                    "{} {}: missing from the catalogue",
                    seed.table, seed.code
                ));
                continue;
            };
            let exempt = SEED_TITLE_EXCEPTIONS.contains(&(seed.table, seed.code.as_str(), lang));
            let title = &entry.title[lang.index()];
            if !exempt && (title.is_empty() || !seed.text.contains(title.as_ref())) {
                problems.push(format!(
                    "{} {} {lang}: title {title:?} is not the seed's {:?}",
                    seed.table, seed.code, seed.text
                ));
            }
        }
        assert_eq!(
            codes.len(),
            listed.len(),
            "{file}: seed-codes.txt is out of date"
        );
        assert!(problems.is_empty(), "{file}:\n{}", problems.join("\n"));
    }
}

#[test]
fn seed_code_list_is_covered_in_three_languages() {
    let listed = seed_list();
    assert_eq!(listed.len(), 112);
    for (table, code) in listed {
        let e = cat()
            .status_entry(table, code)
            .unwrap_or_else(|| panic!("{table} {code} missing"));
        for lang in Lang::ALL {
            assert!(e.is_translated(lang), "{table} {code}: no {lang} title");
        }
    }
}

#[test]
fn seed_explained_codes_have_causes_in_three_languages() {
    let http = [
        "200", "206", "207", "301", "302", "304", "401.1", "401.2", "401.3", "403", "403.1",
        "403.2", "403.3", "403.4", "403.5", "403.6", "403.7", "403.8", "403.9", "403.12", "404",
        "404.1", "404.2", "404.3", "405", "500", "500.12", "500.100", "502", "503", "500.19",
    ];
    let ftp = ["150", "226", "230", "331", "426", "530", "550"];
    let all = http
        .iter()
        .map(|c| (Table::Http, c))
        .chain(ftp.iter().map(|c| (Table::Ftp, c)));
    for (table, code) in all {
        let key = StatusCode::parse(code).expect("well-formed");
        let e = cat().status_entry(table, key).expect("present");
        for lang in Lang::ALL {
            assert!(
                !e.causes[lang.index()].is_empty(),
                "{table} {code}: no {lang} causes"
            );
        }
    }
}

#[test]
fn every_row_is_well_formed() {
    let iis_ok = |s: &str| {
        let (versions, module) = s.split_once(' ').unwrap_or((s, ""));
        let version = |v: &str| {
            !v.is_empty()
                && v.split('.')
                    .all(|p| !p.is_empty() && p.parse::<u32>().is_ok())
        };
        let versions_ok = match versions.strip_suffix('+') {
            Some(v) => version(v),
            None => match versions.split_once('-') {
                Some((a, b)) => version(a) && version(b),
                None => version(versions),
            },
        };
        versions_ok
            && module
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == ' ')
    };
    for e in cat().entries() {
        let id = format!("{} {}", e.table(), e.code());
        assert!(!e.title(Lang::En).is_empty(), "{id}: no English");
        for lang in Lang::ALL {
            for text in [&e.title[lang.index()], &e.causes[lang.index()]] {
                assert_eq!(
                    text.trim(),
                    text.as_ref(),
                    "{id}: blanks around {lang} text"
                );
                assert!(!text.contains('\t'), "{id}: tab in text");
            }
            assert!(
                !e.title(lang).ends_with('.'),
                "{id}: {lang} title ends with a period"
            );
        }
        match e.table() {
            Table::Win32 => {
                let n: u32 = e.code().parse().expect("decimal win32 code");
                assert!(e.iis().is_empty(), "{id}");
                assert!(!e.name().is_empty(), "{id}: no name");
                let hex = format!("(0x{n:08X})");
                assert_eq!(n >= 0x8000_0000, e.name().contains(&hex), "{id}: hex form");
            }
            _ => assert!(iis_ok(e.iis()), "{id}: bad iis column {:?}", e.iis()),
        }
    }
}

#[test]
fn tables_have_the_expected_sizes() {
    let n = |t| cat().entries_in(t).count();
    assert!(n(Table::Http) >= 180, "{}", n(Table::Http));
    assert!(n(Table::Ftp) >= 50);
    assert!(n(Table::Smtp) >= 30);
    assert_eq!(n(Table::HttpErr), 38);
    assert!(n(Table::Win32) >= 40);
    for reason in [
        "AppOffline",
        "Timer_ConnectionIdle",
        "Connection_Dropped",
        "QueueFull",
        "Timer_MinBytesPerSecond",
        "Invalid_CR/LF",
        "N/A",
        "N/I",
        "Version_N/S",
        "Timer_SslRenegotiation",
    ] {
        assert!(cat().reason(reason).is_some(), "{reason}");
    }
    assert_eq!(
        cat().reason("timer_connectionidle").map(Entry::code),
        Some("Timer_ConnectionIdle")
    );
    for w in [
        0, 1, 2, 3, 5, 13, 50, 64, 121, 995, 1229, 1236, 1260, 1326, 10053, 10054, 10060, 12002,
        12029, 12030, 2148074252, 2148074254,
    ] {
        assert!(cat().win32_entry(w).is_some(), "win32 {w}");
    }
}

#[test]
fn status_codes_parse_and_print() {
    let p = |s| StatusCode::parse(s).map(|c| c.to_string());
    assert_eq!(p("403.14").as_deref(), Some("403.14"));
    assert_eq!(p("500-100").as_deref(), Some("500.100"));
    assert_eq!(p(" 404 ").as_deref(), Some("404"));
    assert_eq!(p("4xx").as_deref(), Some("4xx"));
    assert_eq!(p("5XX").as_deref(), Some("5xx"));
    assert_eq!(p("799").as_deref(), Some("799"));
    for bad in [
        "", "40", "4040", "099", "403.", "403.1234", "abc", "0xx", "403.x", "4-",
    ] {
        assert_eq!(p(bad), None, "{bad:?}");
    }
    assert_eq!(parse_win32("0x8009030E"), Some(2148074254));
    assert_eq!(parse_win32("64"), Some(64));
    assert_eq!(parse_win32("-"), None);
    assert_eq!(unwrap_hresult(0x8007_03E3), Some(995));
    assert_eq!(unwrap_hresult(0x8009_030E), None);
}

#[test]
fn lookups_fall_back_status_class_unknown() {
    let c = cat();
    let d = |status, sub| c.describe(Service::Http, Some(status), sub, None, Lang::En);
    assert_eq!(d(403, Some(14)), "Directory listing denied");
    assert_eq!(d(403, Some(999)), "Forbidden");
    assert_eq!(
        c.resolve(Service::Http, Some(403), Some(999)).matched,
        Match::Status
    );
    assert_eq!(d(499, None), "4xx client error");
    assert_eq!(
        c.resolve(Service::Http, Some(499), Some(3)).matched,
        Match::Class
    );
    assert_eq!(d(799, None), "unknown code");
    assert_eq!(
        c.resolve(Service::Http, Some(799), None).matched,
        Match::Unknown
    );
    // Substatus 0 means "no substatus": 404.0 exists, 405.0 does not.
    assert_eq!(
        d(404, Some(0)),
        c.lookup(Service::Http, "404.0").unwrap().title(Lang::En)
    );
    assert_eq!(d(405, Some(0)), d(405, None));
    assert_eq!(
        c.resolve(Service::Http, Some(405), Some(0)).matched,
        Match::Exact
    );
    // No status logged.
    assert_eq!(
        c.describe(Service::Ftp, None, None, None, Lang::En),
        "no status logged"
    );
    assert_eq!(c.causes(Service::Ftp, None, None, Lang::En), "");
    assert!(!c
        .describe(Service::Http, None, None, None, Lang::Ja)
        .is_empty());
}

#[test]
fn services_have_their_own_tables() {
    let c = cat();
    let ftp = c.describe(Service::Ftp, Some(550), None, None, Lang::En);
    let http = c.describe(Service::Http, Some(550), None, None, Lang::En);
    assert!(
        ftp.starts_with("Requested action not taken. File unavailable"),
        "{ftp}"
    );
    assert_eq!(http, "5xx server error");
    assert_ne!(ftp, http);
    assert!(!ftp.to_lowercase().contains("internal server error"));
    // HTTPERR rows use HTTP meanings for their status.
    assert_eq!(
        c.describe(Service::HttpErr, Some(503), None, None, Lang::En),
        c.describe(Service::Http, Some(503), None, None, Lang::En)
    );
    assert_eq!(
        c.lookup(Service::HttpErr, "timer_minbytespersecond")
            .map(|e| e.table()),
        Some(Table::HttpErr)
    );
    assert!(c.lookup(Service::Http, "Timer_ConnectionIdle").is_none());
    assert_eq!(
        c.describe(Service::Smtp, Some(250), None, None, Lang::En),
        "Requested mail action okay, completed"
    );
}

#[test]
fn languages_and_fallback_to_english() {
    let c = cat();
    let d = |s, sub, lang| c.describe(Service::Http, Some(s), sub, None, lang);
    assert_eq!(
        d(404, None, Lang::Ja),
        "ファイルまたはディレクトリが見つかりません"
    );
    assert_eq!(d(404, None, Lang::Nb), "Ikke funnet");
    assert_eq!(d(499, None, Lang::Ja), "4xx クライアントのエラー");
    assert_eq!(d(499, None, Lang::Nb), "4xx klientfeil");
    assert_eq!(d(799, None, Lang::Nb), "ukjent kode");
    // 429 has no translation: English, not empty.
    assert_eq!(d(429, None, Lang::Ja), "Too many requests");
    assert_eq!(d(429, None, Lang::Nb), d(429, None, Lang::En));
    let e = c.lookup(Service::Http, "404.13").unwrap();
    assert!(!e.is_translated(Lang::Ja));
    assert_eq!(e.causes(Lang::Nb), e.causes(Lang::En));
    assert!(!e.causes(Lang::Nb).is_empty());
    assert!(c
        .causes(Service::Ftp, Some(550), None, Lang::Ja)
        .contains("GET"));
}

#[test]
fn win32_is_appended_unless_zero() {
    let c = cat();
    let d = |s, sub, w| c.describe(Service::Http, Some(s), sub, w, Lang::En);
    let gone = d(404, None, Some(64));
    assert_eq!(
        gone,
        "Not found; win32 64 ERROR_NETNAME_DELETED: the client went away"
    );
    assert!(gone.contains("ERROR_NETNAME_DELETED"));
    assert_eq!(d(404, None, Some(0)), "Not found");
    assert_eq!(d(404, None, None), "Not found");
    let first_leg = d(401, Some(2), Some(5));
    assert!(first_leg.contains("ERROR_ACCESS_DENIED"), "{first_leg}");
    assert!(first_leg.contains("not an attack"), "{first_leg}");
    let ntlm = d(401, Some(1), Some(2148074254));
    assert!(ntlm.contains("SEC_E_NO_CREDENTIALS (0x8009030E)"), "{ntlm}");
    assert!(ntlm.contains("not an attack"), "{ntlm}");
    assert!(d(500, Some(19), Some(13)).contains("ERROR_INVALID_DATA"));
    let wrapped = d(500, None, Some(0x8007_03E3));
    assert!(
        wrapped.contains("(0x800703E3 = 995 ERROR_OPERATION_ABORTED)"),
        "{wrapped}"
    );
    assert!(d(200, None, Some(4242)).ends_with("; win32 4242"));
    assert!(d(200, None, Some(0x8888_0000)).ends_with("(0x88880000)"));
    let ja = c.describe(Service::Http, Some(404), None, Some(64), Lang::Ja);
    assert!(
        ja.contains("ERROR_NETNAME_DELETED: クライアントが切断しました"),
        "{ja}"
    );
}

#[test]
fn languages_parse_from_codes_and_locales() {
    assert_eq!(Lang::from_code("JA"), Some(Lang::Ja));
    assert_eq!(Lang::from_code(" nb "), Some(Lang::Nb));
    assert_eq!(Lang::from_code("no"), Some(Lang::Nb));
    assert_eq!(Lang::from_code("nn"), Some(Lang::Nb));
    assert_eq!(Lang::from_code("en"), Some(Lang::En));
    assert_eq!(Lang::from_code("de"), None);
    assert_eq!(Lang::from_locale("ja_JP.UTF-8"), Some(Lang::Ja));
    assert_eq!(Lang::from_locale("ja-JP"), Some(Lang::Ja));
    assert_eq!(Lang::from_locale("Japanese_Japan.932"), Some(Lang::Ja));
    assert_eq!(Lang::from_locale("nb_NO"), Some(Lang::Nb));
    assert_eq!(Lang::from_locale("no_NO"), Some(Lang::Nb));
    assert_eq!(Lang::from_locale("nn_NO.UTF-8@euro"), Some(Lang::Nb));
    assert_eq!(Lang::from_locale("en_US"), Some(Lang::En));
    assert_eq!(Lang::from_locale("de:nb"), Some(Lang::Nb));
    for none in ["C", "C.UTF-8", "POSIX", "", "de_DE"] {
        assert_eq!(Lang::from_locale(none), None, "{none:?}");
    }
    for l in Lang::ALL {
        assert_eq!(Lang::from_code(l.code()), Some(l));
    }
    for t in Table::ALL {
        assert_eq!(Table::from_name(t.name()), Some(t));
    }
}

#[test]
fn explain_struct_matches_describe_and_causes() {
    let c = cat();
    let x = c.explain(Service::Http, Some(403), Some(14), Some(5), Lang::En);
    assert_eq!(
        x.title,
        c.describe(Service::Http, Some(403), Some(14), Some(5), Lang::En)
    );
    assert_eq!(
        x.causes,
        c.causes(Service::Http, Some(403), Some(14), Lang::En)
    );
    assert!(!x.causes.is_empty());
}
