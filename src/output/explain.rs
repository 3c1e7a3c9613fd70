//! Renders what `iislog explain` shows: finds the catalogue entries for what the user typed
//! (a status, `401 2 5`, a win32 value, an HTTPERR reason, or the whole list) and prints them
//! as a readable terminal page, as formula-safe CSV, or as JSON. No command-line types here.

use std::fmt;

use serde::Serialize;

use crate::catalogue::{
    parse_win32, win32_hex, Catalogue, Entry, Lang, Match, Origin, StatusCode, Table,
};
use crate::output::{safe_cell, Format};
use crate::service::Service;

/// Whether CSV should start with a UTF-8 byte-order mark: only with `--excel`, on every
/// platform. Excel on Windows needs it to read UTF-8 (without it, Japanese and Norwegian
/// text is garbled in the ANSI code page); scripts and other tools are better without it,
/// and the same input gives the same bytes on Linux and Windows.
pub fn wants_bom(excel: bool) -> bool {
    excel
}

/// One explained code: the unit all three formats print.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explained {
    /// The table the answer comes from.
    pub table: Table,
    /// What was asked, normalised (`403.14`, `64`, `41`, `Timer_ConnectionIdle`).
    pub query: String,
    /// The code of the entry shown: `403` when 403.999 fell back to its status.
    pub code: String,
    /// How the query was answered.
    #[serde(rename = "match")]
    pub matched: Match,
    /// The Windows error name, for win32 answers; otherwise empty.
    pub name: String,
    /// A win32 value in hex (`0x40`, `0x8009030E`); otherwise empty.
    pub hex: String,
    /// Who writes it: IIS versions (`5+`, `7+ ARR`…), `app` or `rfc`; empty for win32
    /// answers and unknown codes.
    pub iis: String,
    /// Where the meaning comes from (KB numbers, Microsoft page titles, RFCs).
    pub source: String,
    /// The language the title is really written in: the one asked for, or `en` when that
    /// one has no text yet.
    pub lang: &'static str,
    /// Where the title's words come from: `seed` (KB 318380's edition in that language,
    /// word for word) or `ours`.
    pub origin: &'static str,
    /// The short meaning; never empty.
    pub title: String,
    /// The language the causes are really written in; empty when there are no causes.
    pub causes_lang: &'static str,
    /// Where the causes' words come from (`seed`, `ours`); empty when there are none.
    pub causes_origin: &'static str,
    /// Usual causes and what to check (lines separated by `\n`); may be empty.
    pub causes: String,
    /// What a reader must not miss: where the seed article is wrong or out of date, or a
    /// typo it has; may be empty.
    pub note: String,
    /// How the answer was found or placed (a fallback, an HRESULT unwrapped, a win32 value
    /// that tells the story), or empty.
    pub lookup: String,
    /// The language asked for (not printed: the page uses it to say what is translated).
    #[serde(skip)]
    pub asked: Lang,
}

/// Why a query could not be explained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExplainError {
    /// Not a status code (`403`, `403.14`, `4xx`, `401 2 5`) nor an HTTPERR reason.
    BadCode(String),
    /// Not a win32 value (decimal or `0x…`).
    BadWin32(String),
    /// Writing CSV or JSON failed.
    Render(String),
}

impl fmt::Display for ExplainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExplainError::BadCode(q) => write!(
                f,
                "`{q}` is not a status code (403, 403.14, 4xx, \"401 2 5\") or an HTTPERR reason"
            ),
            ExplainError::BadWin32(q) => {
                write!(
                    f,
                    "`{q}` is not a win32 status (decimal, or hex as 0x8009030E)"
                )
            }
            ExplainError::Render(e) => write!(f, "cannot write the output: {e}"),
        }
    }
}

impl std::error::Error for ExplainError {}

