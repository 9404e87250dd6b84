//! `trim_messages`: fit a conversation into a token budget the way LiteLLM's `trim_messages` does.
//!
//! The decision logic only; counting is the caller's `count(messages) -> tokens` closure (the
//! chat-aware token counter, i.e. LiteLLM's `token_counter(model, messages)`), so this plugs into
//! the real tokenizer. LiteLLM's rules, kept as they are:
//!
//! 1. The budget is `max_tokens` if given, else `trim_ratio` (default 0.75) × the model's
//!    `max_input_tokens`; a model the table doesn't know is returned untouched.
//! 2. Trailing `tool` messages are set aside and always re-appended.
//! 3. Under budget (`count < budget`): returned as is.
//! 4. All system messages are merged into one (joined by `\n`), shortened from the middle if it
//!    alone is over budget, and put first; its tokens come off the budget (if nothing is left, the
//!    merged system message is all that is returned).
//! 5. The other messages are taken from the most recent backwards while more than 3 tokens are
//!    left; a message that does not fit whole is shortened from the middle (`left..right`, up to
//!    10 attempts) and kept only if it then fits.

use crate::types::{Content, Message, Role};

/// How to size the budget.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrimOptions {
    /// A fixed budget; when `None`, `trim_ratio` × the model's `max_input_tokens`.
    pub max_tokens: Option<u64>,
    /// Fraction of the model's input window to fill (LiteLLM's `DEFAULT_TRIM_RATIO`, 0.75).
    pub trim_ratio: f64,
}

impl Default for TrimOptions {
    fn default() -> Self {
        TrimOptions {
            max_tokens: None,
            trim_ratio: 0.75,
        }
    }
}

const MAX_TRIM_ATTEMPTS: usize = 10;

