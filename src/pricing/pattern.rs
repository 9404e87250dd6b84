//! A small backtracking matcher for the regular expressions in LiteLLM's
//! `fallback_generalizations` rules (Python `re.search` with `re.IGNORECASE`), so the table's
//! rules stay data instead of being hand-translated — and without pulling a regex engine into the
//! wasm build.
//!
//! Supported: literals, `.`, `\d \w \s` and escaped punctuation, classes `[a-z0-9_.-]` (with `^`),
//! groups `( )` `(?: )`, alternation `|`, lookahead `(?= )` `(?! )`, anchors `^ $`, and the
//! quantifiers `? * + {n} {n,} {n,m}` (a lazy `?` suffix is accepted; it cannot change whether
//! a search matches). ASCII case-insensitive. Anything else is a parse error and the rule is
//! skipped. Inputs longer than [`MAX_INPUT`] never match, and a search gives up (as "no match")
//! after [`MAX_STEPS`] steps, so even a pathological pattern cannot backtrack for long.

/// Longer names never match a rule (model names are far shorter).
pub const MAX_INPUT: usize = 256;
/// Work limit of one search.
pub const MAX_STEPS: u32 = 200_000;
const MAX_PATTERN: usize = 2048;
const MAX_REPEAT: u32 = 1000;

use std::cell::Cell;

#[derive(Debug, Clone)]
enum Node {
    Byte(u8),
    Any,
    Class {
        ranges: Vec<(u8, u8)>,
        negated: bool,
    },
    Start,
    End,
    Group(Vec<Vec<Node>>),
    Look {
        alts: Vec<Vec<Node>>,
        negated: bool,
    },
    Repeat {
        node: Box<Node>,
        min: u32,
        max: u32,
    },
}

/// A parsed pattern.
#[derive(Debug, Clone)]
pub struct Pattern {
    alts: Vec<Vec<Node>>,
}

impl Pattern {
    /// Parses `pattern`; `None` for syntax this matcher does not support.
    pub fn parse(pattern: &str) -> Option<Pattern> {
        if pattern.len() > MAX_PATTERN {
            return None;
        }
        let mut p = Parser {
            s: pattern.as_bytes(),
            i: 0,
            depth: 0,
        };
        let alts = p.alternation()?;
        (p.i == p.s.len()).then_some(Pattern { alts })
    }

    /// `re.search(pattern, text, re.IGNORECASE) is not None`.
    pub fn search(&self, text: &str) -> bool {
        if text.len() > MAX_INPUT {
            return false;
        }
        let s = text.to_ascii_lowercase();
        let s = s.as_bytes();
        let group = [Node::Group(self.alts.clone())];
        let budget = Cell::new(MAX_STEPS);
        (0..=s.len()).any(|start| matches(&group, start, s, &budget, &mut |_| true))
    }
}

fn matches(
    nodes: &[Node],
    pos: usize,
    s: &[u8],
    b: &Cell<u32>,
    k: &mut dyn FnMut(usize) -> bool,
) -> bool {
    if b.get() == 0 {
        return false;
    }
    b.set(b.get() - 1);
    let Some((node, rest)) = nodes.split_first() else {
        return k(pos);
    };
    match node {
        Node::Byte(c) => s.get(pos) == Some(c) && matches(rest, pos + 1, s, b, k),
        Node::Any => pos < s.len() && s.get(pos) != Some(&b'\n') && matches(rest, pos + 1, s, b, k),
        Node::Class { ranges, negated } => match s.get(pos) {
            Some(&c) => class_has(ranges, c) != *negated && matches(rest, pos + 1, s, b, k),
            None => false,
        },
        Node::Start => pos == 0 && matches(rest, pos, s, b, k),
        Node::End => pos == s.len() && matches(rest, pos, s, b, k),
        Node::Group(alts) => alts
            .iter()
            .any(|alt| matches(alt, pos, s, b, &mut |p| matches(rest, p, s, b, k))),
        Node::Look { alts, negated } => {
            let found = alts
                .iter()
                .any(|alt| matches(alt, pos, s, b, &mut |_| true));
            found != *negated && matches(rest, pos, s, b, k)
        }
        Node::Repeat { node, min, max } => repeat(node, (*min, *max), 0, pos, rest, s, b, k),
    }
}

