//! The status-code catalogue (KB 318380 and IIS 7+): what each code means and usually causes.
//! PLACEHOLDER: being written by the catalogue work; the API below is the contract.

use crate::service::Service;

/// A language the catalogue is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    Ja,
    Nb,
}

impl Lang {
    pub fn from_code(s: &str) -> Option<Lang> {
        match s.to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "ja" => Some(Lang::Ja),
            "nb" | "no" | "nn" => Some(Lang::Nb),
            _ => None,
        }
    }
    pub fn from_locale(locale: &str) -> Option<Lang> {
        Lang::from_code(locale.get(..2)?)
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ja => "ja",
            Lang::Nb => "nb",
        }
    }
}

/// The compiled-in catalogue.
pub struct Catalogue {
    _private: (),
}

impl Catalogue {
    pub fn builtin() -> &'static Catalogue {
        static C: Catalogue = Catalogue { _private: () };
        &C
    }

    pub fn describe(
        &self,
        _service: Service,
        status: Option<u32>,
        _substatus: Option<u32>,
        _win32: Option<u32>,
        _lang: Lang,
    ) -> String {
        match status {
            Some(s) => format!("{}xx", s / 100),
            None => "no status".to_string(),
        }
    }

    pub fn causes(
        &self,
        _service: Service,
        _status: Option<u32>,
        _substatus: Option<u32>,
        _lang: Lang,
    ) -> String {
        String::new()
    }
}
