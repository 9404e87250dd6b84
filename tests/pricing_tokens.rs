//! Chat token accounting against LiteLLM's `token_counter`, with the toy tokenizer the fixture
//! (data/models/gen_token_parity.py) used: one token per `\w+` or `[^\w\s]+` run.

use unillm::pricing::chat_tokens::ChatCount;
use unillm::types::Message;

fn toy_count(text: &str) -> usize {
    #[derive(PartialEq, Clone, Copy)]
    enum K {
        Word,
        Punct,
        Space,
    }
    let kind = |c: char| {
        if c.is_alphanumeric() || c == '_' {
            K::Word
        } else if c.is_whitespace() {
            K::Space
        } else {
            K::Punct
        }
    };
    let mut n = 0;
    let mut prev = K::Space;
    for c in text.chars() {
        let k = kind(c);
        if k != K::Space && k != prev {
            n += 1;
        }
        prev = k;
    }
    n
}

#[test]
fn token_counts_match_litellm() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/pricing/litellm_token_counts.json"
    ))
    .expect("fixture");
    let fx: serde_json::Value = serde_json::from_str(&text).expect("json");
    let cases = fx["cases"].as_array().expect("cases");
    for case in cases {
        let model = case["model"].as_str().expect("model");
        let messages: Vec<Message> =
            serde_json::from_value(case["messages"].clone()).expect("messages");
        let tools: Option<Vec<serde_json::Value>> = case["tools"].as_array().cloned();
        let choice = (!case["tool_choice"].is_null()).then(|| case["tool_choice"].clone());
        let counter = ChatCount {
            model,
            count: toy_count,
            image_size: |_: &str| None,
        };
        let ours = counter
            .prompt(&messages, tools.as_deref(), choice.as_ref())
            .expect("counts");
        assert_eq!(
            Some(ours),
            case["tokens"].as_u64(),
            "{model} {}",
            case["messages"]
        );
    }
    assert!(cases.len() >= 16);
}
