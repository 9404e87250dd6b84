//! `validate_environment`: which standard variables a model's provider needs, in LiteLLM's rules.

use serde::Serialize;

use super::ModelRegistry;

/// The result of [`ModelRegistry::validate_environment`], in LiteLLM's shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvironmentCheck {
    pub keys_in_environment: bool,
    pub missing_keys: Vec<String>,
}

impl ModelRegistry {
    /// LiteLLM's `validate_environment(model)`: which of the provider's standard variables are
    /// missing, given which names are set (`is_set` — the caller decides what counts: a Workers
    /// binding, `process.env`, a record). A provider LiteLLM has no rule for gives
    /// `{ keys_in_environment: false, missing_keys: [] }`, as LiteLLM does.
    pub fn validate_environment(
        &self,
        model: &str,
        is_set: impl Fn(&str) -> bool,
    ) -> EnvironmentCheck {
        let provider = self.provider_of(model);
        let rule = provider
            .as_deref()
            .and_then(|p| ENV_RULES.iter().find(|r| r.0.contains(&p)));
        match rule {
            None => EnvironmentCheck {
                keys_in_environment: false,
                missing_keys: Vec::new(),
            },
            Some((_, accept, missing)) => {
                if accept.iter().any(|all| all.iter().all(|k| is_set(k))) {
                    EnvironmentCheck {
                        keys_in_environment: true,
                        missing_keys: Vec::new(),
                    }
                } else {
                    EnvironmentCheck {
                        keys_in_environment: false,
                        missing_keys: missing.iter().map(|k| k.to_string()).collect(),
                    }
                }
            }
        }
    }
}

/// `(providers, any one of these sets of variables all set, the names reported when missing)`,
/// from LiteLLM's `validate_environment`.
type EnvRule = (
    &'static [&'static str],
    &'static [&'static [&'static str]],
    &'static [&'static str],
);

const AWS: &[&[&str]] = &[
    &["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"],
    &["AWS_ROLE_ARN"],
    &["AWS_PROFILE"],
    &["AWS_WEB_IDENTITY_TOKEN_FILE"],
    &["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"],
    &["AWS_CONTAINER_CREDENTIALS_FULL_URI"],
];

