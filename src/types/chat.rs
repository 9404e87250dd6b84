//! OpenAI chat completion wire types: the request, the response and the stream chunk.
//!
//! These are the shapes every provider translates to and from. Unknown request fields are kept
//! in `extra` and passed through to providers that accept them; unknown response fields from
//! OpenAI-compatible servers are dropped (the schema is partial on purpose: only what we read).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `POST /v1/chat/completions` request body. `Deserialize` is written out below: the derived
/// one, because of `#[serde(flatten)] extra`, buffered the whole request into serde's generic
/// content tree and deserialised it from there (the largest function in the wasm, and the
/// slowest part of reading a request).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ChatRequest {
    pub model: String,
    pub messages: Vec<Message>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_options: Option<StreamOptions>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_completion_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop: Option<Stop>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub presence_penalty: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency_penalty: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logit_bias: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logprobs: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_logprobs: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<Vec<Tool>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<ToolChoice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parallel_tool_calls: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_format: Option<ResponseFormat>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_effort: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    /// Provider-specific parameters, passed through unchanged to providers that take them.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A request key: one of [`ChatRequest`]'s fields, or another (kept in `extra`).
enum Field {
    Model,
    Messages,
    Stream,
    StreamOptions,
    Temperature,
    TopP,
    MaxTokens,
    MaxCompletionTokens,
    Stop,
    N,
    Seed,
    PresencePenalty,
    FrequencyPenalty,
    LogitBias,
    Logprobs,
    TopLogprobs,
    User,
    Tools,
    ToolChoice,
    ParallelToolCalls,
    ResponseFormat,
    ReasoningEffort,
    Metadata,
    Other(String),
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Field;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: serde::de::Error>(self, k: &str) -> Result<Field, E> {
                Ok(match k {
                    "model" => Field::Model,
                    "messages" => Field::Messages,
                    "stream" => Field::Stream,
                    "stream_options" => Field::StreamOptions,
                    "temperature" => Field::Temperature,
                    "top_p" => Field::TopP,
                    "max_tokens" => Field::MaxTokens,
                    "max_completion_tokens" => Field::MaxCompletionTokens,
                    "stop" => Field::Stop,
                    "n" => Field::N,
                    "seed" => Field::Seed,
                    "presence_penalty" => Field::PresencePenalty,
                    "frequency_penalty" => Field::FrequencyPenalty,
                    "logit_bias" => Field::LogitBias,
                    "logprobs" => Field::Logprobs,
                    "top_logprobs" => Field::TopLogprobs,
                    "user" => Field::User,
                    "tools" => Field::Tools,
                    "tool_choice" => Field::ToolChoice,
                    "parallel_tool_calls" => Field::ParallelToolCalls,
                    "response_format" => Field::ResponseFormat,
                    "reasoning_effort" => Field::ReasoningEffort,
                    "metadata" => Field::Metadata,
                    _ => Field::Other(k.to_owned()),
                })
            }
        }
        d.deserialize_identifier(V)
    }
}

