#!/usr/bin/env python3
"""LiteLLM's `token_counter` chat accounting for fixed cases, with a fixed toy tokenizer.

The tokenizer is a `tokenizers` WordLevel model behind the `Whitespace` pre-tokenizer: one token
per `\\w+` or `[^\\w\\s]+` run. It makes the fixture independent of BPE files (none are downloaded)
and isolates what these cases check: LiteLLM's per-message, name, tool-call, image, tool-definition
and tool-choice rules. tests/pricing_tokens.rs counts with the same toy tokenizer.

    /tmp/ll/bin/python data/models/gen_token_parity.py   # litellm==$(cat data/models/VERSION)
"""
import json
import os
import sys

os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(ROOT, "tests", "fixtures", "pricing", "litellm_token_counts.json")

import litellm  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402
from tokenizers.models import WordLevel  # noqa: E402
from tokenizers.pre_tokenizers import Whitespace  # noqa: E402

tok = Tokenizer(WordLevel({"[UNK]": 0}, unk_token="[UNK]"))
tok.pre_tokenizer = Whitespace()
CUSTOM = {"type": "huggingface_tokenizer", "tokenizer": tok}

WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "Get the current weather in a city",
    "parameters": {"type": "object", "required": ["city"], "properties": {
        "city": {"type": "string", "description": "The city, e.g. Paris"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        "days": {"type": "integer", "enum": [1, 3, 7]},
        "hourly": {"type": "boolean"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "where": {"type": "object", "properties": {"lat": {"type": "number"}, "lon": {"type": "number"}}},
        "anything": {"description": "free form"},
    }}}}
NOARGS = {"type": "function", "function": {"name": "now", "description": "Current time"}}
ANTHROPIC_TOOL = {"name": "lookup", "description": "Look a word up",
                  "input_schema": {"type": "object", "properties": {"word": {"type": "string"}}, "required": ["word"]}}

sys_msg = {"role": "system", "content": "You are a terse assistant. Answer in one line!"}
user = {"role": "user", "content": "What's the weather like in Paris, France today?"}
named = {"role": "user", "name": "alice_01", "content": "hello there"}
assistant_call = {"role": "assistant", "content": None, "tool_calls": [
    {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\", \"unit\": \"celsius\"}"}},
    {"id": "call_2", "type": "function", "function": {"name": "now", "arguments": "{}"}}]}
tool_result = {"role": "tool", "tool_call_id": "call_1", "content": "{\"temp\": 21, \"sky\": \"clear\"}"}
parts = {"role": "user", "content": [
    {"type": "text", "text": "Describe these two pictures, briefly."},
    {"type": "image_url", "image_url": {"url": "https://example.com/a.png", "detail": "low"}},
    {"type": "image_url", "image_url": {"url": "https://example.com/b.png"}},
    {"type": "image_url", "image_url": {"url": "https://example.com/c.png", "detail": "auto"}}]}
long_text = {"role": "user", "content": " ".join(f"word{i}, and more; " for i in range(300))}

cases = [
    ("gpt-4o", [user], None, None),
    ("gpt-4o", [sys_msg, user], None, None),
    ("gpt-4o", [sys_msg, named], None, None),
    ("gpt-3.5-turbo-0301", [sys_msg, named, user], None, None),
    ("gpt-4o", [sys_msg, user, assistant_call, tool_result], [WEATHER, NOARGS], None),
    ("gpt-4o", [user], [WEATHER], None),
    ("gpt-4o", [sys_msg, user], [WEATHER], None),
    ("gpt-4o", [user], [NOARGS], "none"),
    ("gpt-4o", [user], [WEATHER], {"type": "function", "function": {"name": "get_weather"}}),
    ("gpt-4o", [user], [WEATHER], "auto"),
    ("gpt-4o", [user], [WEATHER], "required"),
    ("gpt-4o", [user], [ANTHROPIC_TOOL], None),
    ("gpt-4o", [parts], None, None),
    ("gpt-4o", [sys_msg, parts, user], [WEATHER, NOARGS, ANTHROPIC_TOOL], {"type": "function", "function": {"name": "now"}}),
    ("gpt-4o", [long_text], None, None),
    ("gpt-4o", [{"role": "assistant", "content": "Sure - here it is."}], None, None),
]

out = []
for model, messages, tools, tool_choice in cases:
    n = litellm.token_counter(model=model, custom_tokenizer=CUSTOM, messages=messages, tools=tools, tool_choice=tool_choice)
    out.append({"model": model, "messages": messages, "tools": tools, "tool_choice": tool_choice, "tokens": n})
with open(OUT, "w") as f:
    json.dump({"litellm_version": open(os.path.join(HERE, "VERSION")).read().strip(),
               "tokenizer": "WordLevel + Whitespace pre-tokenizer (one token per \\w+ or [^\\w\\s]+ run)",
               "cases": out}, f, indent=0)
    f.write("\n")
print(f"{OUT}: {len(out)} cases", file=sys.stderr)
