//! `iislog explain`: looks a status code, a win32 code or the whole catalogue up in the
//! built-in catalogue and prints the page (table, CSV or JSON) on stdout.

use anyhow::anyhow;

use iislog::catalogue::{Catalogue, Table};
use iislog::output::explain as ex;
use iislog::service::Service;

use super::cli::ExplainArgs;
use super::{print_stdout, resolve_lang, Ending};

pub fn run(args: ExplainArgs) -> anyhow::Result<Ending> {
    let cat = Catalogue::builtin();
    let lang = resolve_lang(args.lang.as_deref())?;
    let service = args.service.unwrap_or(Service::Http);
    let items = if args.list {
        ex::list(cat, args.service.map(Table::listed_for), lang)
    } else if let Some(w) = &args.win32 {
        vec![ex::explain_win32(cat, w, lang).map_err(|e| anyhow!("--win32 {e}"))?]
    } else {
        ex::explain(cat, service, &args.code.join(" "), lang)?
    };
    let text = ex::render(cat, &items, args.format, ex::wants_bom(args.excel))?;
    print_stdout(&text)?;
    Ok(Ending::Clean)
}
