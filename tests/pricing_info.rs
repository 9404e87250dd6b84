//! Model lookup, capability flags, the registry overlay and environment checks: unit tests, plus
//! parity with LiteLLM's `get_model_info` / `supports_*` / `validate_environment` recorded in
//! tests/fixtures/pricing/litellm_model_info.json by data/models/gen_parity.py.

use unillm::error::ErrorKind;
use unillm::pricing::{self, Capability, ModelInfo, ModelRegistry};
use unillm::types::{PromptTokensDetails, Usage};

fn fixture() -> serde_json::Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/pricing/litellm_model_info.json"
    ))
    .expect("fixture");
    serde_json::from_str(&text).expect("json")
}

/// serde_json (without `float_roundtrip`) may parse a long decimal one ULP off, so prices read
/// from the fixture are compared to within 1e-15 relative.
fn same_price(fixture: &serde_json::Value, ours: Option<f64>) -> bool {
    match (fixture.as_f64(), ours) {
        (Some(a), Some(b)) => a == b || (a - b).abs() <= 1e-15 * a.abs().max(b.abs()),
        (None, None) => true,
        _ => false,
    }
}

fn as_u64(v: &serde_json::Value) -> Option<u64> {
    v.as_f64().map(|x| x as u64)
}

#[test]
fn model_info_matches_litellm() {
    let fx = fixture();
    let reg = ModelRegistry::new();
    let (mut checked, mut flags_checked, mut notes) = (0, 0, Vec::new());
    let mut bad = Vec::new();
    for case in fx["models"].as_array().expect("models") {
        let model = case["model"].as_str().expect("model");
        let ours = reg.model_info(model);
        match (&case["info"], &ours) {
            (serde_json::Value::Null, None) => {}
            (serde_json::Value::Null, Some(i)) => notes.push(format!(
                "{model}: litellm raises {}, we resolve to {}",
                case["error"], i.key
            )),
            (_, None) => bad.push(format!(
                "{model}: litellm resolves to {}, we find nothing",
                case["info"]["key"]
            )),
            (info, Some(i)) => {
                checked += 1;
                let same = info["key"].as_str() == Some(i.key.as_str())
                    && info["litellm_provider"].as_str() == i.provider.as_deref()
                    && info["mode"].as_str() == i.mode.as_deref()
                    && as_u64(&info["max_input_tokens"]) == i.max_input_tokens
                    && as_u64(&info["max_output_tokens"]) == i.max_output_tokens
                    && as_u64(&info["max_tokens"]) == i.max_tokens
                    // LiteLLM reports an absent input/output price as 0.
                    && same_price(&info["input_cost_per_token"], Some(i.price("input_cost_per_token").unwrap_or(0.0)))
                    && same_price(&info["output_cost_per_token"], Some(i.price("output_cost_per_token").unwrap_or(0.0)))
                    && same_price(&info["cache_read_input_token_cost"], i.price("cache_read_input_token_cost"));
                if !same {
                    bad.push(format!("{model}: litellm {info} ours {i:?}"));
                }
                // supports_* in LiteLLM also re-resolves the name; compare where it names a key exactly.
                if info["key"].as_str() == Some(model) {
                    for (name, v) in case["supports"].as_object().expect("supports") {
                        let Some(v) = v.as_bool() else { continue };
                        let cap = Capability::ALL
                            .iter()
                            .find(|c| c.key() == format!("supports_{name}"));
                        let Some(cap) = cap else { continue };
                        flags_checked += 1;
                        if reg.supports(model, *cap) != v {
                            // LiteLLM cannot resolve these providers offline (they need a device
                            // login), so every supports_* it answers for them is a bare `false`.
                            if !v
                                && (model.starts_with("github_copilot/")
                                    || model.starts_with("chatgpt/"))
                            {
                                notes.push(format!("{model}: supports_{name}: litellm false (provider needs login), table says true"));
                            } else {
                                bad.push(format!("{model}: supports_{name} litellm {v}"));
                            }
                        }
                    }
                }
            }
        }
    }
    for n in &notes {
        eprintln!("KNOWN DIVERGENCE {n}");
    }
    for b in &bad {
        eprintln!("MISMATCH {b}");
    }
    eprintln!("{checked} model infos and {flags_checked} flags compared, {} known divergences, {} mismatches", notes.len(), bad.len());
    assert!(bad.is_empty());
    assert!(checked > 150);
}