/// Explains what the user typed for a service: a status (`403.14`, `403-14`, `403`, `4xx`),
/// a log triple (`"401 2 5"`: status, substatus and win32, or the three as separate
/// words), or an HTTPERR `s-reason` (for any service). An FTP substatus (`530.41`,
/// `530 41 1326`) is explained by its own table (KB 969061). When the win32 value of a
/// triple tells what happened (the client left, a bad password) or `combos.tsv` knows the
/// triple, the win32 answer comes first. Codes the catalogue lacks fall back as the
/// summary does and still give an answer; only malformed input is an error.
pub fn explain(
    cat: &Catalogue,
    service: Service,
    query: &str,
    lang: Lang,
) -> Result<Vec<Explained>, ExplainError> {
    let q = query.trim();
    let parts: Vec<&str> = q.split_whitespace().collect();
    if parts.len() > 1 {
        let nums: Option<Vec<u32>> = parts.iter().map(|p| parse_win32(p)).collect();
        let (status, sub, win32) = match nums.as_deref() {
            Some(&[status, sub]) => (status, sub, 0),
            Some(&[status, sub, win32]) => (status, sub, win32),
            _ => return Err(ExplainError::BadCode(q.to_string())),
        };
        if StatusCode::parse(&status.to_string()).is_none() {
            return Err(ExplainError::BadCode(q.to_string()));
        }
        let mut out = explain_status(cat, service, status, Some(sub), lang);
        if win32 != 0 {
            let mut item = explain_win32_code(cat, win32, lang);
            let combo = cat.combo_entry(service, Some(status), Some(sub), win32);
            if let Some(shown) = combo.and_then(|c| c.shown(lang)) {
                item.title = shown.text.to_string();
                item.lang = shown.lang.code();
                item.origin = shown.origin.name();
            }
            if let Some(c) = combo {
                item.source = join_sources(c.source(), &item.source);
            }
            let decides = cat.win32_resolve(win32).is_some_and(|(e, _)| e.decides());
            if decides || combo.is_some() {
                item.lookup = join_lines(cat.text("win32_leads", lang), &item.lookup);
                out.insert(0, item);
            } else {
                out.push(item);
            }
        }
        return Ok(out);
    }
    match StatusCode::parse(q) {
        Some(StatusCode::Status(status, sub)) => {
            Ok(explain_status(cat, service, status, sub, lang))
        }
        Some(StatusCode::Class(_)) => {
            let table = Table::for_status(service);
            let class = StatusCode::parse(q).and_then(|c| cat.status_entry(table, c));
            Ok(vec![match class {
                Some(e) => from_entry(e, q, Match::Exact, lang),
                None => unknown(cat, table, q, lang),
            }])
        }
        None => match cat.reason(q) {
            Some(e) => Ok(vec![from_entry(e, e.code(), Match::Exact, lang)]),
            None if service == Service::HttpErr && !q.is_empty() => {
                Ok(vec![unknown(cat, Table::HttpErr, q, lang)])
            }
            None => Err(ExplainError::BadCode(q.to_string())),
        },
    }
}

/// Explains a win32 status given as decimal (`64`, `2148074254`) or hex (`0x8009030E`).
/// An HRESULT `0x8007xxxx` the catalogue lacks is explained by the Windows error it wraps.
pub fn explain_win32(cat: &Catalogue, query: &str, lang: Lang) -> Result<Explained, ExplainError> {
    parse_win32(query)
        .map(|w| explain_win32_code(cat, w, lang))
        .ok_or_else(|| ExplainError::BadWin32(query.trim().to_string()))
}

/// The whole catalogue, or the tables of one service (`ftp` lists the FTP substatus table
/// too), in file order (for `explain --list`).
pub fn list(cat: &Catalogue, table: Option<Table>, lang: Lang) -> Vec<Explained> {
    cat.entries()
        .filter(|e| table.is_none_or(|t| t.lists(e.table())))
        .map(|e| from_entry(e, e.code(), Match::Exact, lang))
        .collect()
}

