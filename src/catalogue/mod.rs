//! The status-code catalogue: what every IIS code means and usually causes, in English,
//! Japanese and Norwegian Bokmål. The data lives in `catalogue/*.tsv` (see its README),
//! is compiled in with `include_str!` and parsed once, at first use.

mod table;
pub mod verdict;

#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use crate::service::Service;
use table::TsvFile;

/// A language the catalogue is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    Ja,
    Nb,
}

impl Lang {
    /// Every language, English first (the fallback).
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Ja, Lang::Nb];

    /// Parses a language code, ignoring case and surrounding blanks: `en`, `ja`, `nb`;
    /// also the ISO 639-2 forms (`eng`, `jpn`, `nob`), the English names, `jp`, and the
    /// other Norwegian codes `no`, `nor`, `nn`, `nno`: Nynorsk readers get Bokmål, which
    /// they read far more easily than English.
    pub fn from_code(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "en" | "eng" | "english" => Some(Lang::En),
            "ja" | "jpn" | "jp" | "japanese" => Some(Lang::Ja),
            "nb" | "nob" | "no" | "nor" | "nn" | "nno" | "norwegian" | "bokmal" => Some(Lang::Nb),
            _ => None,
        }
    }

    /// The language of a locale name: POSIX (`ja_JP.UTF-8`, `nb_NO`, `nn_NO@x`), Windows
    /// (`ja-JP`, `Japanese_Japan.932`) or a GNU `LANGUAGE` list (`nb:en`, first known wins).
    /// `C`, `POSIX` and languages the catalogue lacks give `None`.
    pub fn from_locale(locale: &str) -> Option<Lang> {
        locale.split(':').find_map(|part| {
            let lang = part.split(['_', '-', '.', '@']).next().unwrap_or("");
            Lang::from_code(lang)
        })
    }

    /// The two-letter code: `en`, `ja` or `nb`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ja => "ja",
            Lang::Nb => "nb",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The catalogue's tables, one data file each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Table {
    /// HTTP status and IIS substatus codes (`http.tsv`); HTTPERR rows use it for their status.
    Http,
    /// FTP reply codes (`ftp.tsv`).
    Ftp,
    /// SMTP reply codes (`smtp.tsv`).
    Smtp,
    /// HTTP.sys `s-reason` values of the HTTPERR log (`httperr.tsv`).
    HttpErr,
    /// `sc-win32-status` values (`win32.tsv`).
    Win32,
}

impl Table {
    /// Every table, in the order `--list` prints them.
    pub const ALL: [Table; 5] = [
        Table::Http,
        Table::Ftp,
        Table::Smtp,
        Table::HttpErr,
        Table::Win32,
    ];

    /// The lower-case name used in output and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Table::Http => "http",
            Table::Ftp => "ftp",
            Table::Smtp => "smtp",
            Table::HttpErr => "httperr",
            Table::Win32 => "win32",
        }
    }

    /// Parses a name as written by [`Table::name`], in any case.
    pub fn from_name(name: &str) -> Option<Table> {
        Table::ALL
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(name.trim()))
    }

    /// The table that holds the status codes a service logs: HTTPERR rows carry HTTP statuses.
    pub fn for_status(service: Service) -> Table {
        match service {
            Service::Http | Service::HttpErr => Table::Http,
            Service::Ftp => Table::Ftp,
            Service::Smtp => Table::Smtp,
        }
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A status code as the catalogue keys it: `403.14`, `403` or the class `4xx`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusCode {
    /// A status, with its substatus when it has one (`Some(0)` is the explicit `.0` row).
    Status(u32, Option<u32>),
    /// A class: the hundreds digit (`4` for `4xx`).
    Class(u32),
}

impl StatusCode {
    /// Parses `403.14`, `403-14` (IIS 5's `500-100`), `403` or `4xx`. The status must have
    /// three digits, 100 to 999; the substatus at most three digits.
    pub fn parse(s: &str) -> Option<StatusCode> {
        let s = s.trim();
        let digits = |t: &str, max: usize| {
            (!t.is_empty() && t.len() <= max && t.bytes().all(|b| b.is_ascii_digit()))
                .then(|| t.parse::<u32>().ok())
                .flatten()
        };
        if let Some(d) = s
            .strip_suffix("xx")
            .or_else(|| s.strip_suffix("XX"))
            .and_then(|d| digits(d, 1))
        {
            return (1..=9).contains(&d).then_some(StatusCode::Class(d));
        }
        let (status, sub) = match s.split_once(['.', '-']) {
            Some((a, b)) => (a, Some(b)),
            None => (s, None),
        };
        let status = digits(status, 3).filter(|n| *n >= 100)?;
        let sub = match sub {
            Some(b) => Some(digits(b, 3)?),
            None => None,
        };
        Some(StatusCode::Status(status, sub))
    }
}

impl fmt::Display for StatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatusCode::Status(s, Some(sub)) => write!(f, "{s}.{sub}"),
            StatusCode::Status(s, None) => write!(f, "{s}"),
            StatusCode::Class(d) => write!(f, "{d}xx"),
        }
    }
}