#[test]
fn validate_environment_matches_litellm() {
    let fx = fixture();
    let reg = ModelRegistry::new();
    let mut n = 0;
    for case in fx["environment"].as_array().expect("environment") {
        let model = case["model"].as_str().expect("model");
        let present: Vec<&str> = case["present"]
            .as_array()
            .expect("present")
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        let ours = reg.validate_environment(model, |k| present.contains(&k));
        let missing: Vec<&str> = case["missing_keys"]
            .as_array()
            .expect("missing")
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        assert_eq!(
            ours.keys_in_environment,
            case["keys_in_environment"].as_bool().expect("bool"),
            "{model} {present:?}"
        );
        assert_eq!(ours.missing_keys, missing, "{model} {present:?}");
        n += 1;
    }
    assert!(n >= 60);
}

#[test]
fn lookup_forms() {
    let i = pricing::model_info("gpt-4o").expect("gpt-4o");
    assert_eq!(i.key, "gpt-4o");
    assert_eq!(i.provider.as_deref(), Some("openai"));
    assert_eq!(i.mode.as_deref(), Some("chat"));
    assert_eq!(i.price("input_cost_per_token"), Some(2.5e-6));
    assert_eq!(
        pricing::model_info("openai/gpt-4o").map(|i| i.key),
        Some("gpt-4o".into())
    );
    assert_eq!(
        pricing::model_info("GPT-4o").map(|i| i.key),
        Some("gpt-4o".into())
    );
    assert_eq!(
        pricing::model_info("ft:gpt-4o-2024-08-06:my-org::abc123").map(|i| i.key),
        Some("ft:gpt-4o-2024-08-06".into())
    );
    assert_eq!(
        pricing::model_info("gemini/gemini-2.5-pro").map(|i| i.key),
        Some("gemini/gemini-2.5-pro".into())
    );
    assert_eq!(
        pricing::model_info("bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0").map(|i| i.key),
        Some("anthropic.claude-3-5-sonnet-20240620-v1:0".into())
    );
    assert!(pricing::model_info("no-such-model-anywhere").is_none());
    assert!(pricing::model_info("").is_none());
    // Gigantic and odd names are just unknown (and quick).
    let huge = format!("openai/{}", "claude-x-".repeat(200_000));
    let t = std::time::Instant::now();
    assert!(pricing::model_info(&huge).is_none());
    assert!(
        pricing::model_info("ft:").is_none()
            && pricing::model_info("/").is_none()
            && pricing::model_info("\u{0}é").is_none()
    );
    assert!(t.elapsed().as_secs() < 5);
    assert!(pricing::model_info("openai/").is_none());
    // Providers must fit: an Anthropic name under a Groq prefix is not Anthropic's entry; LiteLLM's
    // generalization rules still give it Claude capabilities (no prices) under the asked provider.
    assert!(ModelRegistry::new()
        .model_info_for("claude-haiku-4-5", Some("groq"))
        .is_none());
    let g = ModelRegistry::new()
        .model_info_for("claude-opus-4-1", Some("groq"))
        .expect("rule");
    assert!(g.inferred && g.prices.is_empty() && g.provider.as_deref() == Some("groq"));
    // A name only the rules know: capabilities, the routed provider, and no cost.
    let r = pricing::model_info("claude-opus-4-1").expect("rule");
    assert!(
        r.inferred
            && r.provider.as_deref() == Some("anthropic")
            && r.max_input_tokens == Some(200000)
    );
    assert!(pricing::supports("claude-opus-4-1", Capability::Vision));
    let usage = Usage {
        prompt_tokens: 10,
        ..Usage::default()
    };
    assert_eq!(
        pricing::completion_cost("claude-opus-4-1", &usage).map_err(|e| e.kind),
        Err(ErrorKind::NotFoundError)
    );
}

