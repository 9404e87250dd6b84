//! Model-name resolution helpers: LiteLLM's provider prefixes, provider matching and the
//! "potential model names" (`get_potential_model_names`) a name is looked up under.

use super::generated::PROVIDERS;

/// Provider names LiteLLM accepts as a `provider/` prefix that the table itself never names.
static EXTRA_PROVIDERS: &[&str] = &[
    "azure_ai",
    "bedrock",
    "custom_openai",
    "github",
    "hosted_vllm",
    "huggingface",
    "litellm_proxy",
    "lm_studio",
    "ollama_chat",
    "openai_like",
    "openrouter",
    "vllm",
    "xinference",
];

pub(super) fn normalize_provider(p: &str) -> &str {
    if p.starts_with("vertex_ai-") {
        "vertex_ai"
    } else if p.starts_with("fireworks_ai-") {
        "fireworks_ai"
    } else {
        p
    }
}

pub(super) fn is_known_provider(p: &str) -> bool {
    PROVIDERS
        .iter()
        .any(|q| !q.is_empty() && normalize_provider(q) == p)
        || EXTRA_PROVIDERS.contains(&p)
}

/// `provider/rest` where `provider` is a known provider name.
pub(super) fn split_provider(model: &str) -> Option<(&str, &str)> {
    let (p, rest) = model.split_once('/')?;
    (is_known_provider(p) && !rest.is_empty()).then_some((p, rest))
}

/// LiteLLM's `_check_provider_match`.
pub(super) fn provider_matches(entry: Option<&str>, wanted: Option<&str>) -> bool {
    let (Some(entry), Some(wanted)) = (entry, wanted) else {
        return true;
    };
    if entry == wanted {
        return true;
    }
    (wanted == "vertex_ai" && entry.starts_with("vertex_ai"))
        || (wanted == "fireworks_ai" && entry.starts_with("fireworks_ai"))
        || (wanted.starts_with("bedrock") && entry.starts_with("bedrock"))
        || wanted == "litellm_proxy"
        || (wanted == "azure_ai" && (entry == "azure" || entry == "openai"))
        || wanted == "github"
}

/// LiteLLM's `get_potential_model_names`, without the provider-specific cost-key hooks.
pub(super) struct PotentialNames {
    pub(super) provider: Option<String>,
    combined: String,
    split: String,
    combined_stripped: String,
    stripped: String,
}

impl PotentialNames {
    pub(super) fn new(model: &str, provider: Option<&str>) -> PotentialNames {
        let (provider, split, combined) = match provider {
            None => match split_provider(model) {
                Some((p, rest)) => (Some(p.to_string()), rest.to_string(), model.to_string()),
                None => (None, model.to_string(), model.to_string()),
            },
            Some(p) => match model.strip_prefix(p).and_then(|r| r.strip_prefix('/')) {
                Some(rest) => (Some(p.to_string()), rest.to_string(), model.to_string()),
                None => (
                    Some(p.to_string()),
                    model.to_string(),
                    format!("{p}/{model}"),
                ),
            },
        };
        let split = match provider.as_deref() {
            Some("bedrock" | "bedrock_converse") => {
                let s = split
                    .strip_prefix("converse/")
                    .or_else(|| split.strip_prefix("invoke/"));
                s.map(str::to_string).unwrap_or(split)
            }
            _ => split,
        };
        let stripped = strip_model_name(&split, provider.as_deref());
        let combined_stripped = match &provider {
            Some(p) => format!("{p}/{stripped}"),
            None => stripped.clone(),
        };
        PotentialNames {
            provider,
            combined,
            split,
            combined_stripped,
            stripped,
        }
    }

    pub(super) fn candidates<'a>(&'a self, model: &'a str) -> [&'a str; 5] {
        [
            &self.combined,
            model,
            &self.split,
            &self.combined_stripped,
            &self.stripped,
        ]
    }
}

/// LiteLLM's `_strip_model_name`.
pub(super) fn strip_model_name(model: &str, provider: Option<&str>) -> String {
    match provider {
        Some("bedrock" | "bedrock_converse") => bedrock_base(model).to_string(),
        Some("vertex_ai" | "gemini" | "databricks") => strip_trailing(model, |s| {
            let digits = s.bytes().rev().take_while(u8::is_ascii_digit).count();
            (digits > 0 && s.as_bytes().get(s.len() - digits - 1) == Some(&b'-'))
                .then_some(digits + 1)
        }),
        _ if model.contains("ft:") => strip_finetune(model),
        _ => strip_trailing(model, |s| {
            // -YYYY-MM-DD
            let b = s.as_bytes();
            let n = b.len();
            let shape = b"-dddd-dd-dd";
            (n >= shape.len()
                && b[n - shape.len()..].iter().zip(shape).all(|(c, s)| {
                    if *s == b'd' {
                        c.is_ascii_digit()
                    } else {
                        c == s
                    }
                }))
            .then_some(shape.len())
        }),
    }
}

pub(super) fn strip_trailing(model: &str, suffix_len: impl Fn(&str) -> Option<usize>) -> String {
    match suffix_len(model) {
        Some(n) if n <= model.len() => model.get(..model.len() - n).unwrap_or(model).to_string(),
        _ => model.to_string(),
    }
}

/// `ft:gpt-3.5-turbo:my-org:custom_suffix:id` -> `ft:gpt-3.5-turbo`.
pub(super) fn strip_finetune(model: &str) -> String {
    match model.find("ft:") {
        Some(i) => {
            let rest = &model[i + 3..];
            let base = rest.split(':').next().unwrap_or(rest);
            format!("{}ft:{base}", &model[..i])
        }
        None => model.to_string(),
    }
}

/// `us.meta.llama3-2-11b-instruct-v1:0` -> `meta.llama3-2-11b-instruct-v1` (region prefix and
/// `:N` version dropped), as LiteLLM's `BedrockModelInfo.get_base_model` does for the usual forms.
pub(super) fn bedrock_base(model: &str) -> &str {
    let mut m = model;
    for region in [
        "us.", "eu.", "apac.", "ap.", "jp.", "au.", "global.", "us-gov.", "ca.",
    ] {
        if let Some(rest) = m.strip_prefix(region) {
            m = rest;
            break;
        }
    }
    match m.rsplit_once(':') {
        Some((base, v)) if !v.is_empty() && v.bytes().all(|c| c.is_ascii_digit()) => base,
        _ => m,
    }
}
