//! OpenAI wire types: the shapes every provider translates to and from.

mod chat;

pub use chat::*;