/// The status, and for FTP the substatus as its own item (IIS 7+ FTP logs a substatus that
/// means the same under every status, KB 969061; 0, "successful operation", adds nothing).
fn explain_status(
    cat: &Catalogue,
    service: Service,
    status: u32,
    sub: Option<u32>,
    lang: Lang,
) -> Vec<Explained> {
    let ftp = service == Service::Ftp;
    let query = match (ftp, sub) {
        (true, _) => StatusCode::Status(status, None).to_string(),
        (false, sub) => StatusCode::Status(status, sub).to_string(),
    };
    let r = cat.resolve(service, Some(status), sub);
    let mut item = match r.entry {
        None => unknown(cat, Table::for_status(service), &query, lang),
        Some(entry) => {
            let mut item = from_entry(entry, &query, r.matched, lang);
            item.title = cat.title_of(&r, lang);
            let key = match r.matched {
                Match::Status => "matched_status",
                Match::Class => "matched_class",
                _ => "",
            };
            if !key.is_empty() {
                item.lookup = fill(cat.text(key, lang), &query, entry.code());
            }
            item
        }
    };
    if ftp {
        item.query = StatusCode::Status(status, sub.filter(|s| *s != 0)).to_string();
    }
    let mut out = vec![item];
    if let Some(s) = sub.filter(|s| ftp && *s != 0) {
        let code = s.to_string();
        out.push(match cat.ftp_substatus(s) {
            Some(e) => from_entry(e, &code, Match::Exact, lang),
            None => unknown(cat, Table::FtpSub, &code, lang),
        });
    }
    out
}

fn explain_win32_code(cat: &Catalogue, code: u32, lang: Lang) -> Explained {
    let query = code.to_string();
    let mut item = match cat.win32_resolve(code) {
        Some((e, wrapped)) => {
            let mut item = from_entry(e, &query, Match::Exact, lang);
            if wrapped {
                item.matched = Match::Status;
                item.lookup = cat
                    .text("hresult", lang)
                    .replace("{hex}", &format!("0x{code:08X}"))
                    .replace("{code}", e.code());
            }
            item
        }
        None => unknown(cat, Table::Win32, &query, lang),
    };
    item.hex = win32_hex(code);
    item
}

fn from_entry(e: &Entry, query: &str, matched: Match, lang: Lang) -> Explained {
    let title = e.title_shown(lang);
    let causes = e.causes_shown(lang);
    Explained {
        table: e.table(),
        query: query.to_string(),
        code: e.code().to_string(),
        matched,
        name: e.name().to_string(),
        hex: match e.table() {
            Table::Win32 => parse_win32(e.code()).map(win32_hex).unwrap_or_default(),
            _ => String::new(),
        },
        iis: e.iis().to_string(),
        source: e.source().to_string(),
        lang: title.lang.code(),
        origin: title.origin.name(),
        title: title.text.to_string(),
        causes_lang: causes.map_or("", |c| c.lang.code()),
        causes_origin: causes.map_or("", |c| c.origin.name()),
        causes: causes.map_or("", |c| c.text).to_string(),
        note: e.note(lang).to_string(),
        lookup: String::new(),
        asked: lang,
    }
}

fn unknown(cat: &Catalogue, table: Table, query: &str, lang: Lang) -> Explained {
    Explained {
        table,
        query: query.to_string(),
        code: query.to_string(),
        matched: Match::Unknown,
        name: String::new(),
        hex: String::new(),
        iis: String::new(),
        source: String::new(),
        lang: lang.code(),
        origin: Origin::Ours.name(),
        title: cat.text("unknown_code", lang).to_string(),
        causes_lang: "",
        causes_origin: "",
        causes: String::new(),
        note: String::new(),
        lookup: fill(cat.text("matched_unknown", lang), query, query),
        asked: lang,
    }
}

fn fill(template: &str, query: &str, code: &str) -> String {
    template.replace("{query}", query).replace("{code}", code)
}

/// `a; b`, without repeating a source `b` already has.
fn join_sources(first: &str, rest: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for s in first.split(';').chain(rest.split(';')).map(str::trim) {
        if !s.is_empty() && !out.contains(&s) {
            out.push(s);
        }
    }
    out.join("; ")
}

/// Two notes, one per line, either of them possibly empty.
fn join_lines(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ => format!("{a}\n{b}"),
    }
}

/// Page width for [`render_text`], in terminal columns.
pub const PAGE_WIDTH: usize = 78;

