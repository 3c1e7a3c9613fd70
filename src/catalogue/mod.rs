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
pub enum Table {
    /// HTTP status and IIS substatus codes (`http.tsv`); HTTPERR rows use it for their status.
    #[serde(rename = "http")]
    Http,
    /// FTP reply codes (`ftp.tsv`).
    #[serde(rename = "ftp")]
    Ftp,
    /// FTP substatus codes of IIS 7 and later (`ftp-substatus.tsv`, KB 969061): one meaning
    /// under every FTP status, so a table of its own.
    #[serde(rename = "ftp-substatus")]
    FtpSub,
    /// SMTP reply codes (`smtp.tsv`).
    #[serde(rename = "smtp")]
    Smtp,
    /// HTTP.sys `s-reason` values of the HTTPERR log (`httperr.tsv`).
    #[serde(rename = "httperr")]
    HttpErr,
    /// `sc-win32-status` values (`win32.tsv`).
    #[serde(rename = "win32")]
    Win32,
}

impl Table {
    /// Every table, in the order `--list` prints them.
    pub const ALL: [Table; 6] = [
        Table::Http,
        Table::Ftp,
        Table::FtpSub,
        Table::Smtp,
        Table::HttpErr,
        Table::Win32,
    ];

    /// The lower-case name used in output and on the command line (the data file's stem).
    pub fn name(self) -> &'static str {
        match self {
            Table::Http => "http",
            Table::Ftp => "ftp",
            Table::FtpSub => "ftp-substatus",
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

    /// The table `explain --list --service S` starts from: a service's status table, and
    /// for HTTPERR its reasons (its statuses are HTTP's, which `--service http` lists).
    pub fn listed_for(service: Service) -> Table {
        match service {
            Service::HttpErr => Table::HttpErr,
            other => Table::for_status(other),
        }
    }

    /// Whether `--list` for the service whose status table is `self` shows `table`: the FTP
    /// substatus table goes with the FTP table.
    pub fn lists(self, table: Table) -> bool {
        table == self || (self == Table::Ftp && table == Table::FtpSub)
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where a Japanese or Norwegian text comes from (the `*_origin` columns).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// The words of the seed article (KB 318380, that language's edition), unchanged.
    Seed,
    /// Written for iislog: our English, or our translation.
    Ours,
}

impl Origin {
    /// Parses an origin cell: `seed` or `ours`.
    pub fn parse(s: &str) -> Option<Origin> {
        match s {
            "seed" => Some(Origin::Seed),
            "ours" => Some(Origin::Ours),
            _ => None,
        }
    }

    /// `seed` or `ours`.
    pub fn name(self) -> &'static str {
        match self {
            Origin::Seed => "seed",
            Origin::Ours => "ours",
        }
    }
}

/// A text as shown: the words, the language they are really in (English when the asked
/// language has none yet), and where they come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shown<'a> {
    pub text: &'a str,
    pub lang: Lang,
    pub origin: Origin,
}

/// One text in three languages, with the origin of the Japanese and Norwegian words.
#[derive(Debug, Clone, Default)]
pub(crate) struct Texts {
    text: [Cow<'static, str>; 3],
    /// Per language; `None` exactly when the text is empty (English is always ours).
    origin: [Option<Origin>; 3],
}

impl Texts {
    /// The text in `lang`, else in English; `None` when even English is empty.
    fn shown(&self, lang: Lang) -> Option<Shown<'_>> {
        [lang, Lang::En].into_iter().find_map(|l| {
            let text = &self.text[l.index()];
            let origin = self.origin[l.index()]?;
            (!text.is_empty()).then_some(Shown {
                text,
                lang: l,
                origin,
            })
        })
    }

    fn pick(&self, lang: Lang) -> &str {
        self.shown(lang).map_or("", |s| s.text)
    }

    /// The raw cell of one language ("" when empty).
    pub(crate) fn raw(&self, lang: Lang) -> &str {
        &self.text[lang.index()]
    }

    /// The origin cell of one language (`None` when the text is empty).
    #[cfg(test)]
    pub(crate) fn origin(&self, lang: Lang) -> Option<Origin> {
        self.origin[lang.index()]
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
    decides: bool,
    source: Cow<'static, str>,
    title: Texts,
    causes: Texts,
    note: Texts,
}

impl Entry {
    /// The table the row is in.
    pub fn table(&self) -> Table {
        self.table
    }