/// One row of the catalogue.
#[derive(Debug, Clone)]
pub struct Entry {
    table: Table,
    code: Cow<'static, str>,
    iis: Cow<'static, str>,
    name: Cow<'static, str>,
    title: [Cow<'static, str>; 3],
    causes: [Cow<'static, str>; 3],
}

impl Entry {
    /// The table the row is in.
    pub fn table(&self) -> Table {
        self.table
    }

    /// The code as written in the data: `403.14`, `4xx`, `64`, `Timer_ConnectionIdle`.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The IIS versions that write it (`5+`, `5-6`, `6`, `7+ ARR`…); empty for win32 rows.
    pub fn iis(&self) -> &str {
        &self.iis
    }

    /// The Windows error name of a win32 row (`ERROR_NETNAME_DELETED`,
    /// `SEC_E_NO_CREDENTIALS (0x8009030E)`); empty for other tables.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The short meaning in `lang`, or in English when it has no translation; never empty.
    pub fn title(&self, lang: Lang) -> &str {
        pick(&self.title, lang)
    }

    /// Usual causes and what to check, in `lang` or else English; `""` when there are none.
    /// Lines are separated by `\n`.
    pub fn causes(&self, lang: Lang) -> &str {
        pick(&self.causes, lang)
    }

    /// Whether the title is written in `lang` itself (not the English fallback).
    pub fn is_translated(&self, lang: Lang) -> bool {
        !self.title[lang.index()].is_empty()
    }
}

fn pick<'a>(texts: &'a [Cow<'static, str>; 3], lang: Lang) -> &'a str {
    let t = &texts[lang.index()];
    if t.is_empty() {
        &texts[Lang::En.index()]
    } else {
        t
    }
}

/// How a status look-up was answered (issue 3, point 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Match {
    /// The catalogue has the code asked for (substatus 0 counts as "no substatus").
    Exact,
    /// The substatus is not in the catalogue; the entry is its status's.
    Status,
    /// Neither is; the entry is the class (`4xx`).
    Class,
    /// Not even the class is known.
    Unknown,
    /// No status was logged (`-`).
    NoStatus,
}

/// The answer to a status look-up: the entry used, if any, and how it matched.
#[derive(Debug, Clone, Copy)]
pub struct Resolved<'a> {
    pub entry: Option<&'a Entry>,
    pub matched: Match,
}

/// What the catalogue says of one status line (title and causes together).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// Short meaning of status.substatus (or of the status, or of its class), never empty.
    pub title: String,
    /// Usual causes and what to check; empty when the catalogue has none.
    pub causes: String,
}

