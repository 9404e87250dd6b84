#!/usr/bin/env python3
"""Compute LiteLLM's own costs for a fixed set of (model, usage) cases.

Writes tests/fixtures/pricing/litellm_costs.json, which `cargo test` (tests/pricing_parity.rs)
compares against the Rust implementation. Run it with the pinned LiteLLM installed, e.g.

    python3 -m venv /tmp/ll && /tmp/ll/bin/pip install litellm==$(cat data/models/VERSION)
    /tmp/ll/bin/python data/models/gen_parity.py

The case list is deterministic (models are picked from the vendored JSON by feature, in sorted
order, with a fixed-seed sample), so re-running with the same LiteLLM gives the same file.
"""
import json
import os
import random
import sys

os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"  # the bundled table, never a download

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(ROOT, "tests", "fixtures", "pricing", "litellm_costs.json")

import subprocess  # noqa: E402

# LiteLLM's cost calls can leave state behind in its model map, so each part runs in a fresh
# interpreter: `gen_parity.py` runs `gen_parity.py costs` and then `gen_parity.py info`.
PART = sys.argv[1] if len(sys.argv) > 1 else None
if PART is None:
    for part in ("costs", "info", "images", "offpeak"):
        subprocess.run([sys.executable, os.path.abspath(__file__), part], check=True)
    sys.exit(0)

import litellm  # noqa: E402
from litellm import ModelResponse, Usage  # noqa: E402

VERSION = open(os.path.join(HERE, "VERSION")).read().strip()
TABLE = json.load(open(os.path.join(HERE, "model_prices_and_context_window.json")))
TABLE.pop("sample_spec", None)
TEXT_MODES = {"chat", "completion", "responses"}


def chat_models(pred):
    return sorted(k for k, v in TABLE.items()
                  if v.get("mode") in TEXT_MODES and "off_peak_pricing" not in v and pred(v))


rng = random.Random(20261122)
cases = []


def add(model, usage, feature, provider=None, service_tier=None):
    cases.append({"model": model, "provider": provider, "usage": usage, "feature": feature, "service_tier": service_tier})


def sample(xs, n):
    xs = list(xs)
    return xs if len(xs) <= n else sorted(rng.sample(xs, n))


# 1. Plain prompt/completion, one or two models per provider.
by_provider = {}
for k in chat_models(lambda v: "input_cost_per_token" in v):
    by_provider.setdefault(TABLE[k].get("litellm_provider"), []).append(k)
for p in sorted(by_provider, key=str):
    for k in sample(by_provider[p], 2):
        add(k, {"prompt_tokens": rng.randint(1, 5000), "completion_tokens": rng.randint(0, 2000)}, "basic")

# 2. OpenAI-style cached input (prompt_tokens includes cached_tokens).
for k in sample(chat_models(lambda v: "cache_read_input_token_cost" in v), 40):
    pt = rng.randint(2000, 60000)
    add(k, {"prompt_tokens": pt, "completion_tokens": rng.randint(1, 3000),
            "prompt_tokens_details": {"cached_tokens": rng.randint(1, pt)}}, "cached_tokens")

# 3. Anthropic-style cache read + write (LiteLLM's Anthropic transform folds both into prompt_tokens).
for k in sample(chat_models(lambda v: "cache_creation_input_token_cost" in v), 30):
    read, write, fresh = rng.randint(0, 20000), rng.randint(1, 20000), rng.randint(1, 5000)
    add(k, {"prompt_tokens": read + write + fresh, "completion_tokens": rng.randint(1, 3000),
            "cache_read_input_tokens": read, "cache_creation_input_tokens": write}, "anthropic_cache")
# ... and when prompt_tokens excludes them (LiteLLM then bills the uncovered rest only).
for k in sample(chat_models(lambda v: "cache_creation_input_token_cost" in v), 10):
    add(k, {"prompt_tokens": 100, "completion_tokens": 50,
            "cache_read_input_tokens": 3000, "cache_creation_input_tokens": 200}, "anthropic_cache_excluded")

