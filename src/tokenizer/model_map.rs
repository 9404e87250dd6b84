//! Model name → tiktoken encoding name: pure data, shared by the tokenizer and (in the core wasm,
//! where the tokenizer is a separate module) by its JS-backed stand-in, `src/tokenizer_js.rs`.

/// The tiktoken encoding OpenAI uses for `model`, following tiktoken's `encoding_for_model`
/// (exact names first, then prefixes; `ft:<base>:...` uses the base model). Names of encodings
/// not compiled in (`p50k_base`, `r50k_base`, `p50k_edit`, `gpt2`, `o200k_harmony`) are returned
/// too, so callers can say which encoding a model needs; [`super::Encoding::get`] rejects them.
/// The error for an encoding name that is not compiled in.
pub(crate) fn unknown_encoding(name: &str) -> crate::error::LlmError {
    let hint = match name {
        "p50k_base" | "p50k_edit" | "r50k_base" | "gpt2" | "o200k_harmony" => " (a tiktoken encoding not compiled into this build)",
        _ => "",
    };
    crate::error::LlmError::bad_request(format!("unknown encoding \"{name}\"{hint}; available: {}", super::ENCODINGS.join(", ")))
        .with_param("encoding")
}

/// The compiled-in encoding to count `model` with (a `provider/` prefix of the OpenAI family is
/// ignored), and whether it is the model's own: other providers' models, and OpenAI models whose
/// encoding is not compiled in, are approximated with `cl100k_base`, as LiteLLM does.
pub fn counting_encoding(model: &str) -> (&'static str, bool) {
    let bare = match model.split_once('/') {
        Some(("openai" | "azure" | "text-completion-openai", rest)) => rest,
        _ => model,
    };
    match encoding_for_model(bare) {
        Some(name) if super::ENCODINGS.contains(&name) => (name, !model.contains('/') || bare != model),
        _ => ("cl100k_base", false),
    }
}

pub fn encoding_for_model(model: &str) -> Option<&'static str> {
    if let Some(rest) = model.strip_prefix("ft:") {
        let base = rest.split(':').next().unwrap_or(rest);
        return encoding_for_model(base);
    }
    if let Some(&(_, enc)) = MODEL_TO_ENCODING.iter().find(|(m, _)| *m == model) {
        return Some(enc);
    }
    MODEL_PREFIX_TO_ENCODING
        .iter()
        .find(|(p, _)| model.starts_with(p))
        .map(|&(_, enc)| enc)
}

const O200K: &str = "o200k_base";
const CL100K: &str = "cl100k_base";
const P50K: &str = "p50k_base";
const R50K: &str = "r50k_base";

const MODEL_PREFIX_TO_ENCODING: &[(&str, &str)] = &[
    ("o1-", O200K),
    ("o3-", O200K),
    ("o4-mini-", O200K),
    ("gpt-5", O200K),
    ("gpt-4.5-", O200K),
    ("gpt-4.1-", O200K),
    ("chatgpt-4o-", O200K),
    ("gpt-4o-", O200K),
    ("gpt-4-", CL100K),
    ("gpt-3.5-turbo-", CL100K),
    ("gpt-35-turbo-", CL100K),
    ("gpt-oss-", "o200k_harmony"),
    ("codex-mini", O200K),
];

const MODEL_TO_ENCODING: &[(&str, &str)] = &[
    ("o1", O200K),
    ("o3", O200K),
    ("o4-mini", O200K),
    ("gpt-5", O200K),
    ("gpt-4.1", O200K),
    ("gpt-4o", O200K),
    ("gpt-4", CL100K),
    ("gpt-3.5-turbo", CL100K),
    ("gpt-3.5", CL100K),
    ("gpt-35-turbo", CL100K),
    ("davinci-002", CL100K),
    ("babbage-002", CL100K),
    ("text-embedding-ada-002", CL100K),
    ("text-embedding-3-small", CL100K),
    ("text-embedding-3-large", CL100K),
    ("text-davinci-003", P50K),
    ("text-davinci-002", P50K),
    ("text-davinci-001", R50K),
    ("text-curie-001", R50K),
    ("text-babbage-001", R50K),
    ("text-ada-001", R50K),
    ("davinci", R50K),
    ("curie", R50K),
    ("babbage", R50K),
    ("ada", R50K),
    ("code-davinci-002", P50K),
    ("code-davinci-001", P50K),
    ("code-cushman-002", P50K),
    ("code-cushman-001", P50K),
    ("davinci-codex", P50K),
    ("cushman-codex", P50K),
    ("text-davinci-edit-001", "p50k_edit"),
    ("code-davinci-edit-001", "p50k_edit"),
    ("text-similarity-davinci-001", R50K),
    ("text-similarity-curie-001", R50K),
    ("text-similarity-babbage-001", R50K),
    ("text-similarity-ada-001", R50K),
    ("text-search-davinci-doc-001", R50K),
    ("text-search-curie-doc-001", R50K),
    ("text-search-babbage-doc-001", R50K),
    ("text-search-ada-doc-001", R50K),
    ("code-search-babbage-code-001", R50K),
    ("code-search-ada-code-001", R50K),
    ("gpt2", "gpt2"),
    ("gpt-2", "gpt2"),
];