/// A token count as a signed budget quantity (saturating: counts come from the caller).
fn tok(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl super::ModelRegistry {
    /// `trim_messages(messages, model, trim_ratio, max_tokens=...)` with this registry's model
    /// windows. `count` counts the tokens of a message list for `model`.
    pub fn trim_messages(
        &self,
        model: &str,
        messages: &[Message],
        options: TrimOptions,
        count: impl Fn(&[Message]) -> usize,
    ) -> Vec<Message> {
        let budget = match options.max_tokens {
            Some(m) => m,
            None => match self.entry(model).and_then(|i| i.max_input_tokens) {
                // int(max_input_tokens * trim_ratio)
                Some(window) => (window as f64 * options.trim_ratio).max(0.0) as u64,
                None => return messages.to_vec(),
            },
        };
        trim_messages(
            messages,
            usize::try_from(budget).unwrap_or(usize::MAX),
            Some(model),
            count,
        )
    }
}

/// Trims `messages` to `max_tokens` (see the module doc). `model` only matters for LiteLLM's
/// rule that a GPT message is never shortened to 10 tokens or fewer.
pub fn trim_messages(
    messages: &[Message],
    max_tokens: usize,
    model: Option<&str>,
    count: impl Fn(&[Message]) -> usize,
) -> Vec<Message> {
    let mut system_text = String::new();
    let mut has_system = false;
    for m in messages.iter().filter(|m| m.role == Role::System) {
        if has_system {
            system_text.push('\n');
        }
        has_system = true;
        system_text.push_str(&m.content.as_ref().map(Content::text).unwrap_or_default());
    }

    let tool_tail = messages
        .iter()
        .rev()
        .take_while(|m| m.role == Role::Tool)
        .count();
    let (body, tools) = messages.split_at(messages.len() - tool_tail);

    if count(body) < max_tokens {
        return messages.to_vec();
    }

    let mut budget = tok(max_tokens);
    let mut system_event = None;
    let mut rest: Vec<Message> = body.to_vec();
    // LiteLLM tests the merged text, so all-empty system messages are left in place.
    if !system_text.is_empty() {
        let mut event = Message::new(Role::System, system_text);
        let mut tokens = count(std::slice::from_ref(&event));
        if tokens > max_tokens {
            shorten(&mut event, tok(max_tokens), model, &count);
            tokens = count(std::slice::from_ref(&event));
        }
        budget = budget.saturating_sub(tok(tokens));
        if budget == 0 {
            return vec![event];
        }
        rest.retain(|m| m.role != Role::System);
        system_event = Some(event);
    }

    let mut kept: Vec<Message> = Vec::new();
    for message in rest.iter().rev() {
        let available = budget.saturating_sub(tok(count(&kept)));
        if available <= 3 {
            break;
        }
        let mut candidate = Vec::with_capacity(kept.len() + 1);
        candidate.push(message.clone());
        candidate.extend(kept.iter().cloned());
        if tok(count(&candidate)) <= budget {
            kept = candidate;
            continue;
        }
        let mut shortened = message.clone();
        shorten(&mut shortened, available, model, &count);
        let mut with = kept.clone();
        with.push(shortened.clone());
        if tok(count(&with)) <= budget {
            kept.insert(0, shortened);
        }
    }

    let mut out = Vec::with_capacity(kept.len() + tools.len() + 1);
    out.extend(system_event);
    out.extend(kept);
    out.extend(tools.iter().cloned());
    out
}

/// `shorten_message_to_fit_limit`: cut characters from the middle of a text message until it
/// counts at most `needed` tokens (at most 10 attempts). Non-text content is left as is.
fn shorten(
    message: &mut Message,
    needed: i64,
    model: Option<&str>,
    count: &impl Fn(&[Message]) -> usize,
) {
    if model.is_some_and(|m| m.contains("gpt")) && needed <= 10 {
        return;
    }
    for _ in 0..MAX_TRIM_ATTEMPTS {
        let total = tok(count(std::slice::from_ref(message)));
        if total <= needed {
            return;
        }
        let Some(Content::Text(content)) = &message.content else {
            return;
        };
        let chars: Vec<char> = content.chars().collect();
        let ratio = needed as f64 / total as f64;
        let new_length = ((chars.len() as f64 * ratio) as i64 - 1).max(0) as usize;
        let half = new_length / 2;
        let left: String = chars.iter().take(half).collect();
        // Python's content[-0:] is the whole string, and LiteLLM keeps that quirk.
        let right: String = if half == 0 {
            content.clone()
        } else {
            chars[chars.len().saturating_sub(half)..].iter().collect()
        };
        message.content = Some(Content::Text(format!("{left}..{right}")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A toy counter: 3 tokens per message plus one per whitespace-separated word, plus 3 priming.
    fn count(ms: &[Message]) -> usize {
        3 + ms
            .iter()
            .map(|m| {
                3 + m
                    .content
                    .as_ref()
                    .map(|c| c.text().split_whitespace().count())
                    .unwrap_or(0)
            })
            .sum::<usize>()
    }

    fn msg(role: Role, text: &str) -> Message {
        Message::new(role, text)
    }

    #[test]
    fn under_budget_is_untouched() {
        let ms = vec![msg(Role::System, "be brief"), msg(Role::User, "hi")];
        assert_eq!(trim_messages(&ms, 100, None, count), ms);
    }

    #[test]
    fn keeps_system_and_most_recent_turns() {
        let long = "word ".repeat(20);
        let ms = vec![
            msg(Role::System, "sys one"),
            msg(Role::User, &long),
            msg(Role::Assistant, &long),
            msg(Role::System, "sys two"),
            msg(Role::User, "latest question here"),
        ];
        let out = trim_messages(&ms, 20, None, count);
        assert_eq!(out[0].role, Role::System);
        assert_eq!(
            out[0].content.as_ref().map(Content::text).as_deref(),
            Some("sys one\nsys two")
        );
        assert_eq!(
            out.last()
                .and_then(|m| m.content.as_ref())
                .map(Content::text)
                .as_deref(),
            Some("latest question here")
        );
        assert!(count(&out) <= 20 + 3, "{}", count(&out));
        assert!(out.iter().filter(|m| m.role == Role::System).count() == 1);
    }

    #[test]
    fn trailing_tool_messages_are_kept() {
        let long = "word ".repeat(50);
        let ms = vec![
            msg(Role::User, &long),
            msg(Role::Assistant, &long),
            msg(Role::Tool, "result"),
        ];
        let out = trim_messages(&ms, 30, None, count);
        assert_eq!(out.last().map(|m| m.role), Some(Role::Tool));
    }

    #[test]
    fn absurd_counts_do_not_overflow() {
        let ms = vec![
            msg(Role::System, "s"),
            msg(Role::User, "u"),
            msg(Role::Tool, "t"),
        ];
        let out = trim_messages(&ms, 10, Some("gpt-4o"), |_| usize::MAX);
        assert!(out.len() <= ms.len());
        let out = trim_messages(&ms, usize::MAX, None, |_| usize::MAX);
        assert!(out.len() <= ms.len());
    }

    #[test]
    fn model_window_budget_and_unknown_model() {
        let reg = super::super::ModelRegistry::new();
        let ms = vec![msg(Role::User, "hello")];
        assert_eq!(
            reg.trim_messages("no-such-model-xyz", &ms, TrimOptions::default(), count),
            ms
        );
        let big = vec![msg(Role::User, &"w ".repeat(200_000))];
        // gpt-4 has an 8192-token window: 0.75 of it is 6144.
        let out = reg.trim_messages("gpt-4", &big, TrimOptions::default(), count);
        assert!(count(&out) <= 6144 + 3);
    }
}