/// A readable page: per item a heading (`http 403.14: Directory listing denied`, `win32
/// 64 (0x40) ERROR_NETNAME_DELETED: …`), how it was found, who writes it, its source, in
/// another language than English where its words come from, the causes and the note, all
/// wrapped to [`PAGE_WIDTH`] columns (Japanese counted double width); items are separated
/// by a blank line.
pub fn render_text(cat: &Catalogue, items: &[Explained]) -> String {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        let lang = item.asked;
        if i > 0 {
            out.push('\n');
        }
        let mut head = format!("{} {}", item.table, item.query);
        if !item.hex.is_empty() {
            head.push_str(&format!(" ({})", item.hex));
        }
        if !item.name.is_empty() {
            head.push(' ');
            head.push_str(&item.name);
        }
        head.push_str(": ");
        head.push_str(&item.title);
        wrap_into(&mut out, &head, "", "    ");
        for line in item.lookup.split('\n').filter(|l| !l.is_empty()) {
            wrap_into(&mut out, line, "", "");
        }
        let written = match item.iis.as_str() {
            "" => String::new(),
            "app" => cat.text("written_by_app", lang).to_string(),
            "rfc" => cat.text("written_by_rfc", lang).to_string(),
            iis => cat.text("written_by", lang).replace("{iis}", iis),
        };
        if !written.is_empty() {
            wrap_into(&mut out, &written, "", "  ");
        }
        if !item.source.is_empty() {
            let source = cat.text("source", lang).replace("{source}", &item.source);
            wrap_into(&mut out, &source, "", "  ");
        }
        if lang != Lang::En && item.matched != Match::Unknown {
            wrap_into(&mut out, &text_line(cat, item), "", "  ");
        }
        if !item.causes.is_empty() {
            out.push('\n');
            out.push_str(cat.text("causes", lang));
            out.push_str(":\n");
            for para in item.causes.split('\n') {
                wrap_into(&mut out, para, "  ", "  ");
            }
        }
        if !item.note.is_empty() {
            out.push('\n');
            out.push_str(cat.text("note", lang));
            out.push_str(":\n");
            for para in item.note.split('\n') {
                wrap_into(&mut out, para, "  ", "  ");
            }
        }
    }
    out
}

/// "Norsk tekst: tittel ordrett fra den norske utgaven av KB 318380, årsaker oversatt for
/// iislog": what language the title and causes are in and where their words come from.
fn text_line(cat: &Catalogue, item: &Explained) -> String {
    let lang = item.asked;
    let phrase = |shown: &str, origin: &str| {
        let key = if shown != lang.code() {
            "origin_english"
        } else if origin == Origin::Seed.name() {
            "origin_seed"
        } else {
            "origin_ours"
        };
        cat.text(key, lang)
    };
    let title = phrase(item.lang, item.origin);
    if item.causes.is_empty() {
        cat.text("text_line_title", lang).replace("{title}", title)
    } else {
        cat.text("text_line", lang)
            .replace("{title}", title)
            .replace("{causes}", phrase(item.causes_lang, item.causes_origin))
    }
}

/// The CSV columns, in order.
pub const CSV_HEADER: [&str; 16] = [
    "table",
    "query",
    "code",
    "match",
    "name",
    "hex",
    "iis",
    "source",
    "lang",
    "origin",
    "title",
    "causes_lang",
    "causes_origin",
    "causes",
    "note",
    "lookup",
];

/// CSV with a header row, UTF-8 (with a byte-order mark when `bom`, see [`wants_bom`]).
/// Every cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a `'`
/// in front, so a spreadsheet shows it as text instead of running it as a formula.
pub fn render_csv(items: &[Explained], bom: bool) -> Result<String, ExplainError> {
    let err = |e: &dyn fmt::Display| ExplainError::Render(e.to_string());
    let mut w = crate::output::csv_writer(Vec::new(), false).map_err(|e| err(&e))?;
    w.write_record(CSV_HEADER).map_err(|e| err(&e))?;
    for item in items {
        let matched = match item.matched {
            Match::Exact => "exact",
            Match::Status => "status",
            Match::Class => "class",
            Match::Unknown => "unknown",
            Match::NoStatus => "nostatus",
        };
        let row = [
            item.table.name(),
            &item.query,
            &item.code,
            matched,
            &item.name,
            &item.hex,
            &item.iis,
            &item.source,
            item.lang,
            item.origin,
            &item.title,
            item.causes_lang,
            item.causes_origin,
            &item.causes,
            &item.note,
            &item.lookup,
        ];
        w.write_record(row.iter().map(|c| safe_cell(c).into_owned()))
            .map_err(|e| err(&e))?;
    }
    let bytes = w.into_inner().map_err(|e| err(&e))?;
    let body = String::from_utf8(bytes).map_err(|e| err(&e))?;
    Ok(if bom { format!("\u{FEFF}{body}") } else { body })
}

