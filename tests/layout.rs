//! The shape of `src/` that the README's contributor section describes: the library's
//! modules are stages in the order the data flows, and a module imports only from the
//! shared vocabulary and the stages before it (never a later stage, so no cycles).
//! Checked on the source text, so a new `use` that breaks the flow fails here.

use std::fs;
use std::path::{Path, PathBuf};

/// The library's top-level modules, in the order of `src/lib.rs`'s diagram: the shared
/// vocabulary first, then the stages.
const ORDER: &[&str] = &[
    "error",
    "service",
    "tally",
    "days",
    "progress",
    "format",
    "input",
    "parse",
    "catalogue",
    "summary",
    "output",
    "collect",
    "history",
    "report",
];

fn rank(module: &str) -> Option<usize> {
    ORDER.iter().position(|m| *m == module)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The text of a file before its unit tests (tests may reach anywhere).
fn code_of(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap();
    match text.find("#[cfg(test)]") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// `crate::NAME` paths named in `code`.
fn crate_paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let name: String = rest[i + 7..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        out.push(name);
        rest = &rest[i + 7..];
    }
    out
}

/// Every top-level module of the library is in `ORDER`, and `lib.rs` declares them in
/// that order: the list here and the diagram cannot drift apart.
#[test]
fn lib_declares_the_stages_in_order() {
    let lib = fs::read_to_string("src/lib.rs").unwrap();
    let declared: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("pub mod "))
        .map(|l| l.trim_end_matches(';'))
        .collect();
    assert_eq!(declared, ORDER, "src/lib.rs's `pub mod` lines");
}

#[test]
fn no_module_imports_a_later_stage() {
    let mut files = Vec::new();
    rust_files(Path::new("src"), &mut files);
    files.sort();
    let mut wrong = Vec::new();
    for path in &files {
        let rel = path.strip_prefix("src").unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = first.trim_end_matches(".rs");
        let Some(own) = rank(module) else {
            continue; // lib.rs, the binary's files
        };
        for name in crate_paths(&code_of(path)) {
            if rank(&name).is_some_and(|r| r > own) {
                wrong.push(format!("{}: imports crate::{name}", path.display()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "later stages imported:\n{}",
        wrong.join("\n")
    );
}

/// The check itself: a `use` of a later stage is found.
#[test]
fn the_check_finds_a_later_stage() {
    let code = "use crate::report::write;\nfn f() { crate::format::parse_code(b\"1\", 9); }";
    assert_eq!(crate_paths(code), ["report", "format"]);
}
