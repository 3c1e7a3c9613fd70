//! Daily reports: the `report` run (stateless, or incremental with a history), alert
//! rules, the day folder's CSVs and page, days without lines, and `merge` of summary
//! CSVs and histories.

pub mod alert;
pub mod empty;
pub mod html;
pub mod merge;
pub mod run;
pub mod triage;
pub mod write;
