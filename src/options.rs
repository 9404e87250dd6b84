//! The call options, written once: every option `completion()` takes beside the OpenAI request
//! body, its aliases (the `openai` package's camelCase names, LiteLLM's snake_case keys) and its
//! unit. The JS option list (`dist/api.js`), the TypeScript declarations of the aliases
//! (`dist/index.d.ts`) and `docs/options.md` are generated from [`OPTIONS`] (examples/js_tables.rs,
//! scripts/gen-js.mjs). A listed name never reaches a wire body; any other extra field is the
//! documented passthrough to the provider.
//!
//! Units: camelCase options are in unillm's units (milliseconds); LiteLLM's snake_case keys keep
//! LiteLLM's (seconds for `timeout`), so a LiteLLM call site works unchanged. Giving one setting
//! under two names in one call is an error.

/// How an alias's value converts to the option's unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    Same,
    /// The alias is in seconds, the option in milliseconds.
    SecondsToMs,
}

#[derive(Debug, Clone, Copy)]
pub struct CallOption {
    /// The option's name (camelCase, unillm's units).
    pub name: &'static str,
    /// Other names for it, with their unit.
    pub aliases: &'static [(&'static str, Scale)],
    /// The TypeScript type of an alias's value.
    pub ts: &'static str,
    pub doc: &'static str,
}

const fn opt(name: &'static str, aliases: &'static [(&'static str, Scale)], ts: &'static str, doc: &'static str) -> CallOption {
    CallOption { name, aliases, ts, doc }
}

use Scale::{Same, SecondsToMs};

pub const OPTIONS: &[CallOption] = &[
    opt("apiKey", &[("api_key", Same)], "string", "The provider's key (else from the environment)."),
    opt("apiBase", &[("baseURL", Same), ("api_base", Same), ("base_url", Same)], "string", "Base URL of the provider."),
    opt("apiVersion", &[("api_version", Same)], "string", "API version (Azure)."),
    opt("headers", &[("extra_headers", Same)], "Record<string, string>", "Extra HTTP headers."),
    opt("defaultHeaders", &[], "Record<string, string>", "Headers sent before `headers`."),
    opt("timeout", &[("request_timeout", SecondsToMs)], "number", "The whole call's time: milliseconds (`request_timeout`: LiteLLM's seconds)."),
    opt("signal", &[], "AbortSignal", "Aborts the call."),
    opt("numRetries", &[("maxRetries", Same), ("num_retries", Same), ("max_retries", Same)], "number", "Retries per model."),
    opt("fallbacks", &[], "unknown[]", "Models (or overrides) tried in order when the call fails."),
    opt("env", &[], "Record<string, unknown>", "Credentials and settings by environment-variable name."),
    opt("dropParams", &[("drop_params", Same)], "boolean", "Drop parameters the provider cannot take."),
    opt("mockResponse", &[("mock_response", Same)], "string", "Answer with this text without calling the provider."),
    opt("mockDelay", &[], "number", "Milliseconds between streamed mock chunks."),
    opt("fetch", &[], "typeof fetch", "The fetch implementation."),
    opt("models", &[], "unknown", "The registry that prices the call."),
    opt("limits", &[], "Limits", "Bounds on what the call reads (docs/limits.md)."),
];

/// The option a name stands for, with the alias's unit, if it is one.
pub fn lookup(name: &str) -> Option<(&'static CallOption, Scale)> {
    OPTIONS.iter().find_map(|o| {
        if o.name == name {
            return Some((o, Same));
        }
        o.aliases.iter().find(|(a, _)| *a == name).map(|(_, s)| (o, *s))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_unique_and_resolves_to_its_option() {
        let mut seen = std::collections::BTreeSet::new();
        for o in OPTIONS {
            for n in std::iter::once(o.name).chain(o.aliases.iter().map(|(a, _)| *a)) {
                assert!(seen.insert(n), "{n} twice");
                assert_eq!(lookup(n).map(|(x, _)| x.name), Some(o.name));
            }
        }
        assert_eq!(lookup("request_timeout").map(|(_, s)| s), Some(SecondsToMs));
        assert!(lookup("temperature").is_none(), "a request field is not an option");
    }
}