impl<'de> Deserialize<'de> for ChatRequest {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = ChatRequest;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("struct ChatRequest")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<ChatRequest, A::Error> {
                let mut r = ChatRequest::default();
                let (mut model, mut messages) = (None, None);
                // a repeated key: the last one counts, as in JSON.parse
                while let Some(key) = map.next_key::<Field>()? {
                    match key {
                        Field::Model => model = Some(map.next_value()?),
                        Field::Messages => messages = Some(map.next_value()?),
                        Field::Stream => r.stream = map.next_value()?,
                        Field::StreamOptions => r.stream_options = map.next_value()?,
                        Field::Temperature => r.temperature = map.next_value()?,
                        Field::TopP => r.top_p = map.next_value()?,
                        Field::MaxTokens => r.max_tokens = map.next_value()?,
                        Field::MaxCompletionTokens => r.max_completion_tokens = map.next_value()?,
                        Field::Stop => r.stop = map.next_value()?,
                        Field::N => r.n = map.next_value()?,
                        Field::Seed => r.seed = map.next_value()?,
                        Field::PresencePenalty => r.presence_penalty = map.next_value()?,
                        Field::FrequencyPenalty => r.frequency_penalty = map.next_value()?,
                        Field::LogitBias => r.logit_bias = map.next_value()?,
                        Field::Logprobs => r.logprobs = map.next_value()?,
                        Field::TopLogprobs => r.top_logprobs = map.next_value()?,
                        Field::User => r.user = map.next_value()?,
                        Field::Tools => r.tools = map.next_value()?,
                        Field::ToolChoice => r.tool_choice = map.next_value()?,
                        Field::ParallelToolCalls => r.parallel_tool_calls = map.next_value()?,
                        Field::ResponseFormat => r.response_format = map.next_value()?,
                        Field::ReasoningEffort => r.reasoning_effort = map.next_value()?,
                        Field::Metadata => r.metadata = map.next_value()?,
                        Field::Other(k) => {
                            let v: Value = map.next_value()?;
                            r.extra.insert(k, v);
                        }
                    }
                }
                r.model = model.ok_or_else(|| serde::de::Error::missing_field("model"))?;
                r.messages = messages.ok_or_else(|| serde::de::Error::missing_field("messages"))?;
                Ok(r)
            }
        }
        d.deserialize_map(V)
    }
}

impl ChatRequest {
    pub fn is_stream(&self) -> bool {
        self.stream == Some(true)
    }

    pub fn include_usage(&self) -> bool {
        self.stream_options.as_ref().and_then(|o| o.include_usage) == Some(true)
    }