#[test]
fn capabilities_and_limits() {
    assert!(pricing::supports("gpt-4o", Capability::Vision));
    assert!(pricing::supports("gpt-4o", Capability::FunctionCalling));
    assert!(pricing::supports(
        "gpt-4o",
        Capability::ParallelFunctionCalling
    ));
    assert!(!pricing::supports("gpt-4o", Capability::Reasoning));
    assert!(pricing::supports("o3", Capability::Reasoning));
    assert!(!pricing::supports(
        "no-such-model-anywhere",
        Capability::Vision
    ));
    assert_eq!(pricing::max_tokens("gpt-4o"), Some(16384));
    assert!(pricing::max_tokens("no-such-model-anywhere").is_none());
    for c in Capability::ALL {
        assert!(c.key().starts_with("supports_"));
    }
    for c in [
        Capability::FunctionCalling,
        Capability::ParallelFunctionCalling,
        Capability::Vision,
        Capability::ResponseSchema,
        Capability::PromptCaching,
        Capability::Reasoning,
        Capability::AudioInput,
        Capability::AudioOutput,
        Capability::PdfInput,
        Capability::SystemMessages,
        Capability::ToolChoice,
        Capability::WebSearch,
        Capability::ComputerUse,
    ] {
        assert!(Capability::ALL.contains(&c));
    }
}

#[test]
fn lists() {
    let models = pricing::model_list();
    assert!(models.len() > 4000);
    assert!(models.windows(2).all(|w| w[0] < w[1]));
    assert!(models.iter().any(|m| m == "gpt-4o"));
    let providers = pricing::provider_list();
    for p in [
        "openai",
        "anthropic",
        "gemini",
        "vertex_ai",
        "bedrock",
        "groq",
        "mistral",
        "deepseek",
        "azure",
    ] {
        assert!(providers.iter().any(|q| q == p), "{p}");
    }
    assert!(!providers.iter().any(|p| p.starts_with("vertex_ai-")));
}

#[test]
fn registry_overlay() {
    let mut reg = ModelRegistry::new();
    let custom = ModelInfo::from_json(
        "my-org/llama-fine",
        &serde_json::json!({
            "litellm_provider": "openai", "mode": "chat", "max_input_tokens": 8000, "max_tokens": 2000,
            "input_cost_per_token": "1e-6", "output_cost_per_token": 2e-6, "supports_vision": true
        }),
    )
    .expect("object");
    reg.register_model("my-org/llama-fine", custom);
    let i = reg.model_info("my-org/llama-fine").expect("registered");
    assert_eq!(i.price("input_cost_per_token"), Some(1e-6));
    assert!(reg.supports("my-org/llama-fine", Capability::Vision));
    assert!(reg.model_list().iter().any(|m| m == "my-org/llama-fine"));
    let usage = Usage {
        prompt_tokens: 1000,
        completion_tokens: 500,
        ..Usage::default()
    };
    let c = reg
        .completion_cost("my-org/llama-fine", &usage)
        .expect("priced");
    assert!((c - (1000.0 * 1e-6 + 500.0 * 2e-6)).abs() < 1e-15);
    // The built-in table is untouched and another registry does not see it.
    assert!(pricing::model_info("my-org/llama-fine").is_none());
    assert!(ModelRegistry::new()
        .model_info("my-org/llama-fine")
        .is_none());

    // Updating a built-in key merges: only the given fields change.
    let mut reg = ModelRegistry::new();
    let patch = ModelInfo::from_json("gpt-4o", &serde_json::json!({"input_cost_per_token": 1e-6}))
        .expect("object");
    reg.register_model("gpt-4o", patch);
    let i = reg.model_info("gpt-4o").expect("gpt-4o");
    assert_eq!(i.price("input_cost_per_token"), Some(1e-6));
    assert_eq!(i.price("output_cost_per_token"), Some(1e-5));
    assert!(reg.supports("gpt-4o", Capability::Vision));
    assert!(reg.unregister_model("gpt-4o"));
    assert_eq!(
        reg.model_info("gpt-4o")
            .and_then(|i| i.price("input_cost_per_token")),
        Some(2.5e-6)
    );
    assert!(ModelInfo::from_json("x", &serde_json::json!([1, 2])).is_none());
}

