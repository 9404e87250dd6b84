//! Gemini AI Studio: recorded wire fixtures in `tests/fixtures/gemini/`.

mod common;

#[test]
fn gemini_fixtures() {
    let n = common::run_all("gemini");
    assert!(n >= 15, "only {n} gemini fixtures");
}
