//! The summary as one pretty-printed JSON document; codes that were not logged are `null`.

use std::io::{self, Write};

use crate::summary::Summary;

pub fn write(summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, summary)?;
    out.write_all(b"\n")
}