    /// `max_completion_tokens` if set, else `max_tokens`.
    pub fn max_output_tokens(&self) -> Option<u64> {
        self.max_completion_tokens.or(self.max_tokens)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StreamOptions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_usage: Option<bool>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `stop`: one string or several.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Stop {
    One(String),
    Many(Vec<String>),
}

impl Stop {
    pub fn to_vec(&self) -> Vec<String> {
        match self {
            Stop::One(s) => vec![s.clone()],
            Stop::Many(v) => v.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    Developer,
    User,
    Assistant,
    Tool,
    /// The legacy `function` role (pre-tools function calling).
    Function,
}

/// One chat message. A flat struct rather than an enum keyed on `role`: it parses faster, and it
/// tolerates the fields that real clients send on roles the spec does not list them for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<Content>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_calls: Option<Vec<ToolCall>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refusal: Option<String>,
    /// Reasoning text of an earlier assistant turn (as returned by reasoning providers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_content: Option<String>,
    /// Provider thinking blocks (with signatures) of an earlier assistant turn, sent back verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thinking_blocks: Option<Vec<Value>>,
    /// Anthropic prompt caching marker on a whole message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_control: Option<Value>,
}

impl Message {
    pub fn new(role: Role, text: impl Into<String>) -> Self {
        Message {
            role,
            content: Some(Content::Text(text.into())),
            name: None,
            tool_calls: None,
            tool_call_id: None,
            refusal: None,
            reasoning_content: None,
            thinking_blocks: None,
            cache_control: None,
        }
    }

    /// All text of the message (text parts joined), for providers and counters that want text.
    pub fn text(&self) -> String {
        self.content.as_ref().map(Content::text).unwrap_or_default()
    }
}

/// Message content: a plain string or a list of typed parts.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Content {
    Text(String),
    Parts(Vec<ContentPart>),
}

impl Content {
    pub fn text(&self) -> String {
        match self {
            Content::Text(s) => s.clone(),
            Content::Parts(parts) => {
                let mut out = String::new();
                for p in parts {
                    if let ContentPart::Text { text, .. } = p {
                        out.push_str(text);
                    }
                }
                out
            }
        }
    }

    pub fn parts(&self) -> Vec<ContentPart> {
        match self {
            Content::Text(s) => vec![ContentPart::Text { text: s.clone(), cache_control: None }],
            Content::Parts(p) => p.clone(),
        }
    }
}

/// A content part. Serialized as the tagged form; deserialized through [`FlatPart`]: serde's
/// internally tagged enums buffer the value into a generic tree first and instantiate every
/// variant's deserializer twice, which made this the second-largest function of the wasm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", try_from = "FlatPart")]
pub enum ContentPart {
    Text {
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cache_control: Option<Value>,
    },
    ImageUrl {
        image_url: ImageUrl,
        /// Anthropic prompt caching on an image (ignored by providers without it).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cache_control: Option<Value>,
    },
    InputAudio {
        input_audio: InputAudio,
    },
    File {
        file: FileRef,
        /// Anthropic prompt caching on a document.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cache_control: Option<Value>,
    },
    Refusal {
        refusal: String,
    },
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum PartKind {
    Text,
    ImageUrl,
    InputAudio,
    File,
    Refusal,
}

/// Every content part's fields in one plain struct.
#[derive(Deserialize)]
struct FlatPart {
    #[serde(rename = "type")]
    kind: PartKind,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    image_url: Option<ImageUrl>,
    #[serde(default)]
    input_audio: Option<InputAudio>,
    #[serde(default)]
    file: Option<FileRef>,
    #[serde(default)]
    refusal: Option<String>,
    #[serde(default)]
    cache_control: Option<Value>,
}

impl TryFrom<FlatPart> for ContentPart {
    type Error = String;

    /// The part, with the same required fields the tagged form has.
    fn try_from(p: FlatPart) -> Result<Self, String> {
        let need = |what: &str| format!("missing field `{what}`");
        let cache_control = p.cache_control;
        Ok(match p.kind {
            PartKind::Text => ContentPart::Text { text: p.text.ok_or_else(|| need("text"))?, cache_control },
            PartKind::ImageUrl => ContentPart::ImageUrl { image_url: p.image_url.ok_or_else(|| need("image_url"))?, cache_control },
            PartKind::InputAudio => ContentPart::InputAudio { input_audio: p.input_audio.ok_or_else(|| need("input_audio"))? },
            PartKind::File => ContentPart::File { file: p.file.ok_or_else(|| need("file"))?, cache_control },
            PartKind::Refusal => ContentPart::Refusal { refusal: p.refusal.ok_or_else(|| need("refusal"))? },
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageUrl {
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputAudio {
    pub data: String,
    pub format: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_data: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    #[serde(rename = "type", default = "function_type")]
    pub kind: String,
    pub function: FunctionDef,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_control: Option<Value>,
}

fn function_type() -> String {
    "function".to_owned()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionDef {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strict: Option<bool>,
}

/// `tool_choice`: `"none" | "auto" | "required"` or `{type: "function", function: {name}}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ToolChoice {
    Mode(String),
    Named(NamedToolChoice),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedToolChoice {
    #[serde(rename = "type", default = "function_type")]
    pub kind: String,
    pub function: NamedFunction,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedFunction {
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", try_from = "FlatFormat")]
pub enum ResponseFormat {
    Text,
    JsonObject,
    JsonSchema { json_schema: JsonSchemaFormat },
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum FormatKind {
    Text,
    JsonObject,
    JsonSchema,
}

/// `response_format`'s fields in one plain struct (see [`ContentPart`] for why).
#[derive(Deserialize)]
struct FlatFormat {
    #[serde(rename = "type")]
    kind: FormatKind,
    #[serde(default)]
    json_schema: Option<JsonSchemaFormat>,
}

impl TryFrom<FlatFormat> for ResponseFormat {
    type Error = &'static str;

    fn try_from(f: FlatFormat) -> Result<Self, &'static str> {
        Ok(match f.kind {
            FormatKind::Text => ResponseFormat::Text,
            FormatKind::JsonObject => ResponseFormat::JsonObject,
            FormatKind::JsonSchema => ResponseFormat::JsonSchema { json_schema: f.json_schema.ok_or("missing field `json_schema`")? },
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JsonSchemaFormat {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strict: Option<bool>,
}

/// A complete tool call in a request (assistant history) or a response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    pub id: String,
    #[serde(rename = "type", default = "function_type")]
    pub kind: String,
    pub function: FunctionCall,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionCall {
    pub name: String,
    /// JSON text, exactly as the model produced it.
    #[serde(default)]
    pub arguments: String,
}

/// `chat.completion` response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChatResponse {
    pub id: String,
    #[serde(default = "completion_object")]
    pub object: String,
    #[serde(default)]
    pub created: u64,
    #[serde(default)]
    pub model: String,
    pub choices: Vec<Choice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_fingerprint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_tier: Option<String>,
}

fn completion_object() -> String {
    "chat.completion".to_owned()
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    #[serde(default)]
    pub index: u32,
    pub message: ResponseMessage,
    #[serde(default)]
    pub finish_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logprobs: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseMessage {
    #[serde(default = "assistant_role")]
    pub role: String,
    #[serde(default)]
    pub content: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_calls: Option<Vec<ToolCall>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refusal: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_content: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thinking_blocks: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio: Option<Value>,
}

impl Default for ResponseMessage {
    fn default() -> Self {
        ResponseMessage {
            role: assistant_role(),
            content: None,
            tool_calls: None,
            refusal: None,
            reasoning_content: None,
            thinking_blocks: None,
            annotations: None,
            audio: None,
        }
    }
}

fn assistant_role() -> String {
    "assistant".to_owned()
}

/// Token usage, with OpenAI's detail objects and the cache counters Anthropic users expect.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Usage {
    #[serde(default)]
    pub prompt_tokens: u64,
    #[serde(default)]
    pub completion_tokens: u64,
    #[serde(default)]
    pub total_tokens: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_tokens_details: Option<PromptTokensDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion_tokens_details: Option<CompletionTokensDetails>,
    /// Tokens written to the provider's prompt cache (Anthropic `cache_creation_input_tokens`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_creation_input_tokens: Option<u64>,
    /// Tokens read from the provider's prompt cache.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_read_input_tokens: Option<u64>,
    /// Estimated cost of the call in USD, from the compiled-in price table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PromptTokensDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cached_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_tokens: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CompletionTokensDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_prediction_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejected_prediction_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_tokens: Option<u64>,
}

/// `chat.completion.chunk`, one streamed event.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChatChunk {
    #[serde(default)]
    pub id: String,
    /// Almost always `chat.completion.chunk`, which costs no allocation per chunk.
    #[serde(default = "chunk_object", deserialize_with = "de_chunk_object")]
    pub object: std::borrow::Cow<'static, str>,
    #[serde(default)]
    pub created: u64,
    #[serde(default)]
    pub model: String,
    #[serde(default)]
    pub choices: Vec<ChunkChoice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_fingerprint: Option<String>,
    /// The provider's own JSON text for this chunk, when the provider speaks the OpenAI format.
    /// Emitted verbatim if the stream pipeline changes nothing (faster than re-serializing, and
    /// fields this crate does not model survive); dropped as soon as anything is changed.
    #[serde(skip)]
    pub raw: Option<String>,
}

impl ChatChunk {
    /// The content of a chunk that is nothing but one content delta of choice 0 (the bulk of any
    /// stream): `id`, `object`, `created`, `model` and that text say everything about it. `None`
    /// for any other shape, and for a chunk carrying the provider's own JSON.
    pub fn simple_content(&self) -> Option<&str> {
        if self.raw.is_some() || self.usage.is_some() || self.system_fingerprint.is_some() || self.object != "chat.completion.chunk" {
            return None;
        }
        let [c] = self.choices.as_slice() else { return None };
        let d = &c.delta;
        if c.index != 0 || c.finish_reason.is_some() || c.logprobs.is_some() {
            return None;
        }
        if d.role.is_some() || d.tool_calls.is_some() || d.refusal.is_some() || d.reasoning_content.is_some() || d.thinking_blocks.is_some() {
            return None;
        }
        d.content.as_deref()
    }

    /// The chunk as OpenAI-format JSON: the provider's own text when it is unchanged.
    pub fn write_json(&self, out: &mut String) -> Result<(), serde_json::Error> {
        match &self.raw {
            Some(raw) => out.push_str(raw),
            None => out.push_str(&serde_json::to_string(self)?),
        }
        Ok(())
    }
}

pub fn chunk_object() -> std::borrow::Cow<'static, str> {
    std::borrow::Cow::Borrowed("chat.completion.chunk")
}

fn de_chunk_object<'de, D: serde::Deserializer<'de>>(d: D) -> Result<std::borrow::Cow<'static, str>, D::Error> {
    struct V;
    impl serde::de::Visitor<'_> for V {
        type Value = std::borrow::Cow<'static, str>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a string")
        }
        // `visit_str` sees borrowed and unescaped-scratch strings alike: no allocation to compare
        fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Self::Value, E> {
            Ok(if s == "chat.completion.chunk" { chunk_object() } else { std::borrow::Cow::Owned(s.to_owned()) })
        }
    }
    d.deserialize_str(V)
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChunkChoice {
    #[serde(default)]
    pub index: u32,
    #[serde(default)]
    pub delta: Delta,
    #[serde(default)]
    pub finish_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logprobs: Option<Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Delta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_calls: Option<Vec<ToolCallDelta>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refusal: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_content: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thinking_blocks: Option<Vec<Value>>,
}

impl Delta {
    pub fn is_empty(&self) -> bool {
        self.role.is_none()
            && self.content.is_none()
            && self.tool_calls.is_none()
            && self.refusal.is_none()
            && self.reasoning_content.is_none()
            && self.thinking_blocks.is_none()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ToolCallDelta {
    #[serde(default)]
    pub index: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function: Option<FunctionCallDelta>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FunctionCallDelta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<String>,
}

// The string-or-list and string-or-object shapes, deserialized by hand: serde's `untagged` (and
// `flatten`) buffer the value into a generic tree and try each variant against it, which is slow
// on the request path and, with every type it instantiates twice, tens of KB of wasm.

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

/// Every element of a JSON array.
pub(crate) fn seq_to_vec<'de, T: Deserialize<'de>, A: SeqAccess<'de>>(mut seq: A) -> Result<Vec<T>, A::Error> {
    let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(256));
    while let Some(x) = seq.next_element()? {
        out.push(x);
    }
    Ok(out)
}

/// A JSON string or an array of `T`: the two shapes of `content` and `stop`.
enum StrOrSeq<T> {
    Str(String),
    Seq(Vec<T>),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for StrOrSeq<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = StrOrSeq<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string or an array")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(StrOrSeq::Str(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(StrOrSeq::Str(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                seq_to_vec(seq).map(StrOrSeq::Seq)
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

impl<'de> Deserialize<'de> for Content {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match StrOrSeq::deserialize(d)? {
            StrOrSeq::Str(s) => Content::Text(s),
            StrOrSeq::Seq(parts) => Content::Parts(parts),
        })
    }
}

impl<'de> Deserialize<'de> for Stop {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match StrOrSeq::deserialize(d)? {
            StrOrSeq::Str(s) => Stop::One(s),
            StrOrSeq::Seq(many) => Stop::Many(many),
        })
    }
}

impl<'de> Deserialize<'de> for ToolChoice {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ToolChoice;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("\"none\", \"auto\", \"required\" or {\"type\": \"function\", \"function\": {\"name\": ...}}")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ToolChoice, E> {
                Ok(ToolChoice::Mode(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<ToolChoice, E> {
                Ok(ToolChoice::Mode(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ToolChoice, A::Error> {
                NamedToolChoice::deserialize(de::value::MapAccessDeserializer::new(map)).map(ToolChoice::Named)
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for StreamOptions {
    /// `include_usage`, and every other key kept in `extra` (the last of a repeated key counts).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StreamOptions;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<StreamOptions, A::Error> {
                let mut out = StreamOptions::default();
                while let Some(key) = map.next_key::<String>()? {
                    if key == "include_usage" {
                        out.include_usage = map.next_value()?;
                    } else {
                        out.extra.insert(key, map.next_value()?);
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_map(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The written-out `Deserialize`: every field read, nulls as absent, other keys kept in
    /// `extra`, the last of a repeated key counted, and serde's errors for a missing or
    /// mistyped field.
    #[test]
    fn request_fields_extras_nulls_and_errors() {
        let r: ChatRequest = serde_json::from_str(
            r#"{"top_k":3,"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true,
            "stream_options":{"include_usage":true},"temperature":0.5,"top_p":null,"max_tokens":9,
            "max_completion_tokens":8,"stop":"x","n":2,"seed":-1,"presence_penalty":0.1,
            "frequency_penalty":0.2,"logit_bias":{"1":2},"logprobs":true,"top_logprobs":3,"user":"u",
            "tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":"auto",
            "parallel_tool_calls":false,"response_format":{"type":"json_object"},
            "reasoning_effort":"low","metadata":{"a":"b"},"safety_settings":[1],"temperature":0.7}"#,
        )
        .expect("parses");
        assert_eq!((r.model.as_str(), r.messages.len(), r.stream), ("m", 1, Some(true)));
        assert_eq!((r.temperature, r.top_p, r.max_tokens, r.max_completion_tokens), (Some(0.7), None, Some(9), Some(8)));
        assert_eq!((r.n, r.seed, r.logprobs, r.top_logprobs, r.user.as_deref()), (Some(2), Some(-1), Some(true), Some(3), Some("u")));
        assert_eq!((r.presence_penalty, r.frequency_penalty, r.parallel_tool_calls), (Some(0.1), Some(0.2), Some(false)));
        assert!(r.stop.is_some() && r.logit_bias.is_some() && r.tools.is_some() && r.tool_choice.is_some());
        assert!(r.response_format.is_some() && r.metadata.is_some() && r.include_usage());
        assert_eq!(r.reasoning_effort.as_deref(), Some("low"));
        assert_eq!(serde_json::to_value(&r.extra).unwrap(), serde_json::json!({"top_k": 3, "safety_settings": [1]}));
        // serialising and reading back gives the same request
        let again: ChatRequest = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        assert_eq!(again, r);
        for (bad, want) in [
            (r#"{"messages":[]}"#, "missing field `model`"),
            (r#"{"model":"m"}"#, "missing field `messages`"),
            (r#"{"model":"m","messages":[],"n":"two"}"#, "invalid type: string \"two\", expected u32"),
            (r#"["m",[]]"#, "invalid type: sequence, expected struct ChatRequest"),
        ] {
            let e = serde_json::from_str::<ChatRequest>(bad).expect_err(bad).to_string();
            assert!(e.starts_with(want), "{bad}: {e}");
        }
    }

    #[test]
    fn request_roundtrip_keeps_extras_and_parts() {
        let raw = r#"{"model":"gpt-4o","messages":[
            {"role":"system","content":"be brief"},
            {"role":"user","content":[{"type":"text","text":"what is this?"},
              {"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA","detail":"low"}}]},
            {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{\"a\":1}"}}]},
            {"role":"tool","tool_call_id":"call_1","content":"42"}],
            "stop":["x","y"],"tool_choice":{"type":"function","function":{"name":"f"}},
            "response_format":{"type":"json_schema","json_schema":{"name":"s","schema":{"type":"object"}}},
            "top_k":5}"#;
        let req: ChatRequest = serde_json::from_str(raw).expect("parses");
        assert_eq!(req.messages.len(), 4);
        assert_eq!(req.extra.get("top_k"), Some(&Value::from(5)));
        assert_eq!(req.stop, Some(Stop::Many(vec!["x".into(), "y".into()])));
        assert!(matches!(req.tool_choice, Some(ToolChoice::Named(_))));
        assert!(matches!(req.response_format, Some(ResponseFormat::JsonSchema { .. })));
        let again: ChatRequest = serde_json::from_str(&serde_json::to_string(&req).expect("ser")).expect("re-parses");
        assert_eq!(again, req);
    }

    #[test]
    fn wrong_types_are_errors_not_panics() {
        for raw in [
            r#"{"model":1,"messages":[]}"#,
            r#"{"model":"m","messages":"hi"}"#,
            r#"{"model":"m","messages":[{"role":"wizard","content":"x"}]}"#,
            r#"{"model":"m","messages":[{"role":"user","content":[{"type":"hologram"}]}]}"#,
            r#"{"model":"m","messages":[],"temperature":"hot"}"#,
        ] {
            assert!(serde_json::from_str::<ChatRequest>(raw).is_err(), "{raw}");
        }
    }
}