#[test]
fn unknown_model_is_a_typed_error() {
    let usage = Usage {
        prompt_tokens: 10,
        completion_tokens: 10,
        ..Usage::default()
    };
    let e = pricing::completion_cost("no-such-model-anywhere", &usage).expect_err("unknown");
    assert_eq!(e.kind, ErrorKind::NotFoundError);
    assert!(e.message.contains("no-such-model-anywhere"));
}

#[test]
fn cost_rules() {
    // OpenAI cached input: cached tokens are part of prompt_tokens and billed at the cache rate.
    let usage = Usage {
        prompt_tokens: 1000,
        completion_tokens: 100,
        prompt_tokens_details: Some(PromptTokensDetails {
            cached_tokens: Some(400),
            ..Default::default()
        }),
        ..Usage::default()
    };
    let c = pricing::cost_per_token("gpt-4o", &usage).expect("priced");
    assert_eq!(c.prompt, 600.0 * 2.5e-6 + 400.0 * 1.25e-6);
    assert_eq!(c.completion, 100.0 * 1e-5);
    // Huge token counts stay finite.
    let big = Usage {
        prompt_tokens: u64::MAX / 4,
        completion_tokens: u64::MAX / 4,
        ..Usage::default()
    };
    assert!(pricing::completion_cost("gpt-4o", &big)
        .expect("priced")
        .is_finite());
    // Every counter at its maximum: no overflow panic, a finite (if absurd) answer.
    let max = Usage {
        prompt_tokens: u64::MAX,
        completion_tokens: u64::MAX,
        total_tokens: u64::MAX,
        prompt_tokens_details: Some(PromptTokensDetails {
            cached_tokens: Some(u64::MAX),
            audio_tokens: Some(u64::MAX),
            text_tokens: Some(u64::MAX),
            image_tokens: Some(u64::MAX),
        }),
        completion_tokens_details: Some(unillm::types::CompletionTokensDetails {
            reasoning_tokens: Some(u64::MAX),
            audio_tokens: Some(u64::MAX),
            accepted_prediction_tokens: None,
            rejected_prediction_tokens: None,
            text_tokens: Some(u64::MAX),
        }),
        cache_creation_input_tokens: Some(u64::MAX),
        cache_read_input_tokens: Some(u64::MAX),
        cost: None,
    };
    for model in [
        "gpt-4o",
        "claude-haiku-4-5",
        "xai/grok-4-0709",
        "perplexity/sonar-pro",
        "dashscope/qwen-flash",
    ] {
        if let Ok(c) = pricing::completion_cost(model, &max) {
            assert!(c.is_finite() && c >= 0.0, "{model}");
        }
    }
    // Inconsistent usage (more cached than prompt) never goes negative.
    let odd = Usage {
        prompt_tokens: 10,
        prompt_tokens_details: Some(PromptTokensDetails {
            cached_tokens: Some(50),
            ..Default::default()
        }),
        cache_creation_input_tokens: Some(70),
        ..Usage::default()
    };
    assert!(pricing::completion_cost("claude-haiku-4-5", &odd).expect("priced") >= 0.0);
}