type Texts = [Cow<'static, str>; 3];

/// The compiled-in catalogue, with its indexes.
pub struct Catalogue {
    entries: Vec<Entry>,
    codes: HashMap<(Table, StatusCode), usize>,
    win32: HashMap<u32, usize>,
    reasons: HashMap<String, usize>,
    combos: HashMap<(Table, u32, u32, u32), Texts>,
    text: HashMap<&'static str, Texts>,
}

/// The data files, in the order of [`Table::ALL`].
const DATA: [(Table, &str, &str); 5] = [
    (
        Table::Http,
        "http.tsv",
        include_str!("../../catalogue/http.tsv"),
    ),
    (
        Table::Ftp,
        "ftp.tsv",
        include_str!("../../catalogue/ftp.tsv"),
    ),
    (
        Table::Smtp,
        "smtp.tsv",
        include_str!("../../catalogue/smtp.tsv"),
    ),
    (
        Table::HttpErr,
        "httperr.tsv",
        include_str!("../../catalogue/httperr.tsv"),
    ),
    (
        Table::Win32,
        "win32.tsv",
        include_str!("../../catalogue/win32.tsv"),
    ),
];
const COMBOS: &str = include_str!("../../catalogue/combos.tsv");
const TEXT: &str = include_str!("../../catalogue/text.tsv");

/// The user-interface strings `text.tsv` must define.
pub(crate) const TEXT_KEYS: [&str; 8] = [
    "unknown_code",
    "no_status",
    "written_by",
    "causes",
    "matched_status",
    "matched_class",
    "matched_unknown",
    "hresult",
];

impl Catalogue {
    /// The catalogue compiled into the binary, parsed at the first call.
    pub fn builtin() -> &'static Catalogue {
        static C: OnceLock<Catalogue> = OnceLock::new();
        C.get_or_init(|| {
            Catalogue::parse_builtin()
                .expect("the compiled-in catalogue (catalogue/*.tsv) must parse; tests check it")
        })
    }

    /// Parses the compiled-in data; an error names the file and line.
    pub fn parse_builtin() -> Result<Catalogue, String> {
        let mut cat = Catalogue {
            entries: Vec::with_capacity(400),
            codes: HashMap::with_capacity(300),
            win32: HashMap::with_capacity(64),
            reasons: HashMap::with_capacity(64),
            combos: HashMap::new(),
            text: HashMap::new(),
        };
        for (table, file, text) in DATA {
            cat.load(table, TsvFile::parse(file, text)?)?;
        }
        cat.load_combos(TsvFile::parse("combos.tsv", COMBOS)?)?;
        cat.load_text(TsvFile::parse("text.tsv", TEXT)?)?;
        Ok(cat)
    }

    fn load(&mut self, table: Table, mut file: TsvFile) -> Result<(), String> {
        let col = |name: &str| file.column(name);
        let code = col("code")?;
        let iis = if table == Table::Win32 {
            None
        } else {
            Some(col("iis")?)
        };
        let name = if table == Table::Win32 {
            Some(col("name")?)
        } else {
            None
        };
        let title = [col("en")?, col("ja")?, col("nb")?];
        let causes = [col("causes_en")?, col("causes_ja")?, col("causes_nb")?];
        for row in &mut file.rows {
            let at = format!("{}:{}", file.file, row.line);
            let entry = Entry {
                table,
                code: row.take(code),
                iis: iis.map(|i| row.take(i)).unwrap_or_default(),
                name: name.map(|i| row.take(i)).unwrap_or_default(),
                title: title.map(|i| row.take(i)),
                causes: causes.map(|i| row.take(i)),
            };
            if entry.title[Lang::En.index()].is_empty() {
                return Err(format!("{at}: `{}` has no English title", entry.code));
            }
            let index = self.entries.len();
            let fresh = match table {
                Table::Win32 => {
                    let n = parse_win32(&entry.code)
                        .filter(|n| n.to_string() == entry.code)
                        .ok_or_else(|| format!("{at}: bad win32 code `{}`", entry.code))?;
                    self.win32.insert(n, index).is_none()
                }
                Table::HttpErr => {
                    let ok =
                        !entry.code.is_empty() && entry.code.chars().all(|c| c.is_ascii_graphic());
                    if !ok {
                        return Err(format!("{at}: bad s-reason `{}`", entry.code));
                    }
                    let key = entry.code.to_ascii_lowercase();
                    self.reasons.insert(key, index).is_none()
                }
                _ => {
                    let key = StatusCode::parse(&entry.code)
                        .filter(|k| k.to_string() == entry.code)
                        .ok_or_else(|| format!("{at}: bad code `{}`", entry.code))?;
                    self.codes.insert((table, key), index).is_none()
                }
            };
            if !fresh {
                return Err(format!("{at}: `{}` is listed twice", entry.code));
            }
            self.entries.push(entry);
        }
        Ok(())
    }

    fn load_combos(&mut self, mut file: TsvFile) -> Result<(), String> {
        let cols = [
            file.column("service")?,
            file.column("status")?,
            file.column("substatus")?,
            file.column("win32")?,
        ];
        let texts = [file.column("en")?, file.column("ja")?, file.column("nb")?];
        for row in &mut file.rows {
            let at = format!("combos.tsv:{}", row.line);
            let table = Table::from_name(row.get(cols[0]))
                .ok_or_else(|| format!("{at}: unknown service"))?;
            let num =
                |i: usize| parse_win32(row.get(cols[i])).ok_or_else(|| format!("{at}: bad number"));
            let key = (table, num(1)?, num(2)?, num(3)?);
            let t = texts.map(|i| row.take(i));
            if t[0].is_empty() || self.combos.insert(key, t).is_some() {
                return Err(format!("{at}: empty or repeated"));
            }
        }
        Ok(())
    }

    fn load_text(&mut self, mut file: TsvFile) -> Result<(), String> {
        let key = file.column("key")?;
        let texts = [file.column("en")?, file.column("ja")?, file.column("nb")?];
        for row in &mut file.rows {
            let k = TEXT_KEYS
                .iter()
                .find(|k| **k == row.get(key).as_ref())
                .ok_or_else(|| format!("text.tsv:{}: unknown key", row.line))?;
            let t = texts.map(|i| row.take(i));
            if t[0].is_empty() {
                return Err(format!("text.tsv:{}: no English", row.line));
            }
            self.text.insert(k, t);
        }
        match TEXT_KEYS.iter().find(|k| !self.text.contains_key(*k)) {
            Some(k) => Err(format!("text.tsv: `{k}` is missing")),
            None => Ok(()),
        }
    }

    /// Every entry, table by table in [`Table::ALL`] order, rows in file order (for `--list`).
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter()
    }

    /// The entries of one table, in file order.
    pub fn entries_in(&self, table: Table) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(move |e| e.table == table)
    }

    /// The entry for exactly `code` in a service's table, no fallback: `403.14`, `403-14`,
    /// `403`, `4xx`. For [`Service::HttpErr`] a code that is not a status is an s-reason.
    pub fn lookup(&self, service: Service, code: &str) -> Option<&Entry> {
        match StatusCode::parse(code) {
            Some(k) => self.status_entry(Table::for_status(service), k),
            None if service == Service::HttpErr => self.reason(code),
            None => None,
        }
    }

    /// The entry for one code in one table (status tables only).
    pub fn status_entry(&self, table: Table, code: StatusCode) -> Option<&Entry> {
        self.codes.get(&(table, code)).map(|&i| &self.entries[i])
    }

    /// Resolves a logged status the way the summary does: service first, then
    /// status.substatus, then status, then class. Substatus 0 means "no substatus": 404 with
    /// substatus 0 uses `404.0` if the catalogue has it, else `404`.
    pub fn resolve(
        &self,
        service: Service,
        status: Option<u32>,
        substatus: Option<u32>,
    ) -> Resolved<'_> {
        let table = Table::for_status(service);
        let Some(status) = status else {
            return Resolved {
                entry: None,
                matched: Match::NoStatus,
            };
        };
        let found = |code, matched| {
            self.status_entry(table, code).map(|entry| Resolved {
                entry: Some(entry),
                matched,
            })
        };
        let by_sub = match substatus {
            Some(sub) => {
                let exact = if sub == 0 {
                    Match::Exact
                } else {
                    Match::Status
                };
                found(StatusCode::Status(status, Some(sub)), Match::Exact)
                    .or_else(|| found(StatusCode::Status(status, None), exact))
            }
            None => found(StatusCode::Status(status, None), Match::Exact),
        };
        by_sub
            .or_else(|| found(StatusCode::Class(status / 100), Match::Class))
            .unwrap_or(Resolved {
                entry: None,
                matched: Match::Unknown,
            })
    }

    /// The summary's `description` cell: short meaning of status.substatus, falling back to the
    /// status, then to its class ("4xx client error"), then "unknown code"; never empty.
    /// When win32 is Some(n) with n != 0, append the win32 meaning, e.g.
    /// "Not found; win32 64 ERROR_NETNAME_DELETED: the client went away". Missing translation → English.
    /// status None means the status was not logged or was `-` (FTP control-channel rows, HTTPERR rows).
    pub fn describe(
        &self,
        service: Service,
        status: Option<u32>,
        substatus: Option<u32>,
        win32: Option<u32>,
        lang: Lang,
    ) -> String {
        let r = self.resolve(service, status, substatus);
        let mut out = self.title_of(&r, lang);
        if let Some(w) = win32.filter(|w| *w != 0) {
            out.push_str("; win32 ");
            let combo = self.combo(service, status, substatus, w, lang);
            out.push_str(&self.win32_phrase(w, combo, lang));
        }
        out
    }

    /// The title a resolved look-up shows: the entry's, "4xx client error" for a class,
    /// or "unknown code" / "no status logged".
    pub fn title_of(&self, r: &Resolved<'_>, lang: Lang) -> String {
        match (r.matched, r.entry) {
            (Match::Class, Some(e)) => format!("{} {}", e.code(), lower_first(e.title(lang))),
            (_, Some(e)) => e.title(lang).to_string(),
            (Match::NoStatus, None) => self.text("no_status", lang).to_string(),
            (_, None) => self.text("unknown_code", lang).to_string(),
        }
    }

    /// The `causes` cell (`--details`): usual causes and what to check, "" when none.
    pub fn causes(
        &self,
        service: Service,
        status: Option<u32>,
        substatus: Option<u32>,
        lang: Lang,
    ) -> String {
        self.resolve(service, status, substatus)
            .entry
            .map(|e| e.causes(lang).to_string())
            .unwrap_or_default()
    }

    /// Title and causes together (what [`Catalogue::describe`] and [`Catalogue::causes`] give).
    pub fn explain(
        &self,
        service: Service,
        status: Option<u32>,
        substatus: Option<u32>,
        win32: Option<u32>,
        lang: Lang,
    ) -> Explanation {
        Explanation {
            title: self.describe(service, status, substatus, win32, lang),
            causes: self.causes(service, status, substatus, lang),
        }
    }

    /// What a win32 value means together with one status.substatus (`combos.tsv`), e.g.
    /// 401.2 with 5: "the normal first leg of Windows authentication, not an attack".
    pub fn combo(
        &self,
        service: Service,
        status: Option<u32>,
        substatus: Option<u32>,
        win32: u32,
        lang: Lang,
    ) -> Option<&str> {
        let key = (Table::for_status(service), status?, substatus?, win32);
        self.combos.get(&key).map(|t| pick(t, lang))
    }

    /// The win32 row for exactly `code`.
    pub fn win32_entry(&self, code: u32) -> Option<&Entry> {
        self.win32.get(&code).map(|&i| &self.entries[i])
    }

    /// The win32 row for `code`, or for the Windows error an HRESULT `0x8007xxxx` wraps;
    /// the flag says whether it was unwrapped.
    pub fn win32_resolve(&self, code: u32) -> Option<(&Entry, bool)> {
        self.win32_entry(code).map(|e| (e, false)).or_else(|| {
            unwrap_hresult(code).and_then(|inner| self.win32_entry(inner).map(|e| (e, true)))
        })
    }

    /// "64 ERROR_NETNAME_DELETED: the client went away"; unknown codes give just the number
    /// (and its hex form when it is an HRESULT-sized value).
    fn win32_phrase(&self, code: u32, meaning: Option<&str>, lang: Lang) -> String {
        match self.win32_resolve(code) {
            Some((e, false)) => format!(
                "{code} {}: {}",
                e.name(),
                meaning.unwrap_or_else(|| e.title(lang))
            ),
            Some((e, true)) => format!(
                "{code} (0x{code:08X} = {} {}): {}",
                e.code(),
                e.name(),
                meaning.unwrap_or_else(|| e.title(lang))
            ),
            None if code >= 0x8000_0000 => format!("{code} (0x{code:08X})"),
            None => code.to_string(),
        }
    }

    /// The HTTPERR row for an `s-reason` value, in any case (`Timer_ConnectionIdle`).
    pub fn reason(&self, s_reason: &str) -> Option<&Entry> {
        self.reasons
            .get(&s_reason.trim().to_ascii_lowercase())
            .map(|&i| &self.entries[i])
    }

    /// A user-interface string from `text.tsv` (keys in `TEXT_KEYS`), "" for an unknown key.
    pub fn text(&self, key: &str, lang: Lang) -> &str {
        self.text.get(key).map_or("", |t| pick(t, lang))
    }
}

/// Parses a win32 status as logged (decimal) or as written by people (`0x8009030E`).
pub fn parse_win32(s: &str) -> Option<u32> {
    let s = s.trim();
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u32::from_str_radix(hex, 16).ok(),
        None if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => s.parse().ok(),
        None => None,
    }
}

/// The Windows error inside an HRESULT of facility WIN32 (`0x800703E3` → 995), if it is one.
pub fn unwrap_hresult(code: u32) -> Option<u32> {
    (code >> 16 == 0x8007).then_some(code & 0xFFFF)
}

/// Lower-cases the first letter when the second is lower case ("Client error" → "client
/// error", "SSL…" unchanged); text without case (Japanese) is unchanged.
fn lower_first(s: &str) -> Cow<'_, str> {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(a), Some(b)) if a.is_uppercase() && !b.is_uppercase() => {
            Cow::Owned(a.to_lowercase().chain(s.chars().skip(1)).collect())
        }
        _ => Cow::Borrowed(s),
    }
}