#[allow(clippy::too_many_arguments)]
fn repeat(
    node: &Node,
    (min, max): (u32, u32),
    count: u32,
    pos: usize,
    rest: &[Node],
    s: &[u8],
    b: &Cell<u32>,
    k: &mut dyn FnMut(usize) -> bool,
) -> bool {
    // Greedy: one more repetition first (never an empty one, which would loop), then the rest.
    if count < max
        && matches(std::slice::from_ref(node), pos, s, b, &mut |p| {
            p != pos && repeat(node, (min, max), count + 1, p, rest, s, b, k)
        })
    {
        return true;
    }
    count >= min && matches(rest, pos, s, b, k)
}

fn class_has(ranges: &[(u8, u8)], c: u8) -> bool {
    let up = c.to_ascii_uppercase();
    ranges
        .iter()
        .any(|&(lo, hi)| (lo <= c && c <= hi) || (lo <= up && up <= hi))
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn alternation(&mut self) -> Option<Vec<Vec<Node>>> {
        self.depth += 1;
        if self.depth > 32 {
            return None;
        }
        let mut alts = vec![self.sequence()?];
        while self.eat(b'|') {
            alts.push(self.sequence()?);
        }
        self.depth -= 1;
        Some(alts)
    }

    fn sequence(&mut self) -> Option<Vec<Node>> {
        let mut seq = Vec::new();
        while let Some(c) = self.peek() {
            if c == b'|' || c == b')' {
                break;
            }
            let atom = self.atom()?;
            let atom = self.quantified(atom)?;
            seq.push(atom);
        }
        Some(seq)
    }

    fn atom(&mut self) -> Option<Node> {
        let c = self.peek()?;
        self.i += 1;
        Some(match c {
            b'^' => Node::Start,
            b'$' => Node::End,
            b'.' => Node::Any,
            b'\\' => self.escape()?,
            b'[' => self.class()?,
            b'(' => {
                let node = if self.eat(b'?') {
                    match self.peek()? {
                        b':' => {
                            self.i += 1;
                            Node::Group(self.alternation()?)
                        }
                        b'!' | b'=' => {
                            let negated = self.peek() == Some(b'!');
                            self.i += 1;
                            Node::Look {
                                alts: self.alternation()?,
                                negated,
                            }
                        }
                        _ => return None,
                    }
                } else {
                    Node::Group(self.alternation()?)
                };
                if !self.eat(b')') {
                    return None;
                }
                node
            }
            b'*' | b'+' | b'?' | b'{' | b')' => return None,
            _ => Node::Byte(c.to_ascii_lowercase()),
        })
    }

    fn escape(&mut self) -> Option<Node> {
        let c = self.peek()?;
        self.i += 1;
        Some(match c {
            b'd' => Node::Class {
                ranges: vec![(b'0', b'9')],
                negated: false,
            },
            b'D' => Node::Class {
                ranges: vec![(b'0', b'9')],
                negated: true,
            },
            b'w' => Node::Class {
                ranges: WORD.to_vec(),
                negated: false,
            },
            b'W' => Node::Class {
                ranges: WORD.to_vec(),
                negated: true,
            },
            b's' => Node::Class {
                ranges: SPACE.to_vec(),
                negated: false,
            },
            b'S' => Node::Class {
                ranges: SPACE.to_vec(),
                negated: true,
            },
            c if c.is_ascii_punctuation() => Node::Byte(c),
            _ => return None,
        })
    }

    fn class(&mut self) -> Option<Node> {
        let negated = self.eat(b'^');
        let mut ranges = Vec::new();
        let mut first = true;
        loop {
            let c = self.peek()?;
            self.i += 1;
            if c == b']' && !first {
                break;
            }
            first = false;
            let lo = if c == b'\\' {
                let e = self.peek()?;
                self.i += 1;
                match e {
                    b'd' => {
                        ranges.push((b'0', b'9'));
                        continue;
                    }
                    b'w' => {
                        ranges.extend_from_slice(WORD);
                        continue;
                    }
                    b's' => {
                        ranges.extend_from_slice(SPACE);
                        continue;
                    }
                    e if e.is_ascii_punctuation() => e,
                    _ => return None,
                }
            } else {
                c
            };
            if self.peek() == Some(b'-') && self.s.get(self.i + 1).is_some_and(|&n| n != b']') {
                self.i += 1;
                let hi = self.peek()?;
                self.i += 1;
                if hi == b'\\' || hi < lo {
                    return None;
                }
                ranges.push((lo, hi));
            } else {
                ranges.push((lo, lo));
            }
        }
        Some(Node::Class { ranges, negated })
    }

    fn quantified(&mut self, atom: Node) -> Option<Node> {
        let (min, max) = match self.peek() {
            Some(b'?') => (0, 1),
            Some(b'*') => (0, MAX_REPEAT),
            Some(b'+') => (1, MAX_REPEAT),
            Some(b'{') => return self.braces(atom),
            _ => return Some(atom),
        };
        self.i += 1;
        self.eat(b'?');
        if matches!(atom, Node::Start | Node::End | Node::Look { .. }) {
            return None;
        }
        Some(Node::Repeat {
            node: Box::new(atom),
            min,
            max,
        })
    }

    fn braces(&mut self, atom: Node) -> Option<Node> {
        self.i += 1;
        let min = self.number()?;
        let max = if self.eat(b',') {
            if self.peek() == Some(b'}') {
                MAX_REPEAT
            } else {
                self.number()?
            }
        } else {
            min
        };
        if !self.eat(b'}') || max < min || max > MAX_REPEAT {
            return None;
        }
        self.eat(b'?');
        Some(Node::Repeat {
            node: Box::new(atom),
            min,
            max,
        })
    }

    fn number(&mut self) -> Option<u32> {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        std::str::from_utf8(self.s.get(start..self.i)?)
            .ok()?
            .parse()
            .ok()
    }
}

