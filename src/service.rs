//! Which IIS service wrote a log: the web server, FTP, SMTP or HTTP.sys's error log.
//! The same number means different things per service (550 on FTP is "file unavailable"),
//! so every tally and every look-up in the catalogue is keyed by it.

use std::fmt;

/// The service a log file belongs to.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Service {
    /// The World Wide Web service (`W3SVC<n>`).
    Http,
    /// The FTP service (`MSFTPSVC<n>` on IIS 5/6, `FTPSVC<n>` on IIS 7+).
    Ftp,
    /// The SMTP service (`SMTPSVC<n>`).
    Smtp,
    /// HTTP.sys's own log (`HTTPERR`): requests refused before they reached IIS.
    HttpErr,
}

impl Service {
    /// All services, in the order summaries list them.
    pub const ALL: [Service; 4] = [Service::Http, Service::Ftp, Service::Smtp, Service::HttpErr];

    /// The lower-case name used in output and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Service::Http => "http",
            Service::Ftp => "ftp",
            Service::Smtp => "smtp",
            Service::HttpErr => "httperr",
        }
    }

    /// Parses a name as written by [`Service::name`], in any case.
    pub fn from_name(name: &str) -> Option<Service> {
        Service::ALL
            .into_iter()
            .find(|s| s.name().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The service and site a folder name gives: `W3SVC<n>`, `MSFTPSVC<n>`, `FTPSVC<n>`,
/// `SMTPSVC<n>`, `HTTPERR`, in any case.
pub fn service_of_folder(name: &str) -> Option<(Service, Option<u32>)> {
    let upper = name.to_ascii_uppercase();
    if upper == "HTTPERR" {
        return Some((Service::HttpErr, None));
    }
    for (prefix, service) in [
        ("W3SVC", Service::Http),
        ("MSFTPSVC", Service::Ftp),
        ("FTPSVC", Service::Ftp),
        ("SMTPSVC", Service::Smtp),
    ] {
        if let Some(n) = upper.strip_prefix(prefix) {
            if n.is_empty() {
                return Some((service, None));
            }
            if let Ok(site) = n.parse::<u32>() {
                return Some((service, Some(site)));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders() {
        assert_eq!(service_of_folder("W3SVC1"), Some((Service::Http, Some(1))));
        assert_eq!(
            service_of_folder("w3svc20"),
            Some((Service::Http, Some(20)))
        );
        assert_eq!(
            service_of_folder("MSFTPSVC2"),
            Some((Service::Ftp, Some(2)))
        );
        assert_eq!(service_of_folder("FTPSVC3"), Some((Service::Ftp, Some(3))));
        assert_eq!(
            service_of_folder("SMTPSVC1"),
            Some((Service::Smtp, Some(1)))
        );
        assert_eq!(service_of_folder("HTTPERR"), Some((Service::HttpErr, None)));
        assert_eq!(service_of_folder("W3SVCx"), None);
        assert_eq!(service_of_folder("LogFiles"), None);
    }

    #[test]
    fn names_round_trip() {
        for s in Service::ALL {
            assert_eq!(Service::from_name(s.name()), Some(s));
            assert_eq!(Service::from_name(&s.name().to_uppercase()), Some(s));
        }
        assert_eq!(Service::from_name("w3svc"), None);
    }
}