    /// The code as written in the data: `403.14`, `4xx`, `64`, `41`, `Timer_ConnectionIdle`.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// Who writes it to the log: the IIS versions (`5+`, `5-6`, `6`, `6+`, `7+ ARR`,
    /// `6+ HTTP.sys`…), `app` when IIS never sends it itself (an application, module or
    /// proxy does), `rfc` when the protocol defines it and no Microsoft document says which
    /// IIS service sends it. Empty for win32 rows.
    pub fn iis(&self) -> &str {
        &self.iis
    }

    /// The Windows error name of a win32 row (`ERROR_NETNAME_DELETED`,
    /// `SEC_E_NO_CREDENTIALS`); empty for other tables.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether a win32 value tells on its own what happened to a request, whatever its
    /// status (the client left, the password was wrong): `explain` then leads with it.
    pub fn decides(&self) -> bool {
        self.decides
    }

    /// Where the meaning comes from: KB numbers, Microsoft page titles, RFCs, `; `-separated.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The short meaning in `lang`, or in English when it has no translation; never empty.
    pub fn title(&self, lang: Lang) -> &str {
        self.title.pick(lang)
    }

    /// The title as shown in `lang`: its words, their real language and their origin.
    pub fn title_shown(&self, lang: Lang) -> Shown<'_> {
        self.title.shown(lang).unwrap_or(Shown {
            text: "",
            lang: Lang::En,
            origin: Origin::Ours,
        })
    }

    /// Usual causes and what to check, in `lang` or else English; `""` when there are none.
    /// Lines are separated by `\n`.
    pub fn causes(&self, lang: Lang) -> &str {
        self.causes.pick(lang)
    }