const WORD: &[(u8, u8)] = &[(b'a', b'z'), (b'A', b'Z'), (b'0', b'9'), (b'_', b'_')];
const SPACE: &[(u8, u8)] = &[(b' ', b' '), (b'\t', b'\r')];

#[cfg(test)]
mod tests {
    use super::Pattern;

    fn m(p: &str, s: &str) -> bool {
        Pattern::parse(p).expect("parses").search(s) // ok-panic: test code
    }

    #[test]
    fn litellm_rule_shapes() {
        let claude = r"^claude-[a-z]+-\d+(?:[-.]\d+)?(?:-\d{8})?$";
        assert!(m(claude, "claude-opus-4-1"));
        assert!(m(claude, "Claude-Opus-4"));
        assert!(m(claude, "claude-sonnet-4-20250514"));
        assert!(!m(claude, "claude-sonnet-4-1-2"));
        assert!(!m(claude, "anthropic/claude-opus-4-1"));
        let thinking =
            r"claude-[a-z]+-(?:4[-._](?:[6-9]|[1-9]\d)(?!\d)|[5-9](?!\d)(?:[-._]\d{1,2}(?!\d))?)";
        assert!(m(thinking, "claude-opus-4-6"));
        assert!(m(thinking, "bedrock/claude-sonnet-5"));
        assert!(!m(thinking, "claude-opus-4-1"));
        assert!(!m(thinking, "claude-opus-4-5"));
        let gpt = r"^(?!.*search-api)(?:[a-z0-9_.-]+/)*(?:ft:)?(?:o[1-9]\d*(?![a-z0-9])|gpt-[5-9](?:\.\d+)?(?![0-9.])|(?:gpt-\d+(?:\.\d+)?(?:-[a-z0-9]+)*-)?(?:codex|deep-research|chat-latest)(?![a-z0-9]))";
        assert!(m(gpt, "o3"));
        assert!(m(gpt, "azure/eu/gpt-5"));
        assert!(m(gpt, "gpt-5.1-codex"));
        assert!(!m(gpt, "gpt-4o"));
        assert!(!m(gpt, "gpt-5-search-api"));
        assert!(!m(gpt, "o3x"));
        let bedrock = r"^(?:[a-z-]+\.)?anthropic\.claude-";
        assert!(m(bedrock, "us.anthropic.claude-x"));
        assert!(!m(bedrock, "xanthropicXclaude-"));
    }

    #[test]
    fn bad_patterns_and_inputs_are_safe() {
        for p in [
            "(", "[a-", "a{2,1}", "*a", "a**", "(?<x>a)", r"\q", "a{99999}",
        ] {
            assert!(Pattern::parse(p).is_none(), "{p}");
        }
        let p = Pattern::parse(r"(?:a+)+$").expect("parses"); // ok-panic: test code
        assert!(!p.search(&"a".repeat(10_000)), "long inputs never match");
        assert!(p.search("xaa"));
        let slow = format!("{}b", "a".repeat(40));
        assert!(
            !p.search(&slow),
            "exponential backtracking is cut off by the step budget"
        );
        assert!(Pattern::parse("").expect("empty").search("anything")); // ok-panic: test code
    }
}
