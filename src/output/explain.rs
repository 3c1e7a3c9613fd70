//! Renders what `iislog explain` shows: finds the catalogue entries for what the user typed
//! (a status, `401 2 5`, a win32 value, an HTTPERR reason, or the whole list) and prints them
//! as a readable terminal page, as formula-safe CSV, or as JSON. No command-line types here.

use std::fmt;

use serde::Serialize;

use crate::catalogue::{
    parse_win32, unwrap_hresult, Catalogue, Entry, Lang, Match, StatusCode, Table,
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
    /// What was asked, normalised (`403.14`, `64`, `Timer_ConnectionIdle`).
    pub query: String,
    /// The code of the entry shown: `403` when 403.999 fell back to its status.
    pub code: String,
    /// How the query was answered.
    #[serde(rename = "match")]
    pub matched: Match,
    /// The Windows error name, for win32 answers; otherwise empty.
    pub name: String,
    /// The IIS versions that write it; empty for win32 answers and unknown codes.
    pub iis: String,
    /// The language asked for (`en`, `ja`, `nb`); untranslated text is in English.
    pub lang: &'static str,
    /// The short meaning; never empty.
    pub title: String,
    /// Usual causes and what to check (lines separated by `\n`); may be empty.
    pub causes: String,
    /// Why the answer is not exactly what was asked (fallback, HRESULT), or empty.
    pub note: String,
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
/// a log triple (`"401 2 5"`: status, substatus and win32, giving the status and, unless 0,
/// the win32 value), or an HTTPERR `s-reason` (for any service). Codes the catalogue lacks
/// fall back as the summary does and still give an answer; only malformed input is an error.
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
        return match nums.as_deref() {
            Some([status, sub] | [status, sub, _]) => {
                let mut out = vec![explain_status(cat, service, *status, Some(*sub), lang)];
                if let Some(&w) = nums.as_deref().and_then(|n| n.get(2)).filter(|w| **w != 0) {
                    let mut item = explain_win32_code(cat, w, lang);
                    if let Some(combo) = cat.combo(service, Some(*status), Some(*sub), w, lang) {
                        item.title = combo.to_string();
                    }
                    out.push(item);
                }
                Ok(out)
            }
            _ => Err(ExplainError::BadCode(q.to_string())),
        };
    }
    match StatusCode::parse(q) {
        Some(StatusCode::Status(status, sub)) => {
            Ok(vec![explain_status(cat, service, status, sub, lang)])
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

/// The whole catalogue, or one table of it, in file order (for `explain --list`).
pub fn list(cat: &Catalogue, table: Option<Table>, lang: Lang) -> Vec<Explained> {
    cat.entries()
        .filter(|e| table.is_none_or(|t| e.table() == t))
        .map(|e| from_entry(e, e.code(), Match::Exact, lang))
        .collect()
}

fn explain_status(
    cat: &Catalogue,
    service: Service,
    status: u32,
    sub: Option<u32>,
    lang: Lang,
) -> Explained {
    let query = StatusCode::Status(status, sub).to_string();
    let r = cat.resolve(service, Some(status), sub);
    let Some(entry) = r.entry else {
        return unknown(cat, Table::for_status(service), &query, lang);
    };
    let mut item = from_entry(entry, &query, r.matched, lang);
    item.title = cat.title_of(&r, lang);
    let key = match r.matched {
        Match::Status => "matched_status",
        Match::Class => "matched_class",
        _ => "",
    };
    if !key.is_empty() {
        item.note = fill(cat.text(key, lang), &query, entry.code());
    }
    item
}

fn explain_win32_code(cat: &Catalogue, code: u32, lang: Lang) -> Explained {
    let query = code.to_string();
    match cat.win32_resolve(code) {
        Some((e, wrapped)) => {
            let mut item = from_entry(e, &query, Match::Exact, lang);
            if wrapped {
                item.matched = Match::Status;
                item.note = cat
                    .text("hresult", lang)
                    .replace("{hex}", &format!("0x{code:08X}"))
                    .replace("{code}", e.code());
            }
            item
        }
        None => {
            let mut item = unknown(cat, Table::Win32, &query, lang);
            if code >= 0x8000_0000 && unwrap_hresult(code).is_none() {
                item.name = format!("0x{code:08X}");
            }
            item
        }
    }
}

fn from_entry(e: &Entry, query: &str, matched: Match, lang: Lang) -> Explained {
    Explained {
        table: e.table(),
        query: query.to_string(),
        code: e.code().to_string(),
        matched,
        name: e.name().to_string(),
        iis: e.iis().to_string(),
        lang: lang.code(),
        title: e.title(lang).to_string(),
        causes: e.causes(lang).to_string(),
        note: String::new(),
    }
}

fn unknown(cat: &Catalogue, table: Table, query: &str, lang: Lang) -> Explained {
    Explained {
        table,
        query: query.to_string(),
        code: query.to_string(),
        matched: Match::Unknown,
        name: String::new(),
        iis: String::new(),
        lang: lang.code(),
        title: cat.text("unknown_code", lang).to_string(),
        causes: String::new(),
        note: fill(cat.text("matched_unknown", lang), query, query),
    }
}

fn fill(template: &str, query: &str, code: &str) -> String {
    template.replace("{query}", query).replace("{code}", code)
}

/// Page width for [`render_text`], in terminal columns.
pub const PAGE_WIDTH: usize = 78;

/// A readable page: per item a heading (`http 403.14: Directory listing denied`), the
/// fallback note, the IIS versions, and the causes wrapped to [`PAGE_WIDTH`] columns
/// (Japanese counted double width); items are separated by a blank line.
pub fn render_text(cat: &Catalogue, items: &[Explained]) -> String {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        let lang = Lang::from_code(item.lang).unwrap_or(Lang::En);
        if i > 0 {
            out.push('\n');
        }
        let mut head = format!("{} {}", item.table, item.query);
        if !item.name.is_empty() {
            head.push(' ');
            head.push_str(&item.name);
        }
        head.push_str(": ");
        head.push_str(&item.title);
        wrap_into(&mut out, &head, "", "    ");
        if !item.note.is_empty() {
            wrap_into(&mut out, &item.note, "", "");
        }
        if !item.iis.is_empty() {
            out.push_str(&cat.text("written_by", lang).replace("{iis}", &item.iis));
            out.push('\n');
        }
        if !item.causes.is_empty() {
            out.push('\n');
            out.push_str(cat.text("causes", lang));
            out.push_str(":\n");
            for para in item.causes.split('\n') {
                wrap_into(&mut out, para, "  ", "  ");
            }
        }
    }
    out
}

/// The CSV columns, in order.
pub const CSV_HEADER: [&str; 10] = [
    "table", "query", "code", "match", "name", "iis", "lang", "title", "causes", "note",
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
            &item.iis,
            item.lang,
            &item.title,
            &item.causes,
            &item.note,
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

    #[test]
    fn page_for_403_14_word_for_word() {
        let item = one(Service::Http, "403.14", Lang::En);
        let page = render_text(cat(), &[item]);
        let expected = "\
http 403.14: Directory listing denied
Written by IIS 5+

Usual causes and what to check:
  The URL names a folder, no default document is set (or none of the default
  documents exists there), and directory browsing is off. Add a default
  document, or enable directory browsing if listing the folder is intended. On
  IIS 7+ an application whose handler is missing (e.g. ASP.NET MVC without its
  runtime) shows the same code.
";
        assert_eq!(page, expected);
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
            page.starts_with(
                "win32 64 ERROR_NETNAME_DELETED: the client went away\n\nUsual causes"
            ),
            "{page}"
        );
        let unknown = render_text(cat(), &[one(Service::Http, "799", Lang::En)]);
        assert_eq!(
            unknown,
            "http 799: unknown code\n799 is not in the catalogue.\n"
        );
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

    #[test]
    fn triples_and_services() {
        let v = explain(cat(), Service::Http, "401 2 5", Lang::En).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].query, "401.2");
        assert_eq!(v[0].title, "Logon failed due to server configuration");
        assert_eq!(v[1].table, Table::Win32);
        assert!(v[1].title.contains("not an attack"), "{}", v[1].title);
        assert_eq!(
            explain(cat(), Service::Http, "404 0 0", Lang::En)
                .unwrap()
                .len(),
            1
        );
        let ftp = one(Service::Ftp, "550", Lang::Nb);
        assert_eq!(ftp.table, Table::Ftp);
        assert!(ftp.title.starts_with("Forespurt handling ikke utført"));
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

    #[test]
    fn win32_queries() {
        let hex = explain_win32(cat(), "0x8009030E", Lang::En).unwrap();
        assert_eq!(hex.query, "2148074254");
        assert_eq!(hex.name, "SEC_E_NO_CREDENTIALS (0x8009030E)");
        let wrapped = explain_win32(cat(), "2147943395", Lang::En).unwrap();
        assert_eq!(
            (wrapped.code.as_str(), wrapped.matched),
            ("995", Match::Status)
        );
        assert_eq!(wrapped.note, "HRESULT 0x800703E3 wraps Windows error 995.");
        let unknown = explain_win32(cat(), "4242", Lang::En).unwrap();
        assert_eq!(unknown.matched, Match::Unknown);
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
        assert!(csv.starts_with("table,query,code,match,name,iis,lang,title,causes,note\r\n"));
        assert!(
            csv.contains("http,403.14,403.14,exact,,5+,ja,ディレクトリの一覧表示が拒否されました,")
        );
        let mut r = csv::Reader::from_reader(csv.as_bytes());
        let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(&rows[1][1], "'\tx");
        assert_eq!(&rows[1][4], "'+cmd");
        assert_eq!(&rows[1][7], "'=HYPERLINK(\"x\")");
        assert_eq!(&rows[1][8], "'-1+1");
        assert_eq!(&rows[1][9], "'@SUM(A1)");
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
        assert!(!render(cat(), &all, Format::Table, false)
            .unwrap()
            .is_empty());
        assert!(wants_bom(true));
        assert!(!wants_bom(false));
    }
}
