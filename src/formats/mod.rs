//! The log formats besides W3C HTTP, each in its own module: HTTP.sys's error log read by
//! reason and queue, and (later) IIS native and NCSA lines and archived logs. Each gives
//! the same `Tally` as the W3C scanner, so every format lands in one summary.

pub mod httperr;