/// A pretty-printed JSON array of the items, with a final newline.
pub fn render_json(items: &[Explained]) -> Result<String, ExplainError> {
    serde_json::to_string_pretty(items)
        .map(|s| s + "\n")
        .map_err(|e| ExplainError::Render(e.to_string()))
}

/// Renders in the chosen format (`bom` only matters for CSV).
pub fn render(
    cat: &Catalogue,
    items: &[Explained],
    format: Format,
    bom: bool,
) -> Result<String, ExplainError> {
    match format {
        Format::Table => Ok(render_text(cat, items)),
        Format::Csv => render_csv(items, bom),
        Format::Json => render_json(items),
    }
}

/// Terminal columns a character takes: 2 for East Asian wide characters, else 1.
fn width(c: char) -> usize {
    match c as u32 {
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 => 2,
        _ => 1,
    }
}

/// Japanese characters a line must not start with.
const NO_LINE_START: &str = "。、，．・：；？！）」』】〕ー々ぁぃぅぇぉっゃゅょァィゥェォッャュョ";

/// Whether a line may break just before `c`: before a wide character that may start a line.
fn breaks_before(c: char) -> bool {
    width(c) == 2 && !NO_LINE_START.contains(c)
}

/// Appends `text` wrapped to [`PAGE_WIDTH`]: first line after `first`, the rest after `rest`.
/// Lines break at spaces, or between wide characters (not before closing punctuation).
fn wrap_into(out: &mut String, text: &str, first: &str, rest: &str) {
    let mut indent = first;
    let mut line = String::new();
    let mut line_width = 0;
    let mut brk: Option<usize> = None;
    for c in text.chars() {
        let w = width(c);
        if c == ' ' || (!line.is_empty() && breaks_before(c)) {
            brk = Some(line.len());
        }
        line.push(c);
        line_width += w;
        if indent.len() + line_width > PAGE_WIDTH {
            if let Some(b) = brk.filter(|b| *b > 0) {
                out.push_str(indent);
                out.push_str(line[..b].trim_end());
                out.push('\n');
                line = line[b..].trim_start().to_string();
                line_width = line.chars().map(width).sum();
                indent = rest;
                brk = line
                    .char_indices()
                    .rev()
                    .find(|&(i, c)| c == ' ' || (i > 0 && breaks_before(c)))
                    .map(|(i, _)| i);
            }
        }
    }
    if !line.trim().is_empty() || text.is_empty() {
        out.push_str(indent);
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat() -> &'static Catalogue {
        Catalogue::builtin()
    }

    fn one(service: Service, q: &str, lang: Lang) -> Explained {
        let mut v = explain(cat(), service, q, lang).expect("explains");
        assert_eq!(v.len(), 1, "{q}");
        v.remove(0)
    }

    /// KB 318380 and KB 943891: "403.14 - Directory listing denied"; IIS 6.0 and later log
    /// the substatus (KB 907273), so it is written by IIS 6+.
    #[test]
    fn page_for_403_14_word_for_word() {
        let item = one(Service::Http, "403.14", Lang::En);
        let page = render_text(cat(), &[item]);
        let expected = "\
http 403.14: Directory listing denied
Written by IIS 6+
Source: KB 318380; KB 943891

Usual causes and what to check:
  The URL names a folder, no default document is set (or none of the default
  documents exists there), and directory browsing is off. Add a default
  document, or enable directory browsing if listing the folder is intended. On
  IIS 7+ an application whose handler is missing (e.g. ASP.NET MVC without its
  runtime) shows the same code.
";
        assert_eq!(page, expected);
    }

    /// KB 318380 in Norwegian: "503 - Tjeneste utilgjengelig. Denne feilkoden er spesifikk
    /// for IIS 6.0." is the title, whole; the page says the words are the seed's, and the
    /// note says what the seed gets wrong.
    #[test]
    fn page_says_where_the_words_come_from() {
        let page = render_text(cat(), &[one(Service::Http, "503", Lang::Nb)]);
        assert!(
            page.starts_with(
                "http 503: Tjeneste utilgjengelig. Denne feilkoden er spesifikk for IIS 6.0\n"
            ),
            "{page}"
        );
        assert!(
            page.contains("Kilde: KB 318380; KB 943891; KB 820729\n"),
            "{page}"
        );
        assert!(
            page.contains("Norsk tekst: tittel ordrett fra den norske utgaven av KB 318380"),
            "{page}"
        );
        assert!(page.contains("\nMerk:\n"), "{page}");
        // A title not translated yet is shown in English and said to be.
        let untranslated = cat()
            .entries()
            .find(|e| !e.is_translated(Lang::Ja))
            .map(|e| (e.table(), e.code().to_string()));
        if let Some((table, code)) = untranslated {
            let item = list(cat(), Some(table), Lang::Ja)
                .into_iter()
                .find(|i| i.code == code)
                .expect("listed");
            assert_eq!(item.lang, "en");
            let page = render_text(cat(), &[item]);
            assert!(page.contains("未翻訳 (英語で表示)"), "{page}");
        }
    }

    #[test]
    fn page_for_a_fallback_and_for_win32() {
        let page = render_text(cat(), &[one(Service::Http, "403-999", Lang::En)]);
        assert!(page.starts_with(
            "http 403.999: Forbidden\n403.999 is not in the catalogue; this is the meaning of 403.\nWritten by IIS 5+\n"
        ), "{page}");
        let w = explain_win32(cat(), "64", Lang::En).unwrap();
        let page = render_text(cat(), &[w]);
        assert!(
            page.starts_with("win32 64 (0x40) ERROR_NETNAME_DELETED: the client went away\n"),
            "{page}"
        );
        let unknown = render_text(cat(), &[one(Service::Http, "799", Lang::En)]);
        assert_eq!(
            unknown,
            "http 799: unknown code\n799 is not in the catalogue.\n"
        );
        // RFC 6585's 429 is not among the codes KB 943891 lists for IIS.
        let page = render_text(cat(), &[one(Service::Http, "429", Lang::En)]);
        assert!(page.contains("\nWritten by: not IIS itself"), "{page}");
    }

    #[test]
    fn japanese_page_wraps_by_display_width() {
        let item = one(Service::Http, "403.1", Lang::Ja);
        let page = render_text(cat(), &[item]);
        assert!(
            page.starts_with("http 403.1: 実行のアクセスが許可されていません\n"),
            "{page}"
        );
        assert!(page.contains("主な原因と確認事項:\n"), "{page}");
        for line in page.lines() {
            let w: usize = line.chars().map(width).sum();
            assert!(w <= PAGE_WIDTH, "too wide ({w}): {line}");
            assert!(!line.trim_start().starts_with('。'), "{line}");
        }
    }

    /// A triple explained as a whole: when the win32 value tells what happened ("System
    /// Error Codes": 64 ERROR_NETNAME_DELETED, 995 ERROR_OPERATION_ABORTED, 1236
    /// ERROR_CONNECTION_ABORTED: the client left; 1326 ERROR_LOGON_FAILURE: bad user name
    /// or password), it comes first, then the status (KB 943891: 500.19 "Configuration
    /// data is invalid").
    #[test]
    fn triples_lead_with_what_happened() {
        let v = explain(cat(), Service::Http, "500 19 64", Lang::En).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!((v[0].table, v[0].query.as_str()), (Table::Win32, "64"));
        assert!(v[0].title.contains("client went away"), "{}", v[0].title);
        assert!(
            v[0].lookup.contains("tells what happened"),
            "{}",
            v[0].lookup
        );
        assert_eq!(v[1].query, "500.19");
        assert!(v[1].title.starts_with("Configuration data is invalid"));
        for w in ["995", "1236"] {
            let v = explain(cat(), Service::Http, &format!("200 0 {w}"), Lang::En).unwrap();
            assert_eq!(v[0].query, w);
        }
        let v = explain(cat(), Service::Http, "401 1 1326", Lang::En).unwrap();
        assert_eq!(v[0].name, "ERROR_LOGON_FAILURE");
        assert!(v[0].title.contains("bad password"), "{}", v[0].title);
        // A value that does not decide comes after the status: 404 0 2.
        let v = explain(cat(), Service::Http, "404 0 2", Lang::En).unwrap();
        assert_eq!((v[0].table, v[1].table), (Table::Http, Table::Win32));
        // KB 969060: 401 2 5 is the first leg of Windows authentication.
        let v = explain(cat(), Service::Http, "401 2 5", Lang::En).unwrap();
        assert_eq!(v[0].table, Table::Win32);
        assert!(v[0].title.contains("not an attack"), "{}", v[0].title);
        assert!(v[0].source.contains("KB 969060"), "{}", v[0].source);
        assert_eq!(v[1].title, "Logon failed due to server configuration");
        assert_eq!(
            explain(cat(), Service::Http, "404 0 0", Lang::En)
                .unwrap()
                .len(),
            1
        );
    }

    /// KB 969061: FTP substatus 41 "An error occurred during the authentication process"
    /// and 42 "Anonymous authentication is not allowed", with 530 "Not logged in".
    #[test]
    fn ftp_status_and_substatus() {
        let v = explain(cat(), Service::Ftp, "530.42", Lang::En).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(
            (v[0].query.as_str(), v[0].matched),
            ("530.42", Match::Exact)
        );
        assert_eq!(v[0].title, "Not logged in");
        assert_eq!((v[1].table, v[1].query.as_str()), (Table::FtpSub, "42"));
        assert_eq!(v[1].title, "Anonymous authentication is not allowed");
        let v = explain(cat(), Service::Ftp, "530 41 1326", Lang::En).unwrap();
        let tables: Vec<Table> = v.iter().map(|i| i.table).collect();
        assert_eq!(tables, [Table::Win32, Table::Ftp, Table::FtpSub]);
        let v = explain(cat(), Service::Ftp, "550 99", Lang::En).unwrap();
        assert_eq!(v[1].matched, Match::Unknown);
        let v = explain(cat(), Service::Ftp, "226.0", Lang::En).unwrap();
        assert_eq!(v.len(), 1);
        let ftp = one(Service::Ftp, "550", Lang::Nb);
        assert_eq!(ftp.table, Table::Ftp);
        assert!(ftp.title.starts_with("Forespurt handling ikke utført"));
    }

    #[test]
    fn services_and_bad_queries() {
        let reason = one(Service::Http, "timer_connectionidle", Lang::En);
        assert_eq!(
            (reason.table, reason.code.as_str()),
            (Table::HttpErr, "Timer_ConnectionIdle")
        );
        assert_eq!(
            one(Service::HttpErr, "Nonsense", Lang::En).matched,
            Match::Unknown
        );
        assert_eq!(
            explain(cat(), Service::Http, "Nonsense", Lang::En),
            Err(ExplainError::BadCode("Nonsense".into()))
        );
        assert!(explain(cat(), Service::Http, "401 x", Lang::En).is_err());
        assert!(explain(cat(), Service::Http, "40 1 2", Lang::En).is_err());
        let class = one(Service::Http, "4xx", Lang::En);
        assert_eq!(
            (class.matched, class.title.as_str()),
            (Match::Exact, "Client error")
        );
        assert_eq!(
            one(Service::Http, "499", Lang::En).title,
            "4xx client error"
        );
    }

    /// "COM Error Codes (Security and Setup)": SEC_E_INVALID_TOKEN is 0x80090308, which is
    /// 2148074248; hex and decimal give the same answer, and both are printed.
    #[test]
    fn win32_queries() {
        let hex = explain_win32(cat(), "0x80090308", Lang::En).unwrap();
        let dec = explain_win32(cat(), "2148074248", Lang::En).unwrap();
        assert_eq!(hex, dec);
        assert_eq!(
            (hex.query.as_str(), hex.hex.as_str(), hex.name.as_str()),
            ("2148074248", "0x80090308", "SEC_E_INVALID_TOKEN")
        );
        let page = render_text(cat(), &[hex]);
        assert!(
            page.starts_with("win32 2148074248 (0x80090308) SEC_E_INVALID_TOKEN:"),
            "{page}"
        );
        let wrapped = explain_win32(cat(), "2147943395", Lang::En).unwrap();
        assert_eq!(
            (wrapped.code.as_str(), wrapped.matched),
            ("995", Match::Status)
        );
        assert_eq!(
            wrapped.lookup,
            "HRESULT 0x800703E3 wraps Windows error 995."
        );
        let unknown = explain_win32(cat(), "4242", Lang::En).unwrap();
        assert_eq!(
            (unknown.matched, unknown.hex.as_str()),
            (Match::Unknown, "0x1092")
        );
        assert!(explain_win32(cat(), "sixty-four", Lang::En).is_err());
    }

    #[test]
    fn csv_has_header_and_formula_safe_cells() {
        let mut items = vec![one(Service::Http, "403.14", Lang::Ja)];
        let mut evil = items[0].clone();
        evil.title = "=HYPERLINK(\"x\")".into();
        evil.causes = "-1+1".into();
        evil.note = "@SUM(A1)".into();
        evil.name = "+cmd".into();
        evil.query = "\tx".into();
        items.push(evil);
        let csv = render_csv(&items, false).unwrap();
        assert!(csv.starts_with("table,query,code,match,name,hex,iis,source,lang,origin,title,causes_lang,causes_origin,causes,note,lookup\r\n"));
        assert!(
            csv.contains("http,403.14,403.14,exact,,,6+,KB 318380; KB 943891,ja,seed,ディレクトリの一覧表示が拒否されました,"),
            "{csv}"
        );
        let mut r = csv::Reader::from_reader(csv.as_bytes());
        let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(&rows[1][1], "'\tx");
        assert_eq!(&rows[1][4], "'+cmd");
        assert_eq!(&rows[1][10], "'=HYPERLINK(\"x\")");
        assert_eq!(&rows[1][13], "'-1+1");
        assert_eq!(&rows[1][14], "'@SUM(A1)");
        for row in &rows {
            for cell in row {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{cell:?}"
                );
            }
        }
        let with_bom = render_csv(&items, true).unwrap();
        assert!(with_bom.starts_with("\u{FEFF}table,"));
        assert_eq!(&with_bom[3..], csv);
    }

    #[test]
    fn whole_list_renders_in_every_format() {
        let all = list(cat(), None, Lang::Nb);
        assert_eq!(all.len(), cat().entries().count());
        let win32 = list(cat(), Some(Table::Win32), Lang::En);
        assert!(win32.iter().all(|e| e.table == Table::Win32));
        let ftp = list(cat(), Some(Table::Ftp), Lang::En);
        assert!(ftp.iter().any(|e| e.table == Table::FtpSub));
        assert!(ftp
            .iter()
            .all(|e| matches!(e.table, Table::Ftp | Table::FtpSub)));
        let csv = render(cat(), &all, Format::Csv, false).unwrap();
        assert_eq!(
            csv::Reader::from_reader(csv.as_bytes()).records().count(),
            all.len()
        );
        let json = render(cat(), &all, Format::Json, false).unwrap();
        let back: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(back.as_array().map(Vec::len), Some(all.len()));
        assert_eq!(back[0]["table"], "http");
        assert_eq!(back[0]["match"], "exact");
        assert!(back[0]["source"].as_str().is_some_and(|s| !s.is_empty()));
        assert!(back[0]["origin"].is_string());
        let table = render(cat(), &all, Format::Table, false).unwrap();
        assert!(table.contains("Kilde: "));
        assert!(wants_bom(true));
        assert!(!wants_bom(false));
    }
}