    /// The causes as shown in `lang`; `None` when the row has none.
    pub fn causes_shown(&self, lang: Lang) -> Option<Shown<'_>> {
        self.causes.shown(lang)
    }

    /// What a reader must know besides the meaning: where the seed article is wrong or out
    /// of date, or a typo it has. `""` when there is nothing to say.
    pub fn note(&self, lang: Lang) -> &str {
        self.note.pick(lang)
    }

    /// Whether the title is written in `lang` itself (not the English fallback).
    pub fn is_translated(&self, lang: Lang) -> bool {
        !self.title.raw(lang).is_empty()
    }

    /// The three texts of the row, for tests that check the data.
    #[cfg(test)]
    pub(crate) fn texts(&self) -> [(&'static str, &Texts); 3] {
        [
            ("title", &self.title),
            ("causes", &self.causes),
            ("note", &self.note),
        ]
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

/// The compiled-in catalogue, with its indexes.
pub struct Catalogue {
    entries: Vec<Entry>,
    codes: HashMap<(Table, StatusCode), usize>,
    ftp_sub: HashMap<u32, usize>,
    win32: HashMap<u32, usize>,
    reasons: HashMap<String, usize>,
    combos: HashMap<(Table, u32, u32, u32), Combo>,
    text: HashMap<&'static str, Texts>,
}

/// What a win32 value means with one status.substatus (`combos.tsv`).
#[derive(Debug, Clone)]
pub struct Combo {
    source: Cow<'static, str>,
    text: Texts,
}

impl Combo {
    /// The meaning in `lang`, or English.
    pub fn text(&self, lang: Lang) -> &str {
        self.text.pick(lang)
    }

    /// The meaning as shown in `lang`.
    pub fn shown(&self, lang: Lang) -> Option<Shown<'_>> {
        self.text.shown(lang)
    }

    /// Where it comes from.
    pub fn source(&self) -> &str {
        &self.source
    }
}

/// The data files, in the order of [`Table::ALL`].
const DATA: [(Table, &str, &str); 6] = [
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
        Table::FtpSub,
        "ftp-substatus.tsv",
        include_str!("../../catalogue/ftp-substatus.tsv"),
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
pub(crate) const TEXT_KEYS: [&str; 100] = [
    "unknown_code",
    "no_status",
    "written_by",
    "written_by_app",
    "written_by_rfc",
    "causes",
    "matched_status",
    "matched_class",
    "matched_unknown",
    "hresult",
    "source",
    "note",
    "ftp_substatus",
    "win32_leads",
    "text_line",
    "text_line_title",
    "origin_seed",
    "origin_ours",
    "origin_english",
    "probe_scanner_paths",
    "probe_logon_burst",
    // The labels of report.html.
    "page_title",
    "page_one_server",
    "page_servers",
    "page_sites",
    "page_services",
    "page_zone",
    "page_made_by",
    "page_no_logs",
    "page_attention",
    "page_all_clear",
    "page_alert_rule",
    "page_figures",
    "page_faults",
    "page_probes",
    "page_service",
    "page_status",
    "page_requests",
    "page_n_requests",
    "page_compared",
    "page_seen",
    "page_meaning",
    "page_why",
    "page_top_urls",
    "page_top_clients",
    "page_pools",
    "page_top_sources",
    "page_noise",
    "page_totals",
    "page_lines",
    "page_verbose",
    "page_hour_chart",
    "page_error_chart",
    "page_no_errors",
    "page_hour_table",
    "page_hour",
    "page_utc_offset",
    "page_mean_ms",
    "page_p95_ms",
    "page_unknown_hour",
    "page_other",
    "page_sites_title",
    "page_site",
    "page_faults_col",
    "page_other_sites",
    "page_last_30",
    "page_trend_legend",
    "page_top_codes",
    "page_count",
    "page_percent",
    "page_causes",
    "page_top_errors",
    "page_no_error_urls",
    "page_ftp_commands",
    "page_command",
    "page_statuses",
    "page_ftp_failed",
    "page_by",
    "page_value",
    "page_client_ip",
    "page_user",
    "page_no_failed",
    "page_httperr_title",
    "page_httperr_intro",
    "page_reason",
    "page_queue",
    "page_verdict",
    "page_more_rows",
    "page_footnote",
    "page_seen_range",
    "page_no_history",
    "page_new",
    "page_not_last7",
    "page_median_zero",
    "page_median",
    "page_httperr_unkept",
    "page_clock_change",
    "page_clocks_forward",
    "page_clocks_back",
    "page_came_twice",
];

/// The columns of one language-text group: `en`, `ja`, `nb` (titles) or `causes_en`… or
/// `note_en`…, each Japanese and Norwegian column followed by its `_origin` column.
struct TextColumns {
    text: [usize; 3],
    origin: [usize; 2],
}

impl TextColumns {
    /// Finds the columns `{prefix}en`, `{prefix}ja`, `{prefix}ja_origin`, ….
    fn find(file: &TsvFile, prefix: &str) -> Result<TextColumns, String> {
        let col = |suffix: &str| file.column(&format!("{prefix}{suffix}"));
        Ok(TextColumns {
            text: [col("en")?, col("ja")?, col("nb")?],
            origin: [col("ja_origin")?, col("nb_origin")?],
        })
    }

    /// Finds the note columns `note_en`, `note_ja`, `note_nb` (always ours, no origin).
    fn find_notes(file: &TsvFile) -> Result<TextColumns, String> {
        Ok(TextColumns {
            text: [
                file.column("note_en")?,
                file.column("note_ja")?,
                file.column("note_nb")?,
            ],
            origin: [usize::MAX; 2],
        })
    }

    /// Takes the texts out of a row; an origin must be `seed` or `ours` when its text is
    /// there and empty when it is not. `at` is `file:line` for errors.
    fn take(&self, row: &mut table::Row, at: &str, what: &str) -> Result<Texts, String> {
        let text = self.text.map(|i| row.take(i));
        let mut origin = [None; 3];
        for (i, lang) in Lang::ALL.into_iter().enumerate() {
            let has_text = !text[i].is_empty();
            origin[i] = match lang {
                Lang::En => has_text.then_some(Origin::Ours),
                _ if self.origin[0] == usize::MAX => has_text.then_some(Origin::Ours),
                _ => {
                    let cell = row.get(self.origin[i - 1]);
                    match (has_text, cell.as_ref()) {
                        (false, "") => None,
                        (false, other) => {
                            return Err(format!(
                                "{at}: {what} {lang} is empty but its origin says `{other}`"
                            ))
                        }
                        (true, cell) => Some(Origin::parse(cell).ok_or_else(|| {
                            format!("{at}: {what} {lang}: origin `{cell}` is not `seed` or `ours`")
                        })?),
                    }
                }
            };
        }
        Ok(Texts { text, origin })
    }
}

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
            entries: Vec::with_capacity(500),
            codes: HashMap::with_capacity(300),
            ftp_sub: HashMap::with_capacity(64),
            win32: HashMap::with_capacity(80),
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
        let code = file.column("code")?;
        let source = file.column("source")?;
        let (iis, name, decides) = if table == Table::Win32 {
            (
                None,
                Some(file.column("name")?),
                Some(file.column("decides")?),
            )
        } else {
            (Some(file.column("iis")?), None, None)
        };
        let title = TextColumns::find(&file, "")?;
        let causes = TextColumns::find(&file, "causes_")?;
        let notes = TextColumns::find_notes(&file)?;
        for row in &mut file.rows {
            let at = format!("{}:{}", file.file, row.line);
            let decides = match decides.map(|i| row.get(i).as_ref()) {
                None | Some("") => false,
                Some("yes") => true,
                Some(other) => {
                    return Err(format!("{at}: decides `{other}` is not `yes` or empty"))
                }
            };
            let entry = Entry {
                table,
                code: row.take(code),
                iis: iis.map(|i| row.take(i)).unwrap_or_default(),
                name: name.map(|i| row.take(i)).unwrap_or_default(),
                decides,
                source: row.take(source),
                title: title.take(row, &at, "title")?,
                causes: causes.take(row, &at, "causes")?,
                note: notes.take(row, &at, "note")?,
            };
            if entry.title.raw(Lang::En).is_empty() {
                return Err(format!("{at}: `{}` has no English title", entry.code));
            }
            if entry.source.is_empty() {
                return Err(format!("{at}: `{}` has no source", entry.code));
            }
            if table != Table::Win32 && entry.iis.is_empty() {
                return Err(format!("{at}: `{}` says nothing in `iis`", entry.code));
            }
            let index = self.entries.len();
            let fresh = match table {
                Table::Win32 => {
                    let n = parse_win32(&entry.code)
                        .filter(|n| n.to_string() == entry.code)
                        .ok_or_else(|| format!("{at}: bad win32 code `{}`", entry.code))?;
                    self.win32.insert(n, index).is_none()
                }
                Table::FtpSub => {
                    let n = parse_substatus(&entry.code)
                        .ok_or_else(|| format!("{at}: bad FTP substatus `{}`", entry.code))?;
                    self.ftp_sub.insert(n, index).is_none()
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
        let source = file.column("source")?;
        let texts = TextColumns::find(&file, "")?;
        for row in &mut file.rows {
            let at = format!("combos.tsv:{}", row.line);
            let table = Service::from_name(row.get(cols[0]))
                .map(Table::for_status)
                .ok_or_else(|| format!("{at}: unknown service `{}`", row.get(cols[0])))?;
            let num = |i: usize| {
                let cell = row.get(cols[i]);
                parse_win32(cell).ok_or_else(|| format!("{at}: bad number `{cell}`"))
            };
            let key = (table, num(1)?, num(2)?, num(3)?);
            let combo = Combo {
                source: row.take(source),
                text: texts.take(row, &at, "text")?,
            };
            if combo.text.raw(Lang::En).is_empty() || combo.source.is_empty() {
                return Err(format!("{at}: no English text or no source"));
            }
            if self.combos.insert(key, combo).is_some() {
                return Err(format!("{at}: listed twice"));
            }
        }
        Ok(())
    }

    fn load_text(&mut self, mut file: TsvFile) -> Result<(), String> {
        let key = file.column("key")?;
        let texts = TextColumns::find(&file, "")?;
        for row in &mut file.rows {
            let at = format!("text.tsv:{}", row.line);
            let k = TEXT_KEYS
                .iter()
                .find(|k| **k == row.get(key).as_ref())
                .ok_or_else(|| format!("{at}: unknown key `{}`", row.get(key)))?;
            let t = texts.take(row, &at, k)?;
            if t.raw(Lang::En).is_empty() {
                return Err(format!("{at}: no English"));
            }
            if self.text.insert(k, t).is_some() {
                return Err(format!("{at}: `{k}` is listed twice"));
            }
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

    /// Every combination of `combos.tsv`: (table, status, substatus, win32) and its meaning.
    pub fn combos(&self) -> impl Iterator<Item = ((Table, u32, u32, u32), &Combo)> {
        self.combos.iter().map(|(k, c)| (*k, c))
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

    /// The meaning of an FTP substatus (IIS 7 and later, KB 969061).
    pub fn ftp_substatus(&self, sub: u32) -> Option<&Entry> {
        self.ftp_sub.get(&sub).map(|&i| &self.entries[i])
    }

    /// Resolves a logged status the way the summary does: service first, then
    /// status.substatus, then status, then class. Substatus 0 means "no substatus": 404 with
    /// substatus 0 uses `404.0` if the catalogue has it, else `404`. An FTP substatus is not
    /// part of the status (it means the same under every status, see
    /// [`Catalogue::ftp_substatus`]): FTP statuses resolve on their own.
    pub fn resolve(
        &self,
        service: Service,
        status: Option<u32>,
        substatus: Option<u32>,
    ) -> Resolved<'_> {
        let table = Table::for_status(service);
        let substatus = if table == Table::Ftp { None } else { substatus };
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
    /// An FTP substatus other than 0 adds its own meaning ("Not logged in; substatus 42:
    /// anonymous authentication is not allowed"). When win32 is Some(n) with n != 0, append
    /// the win32 meaning, e.g. "Not found; win32 64 ERROR_NETNAME_DELETED: the client went
    /// away". Missing translation → English. status None means the status was not logged or
    /// was `-` (FTP control-channel rows, HTTPERR rows).
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
        if let Some(sub) = ftp_sub(service, substatus) {
            out.push_str("; ");
            out.push_str(&self.ftp_sub_phrase(sub, lang));
        }
        if let Some(w) = win32.filter(|w| *w != 0) {
            out.push_str("; win32 ");
            let combo = self.combo(service, status, substatus, w, lang);
            out.push_str(&self.win32_phrase(w, combo, lang));
        }
        out
    }

    /// "substatus 42: Anonymous authentication is not allowed", or "substatus 99" when the
    /// catalogue does not know it.
    fn ftp_sub_phrase(&self, sub: u32, lang: Lang) -> String {
        let label = self.text("ftp_substatus", lang);
        match self.ftp_substatus(sub) {
            Some(e) => format!("{label} {sub}: {}", lower_first(e.title(lang))),
            None => format!("{label} {sub}"),
        }
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

    /// The `causes` cell (`--details`): usual causes and what to check, "" when none. An
    /// FTP substatus adds its own causes on a line of their own.
    pub fn causes(
        &self,
        service: Service,
        status: Option<u32>,
        substatus: Option<u32>,
        lang: Lang,
    ) -> String {
        let mut out = self
            .resolve(service, status, substatus)
            .entry
            .map(|e| e.causes(lang).to_string())
            .unwrap_or_default();
        let sub = ftp_sub(service, substatus)
            .and_then(|s| self.ftp_substatus(s).map(|e| (s, e.causes(lang))))
            .filter(|(_, c)| !c.is_empty());
        if let Some((s, c)) = sub {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&format!("{} {s}: {c}", self.text("ftp_substatus", lang)));
        }
        out
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
        self.combo_entry(service, status, substatus, win32)
            .map(|c| c.text(lang))
    }

    /// The `combos.tsv` row for one status, substatus and win32 value.
    pub fn combo_entry(
        &self,
        service: Service,
        status: Option<u32>,
        substatus: Option<u32>,
        win32: u32,
    ) -> Option<&Combo> {
        let key = (Table::for_status(service), status?, substatus?, win32);
        self.combos.get(&key)
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

    /// "64 ERROR_NETNAME_DELETED: the client went away"; values of 0x80000000 and above
    /// carry their hex form after the name (`SEC_E_NO_CREDENTIALS (0x8009030E)`); unknown
    /// codes give just the number (and its hex form when it is an HRESULT-sized value).
    fn win32_phrase(&self, code: u32, meaning: Option<&str>, lang: Lang) -> String {
        let hex = if code >= 0x8000_0000 {
            format!(" ({})", win32_hex(code))
        } else {
            String::new()
        };
        match self.win32_resolve(code) {
            Some((e, false)) => format!(
                "{code} {}{hex}: {}",
                e.name(),
                meaning.unwrap_or_else(|| e.title(lang))
            ),
            Some((e, true)) => format!(
                "{code} ({} = {} {}): {}",
                win32_hex(code),
                e.code(),
                e.name(),
                meaning.unwrap_or_else(|| e.title(lang))
            ),
            None if code >= 0x8000_0000 => format!("{code}{hex}"),
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
        self.text.get(key).map_or("", |t| t.pick(lang))
    }

    /// The raw texts of a user-interface string, for tests of the data.
    #[cfg(test)]
    pub(crate) fn text_row(&self, key: &str) -> Option<&Texts> {
        self.text.get(key)
    }
}

/// The FTP substatus worth explaining: IIS 7+ FTP logs one (KB 969061); 0 means "successful
/// operation" and adds nothing.
fn ftp_sub(service: Service, substatus: Option<u32>) -> Option<u32> {
    (service == Service::Ftp)
        .then_some(substatus)
        .flatten()
        .filter(|s| *s != 0)
}

/// Parses a service name as every output writes it (`http`, `ftp`, `smtp`, `httperr`), in
/// any case: the `--service` value of `explain`, whose meanings are the service's.
pub fn parse_service(name: &str) -> Result<Service, String> {
    Service::from_name(name.trim())
        .ok_or_else(|| format!("`{name}` is not a service; use http, ftp, smtp or httperr"))
}

/// A win32 value in hex as Windows documents write it: `0x40`, `0x8009030E`, `0xC0000135`.
pub fn win32_hex(code: u32) -> String {
    format!("0x{code:X}")
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

/// Parses an FTP substatus as written in the data and typed by people: 1 to 3 digits.
pub fn parse_substatus(s: &str) -> Option<u32> {
    let s = s.trim();
    (!s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
        .filter(|n: &u32| n.to_string() == s)
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
