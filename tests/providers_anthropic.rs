//! Anthropic Messages: recorded wire fixtures in `tests/fixtures/anthropic/`.

mod common;

#[test]
fn anthropic_fixtures() {
    let n = common::run_all("anthropic");
    assert!(n >= 20, "only {n} anthropic fixtures");
}
