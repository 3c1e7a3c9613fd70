//! Inputs: the paths on the command line become the log files to read (discover), each
//! identified by name, folder and first bytes (identify), and their bytes: mapped from
//! disk (source; guard keeps a file that shrinks meanwhile from ending the process) or
//! streamed out of `.gz` and `.zip` archives (archive).

pub mod archive;
pub mod discover;
pub mod guard;
pub mod identify;
pub mod source;
