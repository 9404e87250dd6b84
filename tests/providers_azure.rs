//! Azure OpenAI: recorded wire fixtures in `tests/fixtures/azure/` (see `tests/common/mod.rs`).

mod common;

fixture_tests!("azure":
    entra_token,
    error_content_filter,
    error_context_length,
    error_deployment_not_found,
    error_rate_limit,
    error_unauthorized,
    plain_text,
    request_caller_auth_header,
    request_missing_base,
    request_missing_key,
    stream_content_filtered,
    stream_error_event,
    stream_old_api_version,
    stream_tools,
    stream_truncated,
    tools,
    v1_base_url,
);