static ENV_RULES: &[EnvRule] = &[
    (
        &["openai", "text-completion-openai"],
        &[&["OPENAI_API_KEY"]],
        &["OPENAI_API_KEY"],
    ),
    (
        &["azure", "azure_text"],
        &[&["AZURE_API_BASE", "AZURE_API_VERSION", "AZURE_API_KEY"]],
        &["AZURE_API_BASE", "AZURE_API_VERSION", "AZURE_API_KEY"],
    ),
    (
        &["anthropic"],
        &[&["ANTHROPIC_API_KEY"], &["ANTHROPIC_AUTH_TOKEN"]],
        &["ANTHROPIC_API_KEY"],
    ),
    (
        &["cohere", "cohere_chat"],
        &[&["COHERE_API_KEY"]],
        &["COHERE_API_KEY"],
    ),
    (
        &["replicate"],
        &[&["REPLICATE_API_KEY"]],
        &["REPLICATE_API_KEY"],
    ),
    (
        &["openrouter"],
        &[&["OPENROUTER_API_KEY"]],
        &["OPENROUTER_API_KEY"],
    ),
    (
        &["vercel_ai_gateway"],
        &[&["VERCEL_AI_GATEWAY_API_KEY"]],
        &["VERCEL_AI_GATEWAY_API_KEY"],
    ),
    (
        &["vertex_ai"],
        &[&["VERTEXAI_PROJECT", "VERTEXAI_LOCATION"]],
        &["VERTEXAI_PROJECT", "VERTEXAI_LOCATION"],
    ),
    (
        &["huggingface"],
        &[&["HUGGINGFACE_API_KEY"]],
        &["HUGGINGFACE_API_KEY"],
    ),
    (
        &["ai21", "ai21_chat"],
        &[&["AI21_API_KEY"]],
        &["AI21_API_KEY"],
    ),
    (
        &["together_ai"],
        &[&["TOGETHERAI_API_KEY"]],
        &["TOGETHERAI_API_KEY"],
    ),
    (&["baseten"], &[&["BASETEN_API_KEY"]], &["BASETEN_API_KEY"]),
    (
        &["nlp_cloud"],
        &[&["NLP_CLOUD_API_KEY"]],
        &["NLP_CLOUD_API_KEY"],
    ),
    (
        &["bedrock", "bedrock_converse", "sagemaker"],
        AWS,
        &["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"],
    ),
    (
        &["anyscale"],
        &[&["ANYSCALE_API_KEY"]],
        &["ANYSCALE_API_KEY"],
    ),
    (
        &["deepinfra"],
        &[&["DEEPINFRA_API_KEY"]],
        &["DEEPINFRA_API_KEY"],
    ),
    (
        &["featherless_ai"],
        &[&["FEATHERLESS_AI_API_KEY"]],
        &["FEATHERLESS_AI_API_KEY"],
    ),
    (
        &["gemini"],
        &[&["GOOGLE_API_KEY"], &["GEMINI_API_KEY"]],
        &["GOOGLE_API_KEY", "GEMINI_API_KEY"],
    ),
    (&["groq"], &[&["GROQ_API_KEY"]], &["GROQ_API_KEY"]),
    (
        &["nvidia_nim"],
        &[&["NVIDIA_NIM_API_KEY"]],
        &["NVIDIA_NIM_API_KEY"],
    ),
    (
        &["cerebras"],
        &[&["CEREBRAS_API_KEY"]],
        &["CEREBRAS_API_KEY"],
    ),
    (&["xai"], &[&["XAI_API_KEY"]], &["XAI_API_KEY"]),
    (
        &["volcengine"],
        &[&["VOLCENGINE_API_KEY"]],
        &["VOLCENGINE_API_KEY"],
    ),
    (
        &["codestral", "text-completion-codestral"],
        &[&["CODESTRAL_API_KEY"]],
        &["CODESTRAL_API_KEY"],
    ),
    (
        &["inception", "text-completion-inception"],
        &[&["INCEPTION_API_KEY"]],
        &["INCEPTION_API_KEY"],
    ),
    (
        &["deepseek"],
        &[&["DEEPSEEK_API_KEY"]],
        &["DEEPSEEK_API_KEY"],
    ),
    (&["tencent"], &[&["TENCENT_API_KEY"]], &["TENCENT_API_KEY"]),
    (&["mistral"], &[&["MISTRAL_API_KEY"]], &["MISTRAL_API_KEY"]),
    (
        &["perplexity"],
        &[&["PERPLEXITYAI_API_KEY"]],
        &["PERPLEXITYAI_API_KEY"],
    ),
    (&["voyage"], &[&["VOYAGE_API_KEY"]], &["VOYAGE_API_KEY"]),
    (
        &["fireworks_ai"],
        &[
            &["FIREWORKS_AI_API_KEY"],
            &["FIREWORKS_API_KEY"],
            &["FIREWORKSAI_API_KEY"],
            &["FIREWORKS_AI_TOKEN"],
        ],
        &["FIREWORKS_AI_API_KEY"],
    ),
    (
        &["cloudflare"],
        &[
            &["CLOUDFLARE_API_KEY", "CLOUDFLARE_ACCOUNT_ID"],
            &["CLOUDFLARE_API_KEY", "CLOUDFLARE_API_BASE"],
        ],
        &["CLOUDFLARE_API_KEY", "CLOUDFLARE_API_BASE"],
    ),
    (&["novita"], &[&["NOVITA_API_KEY"]], &["NOVITA_API_KEY"]),
    (&["nebius"], &[&["NEBIUS_API_KEY"]], &["NEBIUS_API_KEY"]),
    (&["wandb"], &[&["WANDB_API_KEY"]], &["WANDB_API_KEY"]),
    (
        &["dashscope", "qwencloud", "qwen_ai_platform"],
        &[&["DASHSCOPE_API_KEY"]],
        &["DASHSCOPE_API_KEY"],
    ),
    (
        &["moonshot"],
        &[&["MOONSHOT_API_KEY"]],
        &["MOONSHOT_API_KEY"],
    ),
];