#[test]
fn response_cost_uses_usage_model_and_tier() {
    let reg = ModelRegistry::new();
    let usage = Usage {
        prompt_tokens: 1000,
        completion_tokens: 100,
        ..Usage::default()
    };
    let mut resp: unillm::types::ChatResponse = serde_json::from_value(
        serde_json::json!({"id": "x", "model": "gpt-4o-2024-08-06", "choices": []}),
    )
    .expect("response");
    assert_eq!(
        reg.response_cost(&resp, None, None).map_err(|e| e.kind),
        Err(ErrorKind::BadRequestError)
    );
    resp.usage = Some(usage.clone());
    let by_response = reg.response_cost(&resp, None, None).expect("priced");
    assert_eq!(
        by_response,
        reg.completion_cost("gpt-4o-2024-08-06", &usage)
            .expect("priced")
    );
    // The requested name wins; an unknown requested name falls back to the response's model.
    assert_eq!(
        reg.response_cost(&resp, Some("gpt-4o-mini"), None).ok(),
        reg.completion_cost("gpt-4o-mini", &usage).ok()
    );
    assert_eq!(
        reg.response_cost(&resp, Some("my-alias"), None).ok(),
        Some(by_response)
    );
    // A reported service tier is billed at its rates.
    resp.model = "gpt-5".into();
    resp.service_tier = Some("priority".into());
    let priority = reg.response_cost(&resp, None, None).expect("priced");
    resp.service_tier = None;
    assert!(priority > reg.response_cost(&resp, None, None).expect("priced"));
}

#[test]
fn image_costs_match_litellm() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/pricing/litellm_image_costs.json"
    ))
    .expect("fixture");
    let fx: serde_json::Value = serde_json::from_str(&text).expect("json");
    let reg = ModelRegistry::new();
    let (mut priced, mut bad) = (0, Vec::new());
    for case in fx["cases"].as_array().expect("cases") {
        let req = pricing::ImageRequest {
            model: case["model"].as_str().expect("model"),
            provider: case["provider"].as_str(),
            quality: case["quality"].as_str(),
            n: case["n"].as_u64().expect("n"),
            size: case["size"].as_str(),
        };
        let ours = reg.image_generation_cost(&req);
        match (case["cost"].as_f64(), ours) {
            (Some(a), Ok(b)) => {
                priced += 1;
                if !(a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs())) {
                    bad.push(format!("{req:?}: litellm {a} ours {b}"));
                }
            }
            (None, Err(_)) => {}
            (a, b) => bad.push(format!(
                "{req:?}: litellm {a:?} / {} ours {b:?}",
                case["error"]
            )),
        }
    }
    for b in &bad {
        eprintln!("MISMATCH {b}");
    }
    eprintln!("{priced} image costs compared, {} mismatches", bad.len());
    assert!(bad.is_empty());
    assert!(priced > 300);
}

#[test]
fn memoised_lookups_never_leak_into_registries_with_entries() {
    use unillm::pricing::{ModelInfo, ModelRegistry};
    use unillm::types::Usage;
    let usage = Usage { prompt_tokens: 1000, completion_tokens: 1000, ..Usage::default() };
    let builtin = ModelRegistry::new();
    // a miss, twice (the second from the memo), and a hit, twice
    assert!(builtin.completion_cost("acme-memo-model", &usage).is_err());
    assert!(builtin.completion_cost("acme-memo-model", &usage).is_err());
    let a = builtin.completion_cost("gpt-4o", &usage).expect("priced");
    assert_eq!(builtin.completion_cost("gpt-4o", &usage).expect("priced"), a);
    // a registry with its own entry prices the name the built-in table missed
    let mut own = ModelRegistry::new();
    let info = serde_json::json!({"input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6, "litellm_provider": "openai"});
    own.register_model("acme-memo-model", ModelInfo::from_json("acme-memo-model", &info).expect("info"));
    assert_eq!(own.completion_cost("acme-memo-model", &usage).expect("priced by the overlay"), 0.003);
    // and the built-in table still does not know it
    assert!(builtin.completion_cost("acme-memo-model", &usage).is_err());
}