# 4. Cache reads on models without a cache price (billed at the input rate; Fireworks: half).
for k in sample(chat_models(lambda v: "cache_read_input_token_cost" not in v and "input_cost_per_token" in v), 15):
    add(k, {"prompt_tokens": 9000, "completion_tokens": 300, "prompt_tokens_details": {"cached_tokens": 4000}},
        "cache_no_price")
for k in sample(chat_models(lambda v: v.get("litellm_provider") == "fireworks_ai"), 6):
    add(k, {"prompt_tokens": 9000, "completion_tokens": 300, "prompt_tokens_details": {"cached_tokens": 4000}},
        "fireworks_cache")

# 5. Reasoning tokens.
for k in sample(chat_models(lambda v: "output_cost_per_reasoning_token" in v), 15) + \
        sample(chat_models(lambda v: v.get("supports_reasoning") and "output_cost_per_reasoning_token" not in v), 15):
    ct = rng.randint(100, 8000)
    add(k, {"prompt_tokens": rng.randint(10, 9000), "completion_tokens": ct,
            "completion_tokens_details": {"reasoning_tokens": rng.randint(0, ct)}}, "reasoning")
    add(k, {"prompt_tokens": 500, "completion_tokens": ct,
            "completion_tokens_details": {"reasoning_tokens": ct // 2, "text_tokens": ct - ct // 2}}, "reasoning_text")

# 6. Audio in and out, image tokens in.
for k in sample(chat_models(lambda v: "input_cost_per_audio_token" in v or "output_cost_per_audio_token" in v), 20):
    add(k, {"prompt_tokens": 3000, "completion_tokens": 1500,
            "prompt_tokens_details": {"audio_tokens": 1200, "text_tokens": 1800},
            "completion_tokens_details": {"audio_tokens": 1000, "text_tokens": 500}}, "audio")
    add(k, {"prompt_tokens": 3000, "completion_tokens": 1500,
            "prompt_tokens_details": {"audio_tokens": 1200, "cached_tokens": 500},
            "completion_tokens_details": {"audio_tokens": 1000}}, "audio_cached")
for k in sample(chat_models(lambda v: "input_cost_per_image_token" in v), 10):
    add(k, {"prompt_tokens": 4000, "completion_tokens": 100,
            "prompt_tokens_details": {"image_tokens": 2500, "text_tokens": 1500}}, "image_tokens")

# 7. Long-context thresholds: below, exactly at, and above each one, with cache reads.
def thresholds(v):
    out = set()
    for key in v:
        if key.startswith("input_cost_per_token_above_") and key.endswith("_tokens"):
            t = key[len("input_cost_per_token_above_"):-len("_tokens")]
            out.add(int(float(t.rstrip("k")) * (1000 if t.endswith("k") else 1)))
    return sorted(out)

for k in sample(chat_models(lambda v: thresholds(v)), 60):
    for t in thresholds(TABLE[k]):
        for pt in (t - 1, t, t + 1, t + 50000):
            add(k, {"prompt_tokens": pt, "completion_tokens": 2000,
                    "prompt_tokens_details": {"cached_tokens": pt // 4},
                    "cache_creation_input_tokens": 1000 if "cache_creation_input_token_cost" in TABLE[k] else None},
                "threshold")

# 8. tiered_pricing tables.
for k in sample(chat_models(lambda v: "tiered_pricing" in v), 12):
    for pt in (1000, 32000, 128001, 300000):
        add(k, {"prompt_tokens": pt, "completion_tokens": 700,
                "completion_tokens_details": {"reasoning_tokens": 200},
                "prompt_tokens_details": {"cached_tokens": pt // 10}}, "tiered_pricing")

# 9. Names as callers write them.
names = ["gpt-4o", "GPT-4o", "openai/gpt-4o", "gpt-4o-mini", "gpt-4o-2024-08-06", "ft:gpt-4o-2024-08-06:my-org::abc123",
         "ft:gpt-4o-mini-2024-07-18:org:suffix:id", "claude-3-5-sonnet-20241022", "anthropic/claude-3-5-sonnet-20241022",
         "claude-sonnet-4-20250514", "anthropic/claude-opus-4-1-20250805", "gemini/gemini-2.5-pro", "gemini/gemini-2.5-flash",
         "gemini-2.5-pro", "groq/llama-3.3-70b-versatile", "mistral/mistral-large-latest", "deepseek/deepseek-chat",
         "deepseek/deepseek-reasoner", "xai/grok-4", "xai/grok-3-mini", "azure/gpt-4o", "openrouter/openai/gpt-4o",
         "bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0", "together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo",
         "o3", "o3-mini", "o1", "gpt-5", "gpt-5-mini", "gpt-4.1", "gpt-4.1-nano", "vertex_ai/gemini-2.5-pro",
         "cohere/command-r-plus", "perplexity/sonar-pro", "fireworks_ai/accounts/fireworks/models/llama-v3p1-8b-instruct",
         "no-such-model-anywhere", "openai/no-such-model"]
for m in names:
    add(m, {"prompt_tokens": 12345, "completion_tokens": 678, "prompt_tokens_details": {"cached_tokens": 2345},
            "completion_tokens_details": {"reasoning_tokens": 300}}, "names")
for m, p in [("gpt-4o", "openai"), ("llama-3.3-70b-versatile", "groq"), ("claude-3-5-haiku-20241022", "anthropic"),
             ("gemini-2.5-flash", "gemini")]:
    add(m, {"prompt_tokens": 2000, "completion_tokens": 100}, "explicit_provider", provider=p)

# 10. Service tiers (priority / flex / fast / unknown), with cache reads, reasoning, long prompts.
for k in sample(chat_models(lambda v: any(key.endswith(("_priority", "_flex")) for key in v)), 30):
    for tier in ("priority", "flex", "fast", "default"):
        pt = rng.choice([5000, 150000, 300000])
        add(k, {"prompt_tokens": pt, "completion_tokens": 900,
                "prompt_tokens_details": {"cached_tokens": pt // 3, "audio_tokens": 100},
                "completion_tokens_details": {"reasoning_tokens": 400}}, "service_tier", service_tier=tier)

# 11. Edge usages.
for k in ["gpt-4o", "claude-3-5-sonnet-20241022", "gemini/gemini-2.5-pro"]:
    add(k, {"prompt_tokens": 0, "completion_tokens": 0}, "edge_zero")
    add(k, {"prompt_tokens": 1000, "completion_tokens": 10, "prompt_tokens_details": {"cached_tokens": 5000}}, "edge_cached_gt_prompt")
    add(k, {"prompt_tokens": 1000, "completion_tokens": 100,
            "completion_tokens_details": {"reasoning_tokens": 500, "text_tokens": 100}}, "edge_nested_reasoning")


def clean(u):
    return {k: v for k, v in u.items() if v is not None}


out = []
for c in cases if PART == "costs" else []:
    usage = clean(c["usage"])
    c["usage"] = usage
    rec = dict(c)
    try:
        p, q = litellm.cost_per_token(model=c["model"], custom_llm_provider=c["provider"],
                                      service_tier=c["service_tier"],
                                      usage_object=Usage(**json.loads(json.dumps(usage))))
        rec["prompt_cost"], rec["completion_cost"] = p, q
    except Exception as e:  # noqa: BLE001
        rec["error"] = type(e).__name__
    try:
        resp = ModelResponse(model=c["model"], usage=Usage(**json.loads(json.dumps(usage))))
        rec["total_cost"] = litellm.completion_cost(completion_response=resp, model=c["model"],
                                                    custom_llm_provider=c["provider"],
                                                    service_tier=c["service_tier"])
    except Exception as e:  # noqa: BLE001
        rec["total_error"] = type(e).__name__
    out.append(rec)

if PART == "costs":
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump({"litellm_version": VERSION, "cases": out}, f, indent=0, sort_keys=True)
        f.write("\n")
    print(f"{OUT}: {len(out)} cases, {sum('error' in r for r in out)} errors", file=sys.stderr)
    sys.exit(0)


# ---- Model info, capability flags, max tokens and environment checks -------------------------
if PART not in ("info", "images", "offpeak"):
    sys.exit(f"unknown part {PART!r}")
if PART == "info":
    INFO_OUT = os.path.join(ROOT, "tests", "fixtures", "pricing", "litellm_model_info.json")
    info_names = sample(sorted(TABLE), 200) + [
        "gpt-4o", "GPT-4O", "openai/gpt-4o", "gpt-4o-2024-08-06", "ft:gpt-4o-2024-08-06:my-org::abc123",
        "claude-opus-4-1", "anthropic/claude-opus-4-1", "gemini/gemini-2.5-pro", "gemini-2.5-pro", "groq/llama-3.3-70b-versatile",
        "mistral/mistral-large-latest", "deepseek/deepseek-chat", "xai/grok-4", "azure/gpt-4o", "o3", "gpt-5", "gpt-4.1",
        "vertex_ai/gemini-2.5-pro", "bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0", "no-such-model-anywhere",
    ]
    SUPPORTS = ["function_calling", "parallel_function_calling", "vision", "response_schema", "prompt_caching",
                "reasoning", "audio_input", "audio_output", "pdf_input", "system_messages", "tool_choice",
                "web_search", "computer_use"]
    infos = []
    for m in info_names:
        rec = {"model": m}
        try:
            mi = litellm.get_model_info(m)
            rec["info"] = {k: mi.get(k) for k in ("key", "litellm_provider", "mode", "max_input_tokens",
                                                   "max_output_tokens", "max_tokens", "input_cost_per_token",
                                                   "output_cost_per_token", "cache_read_input_token_cost")}
        except Exception as e:  # noqa: BLE001
            rec["error"] = type(e).__name__
        flags = {}
        for s in SUPPORTS:
            fn = getattr(litellm, f"supports_{s}", None)
            if fn is None:
                continue
            try:
                flags[s] = bool(fn(model=m))
            except Exception as e:  # noqa: BLE001
                flags[s] = None
        rec["supports"] = flags
        try:
            rec["max_tokens"] = litellm.get_max_tokens(m)
        except Exception:  # noqa: BLE001
            rec["max_tokens"] = None
        infos.append(rec)

    ENV_NAMES = ["OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY", "AZURE_API_KEY",
                 "AZURE_API_BASE", "AZURE_API_VERSION", "GROQ_API_KEY", "MISTRAL_API_KEY", "DEEPSEEK_API_KEY",
                 "XAI_API_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "VERTEXAI_PROJECT", "VERTEXAI_LOCATION",
                 "TOGETHERAI_API_KEY", "OPENROUTER_API_KEY", "COHERE_API_KEY", "FIREWORKS_AI_API_KEY", "PERPLEXITYAI_API_KEY"]
    env_models = ["gpt-4o", "openai/gpt-4o", "claude-opus-4-1", "anthropic/claude-opus-4-1", "gemini/gemini-2.5-pro",
                  "azure/gpt-4o", "groq/llama-3.3-70b-versatile", "mistral/mistral-large-latest", "deepseek/deepseek-chat",
                  "xai/grok-4", "bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0", "vertex_ai/gemini-2.5-pro",
                  "together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo", "openrouter/openai/gpt-4o", "cohere/command-r-plus",
                  "fireworks_ai/accounts/fireworks/models/llama-v3p1-8b-instruct", "perplexity/sonar-pro"]
    envs = []
    saved = {k: os.environ.pop(k) for k in list(os.environ) if k in ENV_NAMES or k.startswith(("AWS_", "AZURE_"))}
    for m in env_models:
        for present in ([], ENV_NAMES[::2], ENV_NAMES[1::2], ENV_NAMES):
            for k in ENV_NAMES:
                os.environ.pop(k, None)
            for k in present:
                os.environ[k] = "x"
            r = litellm.validate_environment(model=m)
            envs.append({"model": m, "present": present, "keys_in_environment": r["keys_in_environment"],
                         "missing_keys": r["missing_keys"]})
    for k in ENV_NAMES:
        os.environ.pop(k, None)
    os.environ.update(saved)
    with open(INFO_OUT, "w") as f:
        json.dump({"litellm_version": VERSION, "models": infos, "environment": envs}, f, indent=0, sort_keys=True)
        f.write("\n")
    print(f"{INFO_OUT}: {len(infos)} models, {len(envs)} environment checks", file=sys.stderr)


# ---- Image generation: LiteLLM's default_image_cost_calculator -------------------------------
if PART == "images":
    from litellm.cost_calculator import default_image_cost_calculator

    IMG_OUT = os.path.join(ROOT, "tests", "fixtures", "pricing", "litellm_image_costs.json")
    reqs = []
    for model, provider in [("dall-e-3", None), ("dall-e-2", None), ("gpt-image-1", None), ("azure/gpt-image-1", "azure"),
                            ("azure/dall-e-3", "azure"), ("azure/dall-e-2", "azure"), ("aiml/flux-pro", "aiml"),
                            ("amazon.titan-image-generator-v2", None), ("stability.stable-diffusion-xl-v1", None),
                            ("fal_ai/fal-ai/flux/schnell", "fal_ai"), ("no-such-image-model", None)]:
        for quality in (None, "hd", "standard", "low", "medium", "high"):
            for size in (None, "1024x1024", "1024x1792", "1792x1024", "1024-x-1536", "512x512", "256x256", "bad"):
                for n in (1, 3):
                    reqs.append({"model": model, "provider": provider, "quality": quality, "size": size, "n": n})
    keys = sorted(k for k, v in TABLE.items() if v.get("mode") == "image_generation")
    for k in sample(keys, 60):
        reqs.append({"model": k, "provider": None, "quality": None, "size": None, "n": 2})
    img = []
    for r in reqs:
        rec = dict(r)
        try:
            rec["cost"] = default_image_cost_calculator(model=r["model"], custom_llm_provider=r["provider"],
                                                        quality=r["quality"], n=r["n"], size=r["size"])
        except Exception as e:  # noqa: BLE001
            rec["error"] = type(e).__name__
        img.append(rec)
    with open(IMG_OUT, "w") as f:
        json.dump({"litellm_version": VERSION, "cases": img}, f, indent=0, sort_keys=True)
        f.write("\n")
    print(f"{IMG_OUT}: {len(img)} cases, {sum('error' in r for r in img)} errors", file=sys.stderr)
    sys.exit(0)


# ---- Off-peak windows: generic_cost_per_token at fixed billing times --------------------------
if PART == "offpeak":
    from datetime import datetime, timedelta, timezone

    from litellm.litellm_core_utils.llm_cost_calc.utils import generic_cost_per_token

    OP_OUT = os.path.join(ROOT, "tests", "fixtures", "pricing", "litellm_offpeak_costs.json")
    models = sorted(k for k, v in TABLE.items() if "off_peak_pricing" in v)
    monday = datetime(2026, 11, 16, tzinfo=timezone.utc)  # a Monday
    times = [monday + timedelta(days=d, hours=h, minutes=m)
             for d in (0, 4, 5, 6) for h, m in ((0, 0), (0, 59), (1, 0), (3, 59), (4, 0), (5, 59), (6, 0),
                                                (9, 59), (10, 0), (15, 59), (16, 0), (23, 59))]
    usages = [{"prompt_tokens": 50000, "completion_tokens": 3000},
              {"prompt_tokens": 50000, "completion_tokens": 3000, "prompt_tokens_details": {"cached_tokens": 20000},
               "completion_tokens_details": {"reasoning_tokens": 1000}}]
    op = []
    for k in models:
        provider = TABLE[k]["litellm_provider"]
        for t in times:
            for u in usages:
                rec = {"model": k, "provider": provider, "now_ms": int(t.timestamp() * 1000), "usage": u}
                try:
                    p, q = generic_cost_per_token(model=k, usage=Usage(**json.loads(json.dumps(u))),
                                                  custom_llm_provider=provider, current_time=t)
                    rec["prompt_cost"], rec["completion_cost"] = p, q
                except Exception as e:  # noqa: BLE001
                    rec["error"] = type(e).__name__
                op.append(rec)
    with open(OP_OUT, "w") as f:
        json.dump({"litellm_version": VERSION, "cases": op}, f, indent=0, sort_keys=True)
        f.write("\n")
    print(f"{OP_OUT}: {len(op)} cases, {sum('error' in r for r in op)} errors", file=sys.stderr)
    sys.exit(0)
