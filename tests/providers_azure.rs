//! Azure OpenAI: recorded wire fixtures in `tests/fixtures/azure/`.

mod common;

#[test]
fn azure_fixtures() {
    let n = common::run_all("azure");
    assert!(n >= 6, "only {n} azure fixtures");
}
