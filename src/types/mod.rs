//! OpenAI wire types: the shapes every provider translates to and from.

mod chat;

pub use chat::*;
pub(crate) use chat::seq_to_vec;
