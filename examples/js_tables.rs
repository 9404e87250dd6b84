//! Prints the tables the JS layer is generated from, as JSON: the error taxonomy
//! (`ErrorKind::ALL`), the call limits (`limits::TABLE`) and the call options (`options::OPTIONS`). `scripts/gen-js.mjs` turns them into
//! the classes of `dist/errors.js` and the declarations of `dist/index.d.ts` at build time, so
//! Rust, JS and TypeScript cannot disagree.
//!
//!   cargo run --quiet --example js_tables
use unillm::error::ErrorKind;

fn main() {
    let errors: Vec<_> = ErrorKind::ALL
        .iter()
        .map(|k| {
            serde_json::json!({
                "name": k.name(), "parent": k.parent(), "status": k.default_status(),
                "retryable": k.retryable(), "doc": k.doc().trim(),
            })
        })
        .collect();
    let limits: Vec<_> = unillm::limits::TABLE
        .iter()
        .map(|(name, default, doc)| serde_json::json!({ "name": name, "default": default, "doc": doc }))
        .collect();
    let options: Vec<_> = unillm::options::OPTIONS
        .iter()
        .map(|o| {
            let aliases: Vec<_> = o.aliases.iter().map(|(a, s)| serde_json::json!([a, *s == unillm::options::Scale::SecondsToMs])).collect();
            serde_json::json!({ "name": o.name, "aliases": aliases, "ts": o.ts, "doc": o.doc })
        })
        .collect();
    println!("{}", serde_json::json!({ "errors": errors, "limits": limits, "options": options }));
}
