using System.Globalization;
using System.Text;
using System.Text.Json;
using LoraLab.Engine.Models;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Export.Gguf;

/// <summary>
/// The Ollama Modelfile (docs/modelfile.md) written beside an export: <c>FROM</c> the GGUF file, <c>ADAPTER</c> for an
/// adapter export, a <c>TEMPLATE</c> in Go template syntax when the model's jinja template renders as one of
/// the named chat families (hand-written, since Ollama does not run Jinja), <c>PARAMETER stop</c> for every EOS and end-of-turn marker, and the sampling defaults
/// of generation_config.json.
/// </summary>
public static class OllamaModelfile
{
    /// <summary>The Modelfile's path for an export: the file name with <c>.Modelfile</c> instead of <c>.gguf</c>.</summary>
    public static string PathFor(string ggufPath) => Path.ChangeExtension(ggufPath, ".Modelfile");

    /// <param name="adapterFile">For an adapter export, the adapter GGUF; <paramref name="ggufPath"/> is then the base model's.</param>
    public static void WriteBeside(string ggufPath, string modelDirectory, string? adapterFile)
    {
        string target = adapterFile ?? ggufPath;
        File.WriteAllText(PathFor(target), Build(Path.GetFileName(ggufPath), modelDirectory, adapterFile is null ? null : Path.GetFileName(adapterFile)));
    }

    public static string Build(string ggufFileName, string modelDirectory, string? adapterFileName)
    {
        var text = new StringBuilder();
        text.Append($"FROM ./{ggufFileName}\n");
        if (adapterFileName is not null) text.Append($"ADAPTER ./{adapterFileName}\n");
        var template = ChatTemplate.Detect(modelDirectory);
        var family = template?.SameFamily();
        if (family is not null && GoTemplate(family.Name) is { } go) text.Append($"TEMPLATE \"\"\"{go}\"\"\"\n");
        foreach (string stop in StopTexts(modelDirectory, template, family)) text.Append($"PARAMETER stop {Quote(stop)}\n");
        foreach (var (name, value) in SamplingDefaults(modelDirectory)) text.Append($"PARAMETER {name} {value}\n");
        return text.ToString();
    }

    /// <summary>Go templates equivalent to the families' Jinja templates for a conversation ending in a generation prompt.</summary>
    static string? GoTemplate(string family) => family switch
    {
        "chatml" => "{{- range .Messages }}<|im_start|>{{ .Role }}\n{{ .Content }}<|im_end|>\n{{ end }}<|im_start|>assistant\n",
        "llama3" => "{{- range .Messages }}<|start_header_id|>{{ .Role }}<|end_header_id|>\n\n{{ .Content }}<|eot_id|>{{ end }}<|start_header_id|>assistant<|end_header_id|>\n\n",
        "llama2" => "{{- if .System }}[INST] <<SYS>>\n{{ .System }}\n<</SYS>>\n\n{{ .Prompt }} [/INST]{{- else }}[INST] {{ .Prompt }} [/INST]{{- end }}",
        "alpaca" => "{{ if .System }}{{ .System }}\n\n{{ end }}### Instruction:\n{{ .Prompt }}\n\n### Response:\n",
        _ => null,
    };

    static IEnumerable<string> StopTexts(string modelDirectory, ChatTemplate? template, ChatTemplate? family)
    {
        var tokenizer = TokenizerLoader.Load(modelDirectory);
        var config = ModelConfig.Load(modelDirectory);
        var stops = tokenizer.EosIds.Concat(config.EosTokenIds).Distinct()
            .Where(id => id >= 0 && id < tokenizer.VocabSize)
            .Select(id => tokenizer.Decode([id], skipSpecialTokens: false))
            .Where(t => t.Length > 0)
            .ToList();
        if (template?.EndOfTurn is { } marker) stops.Add(marker);
        if (family?.Name == "alpaca") stops.Add("### Instruction:");
        return stops.Distinct();
    }

    /// <summary>generation_config.json's temperature, top_p, top_k and repetition_penalty under Ollama's parameter names.</summary>
    static IEnumerable<(string Name, string Value)> SamplingDefaults(string modelDirectory)
    {
        string path = Path.Combine(modelDirectory, "generation_config.json");
        if (!File.Exists(path)) yield break;
        using var document = JsonFile.Parse(path);
        var root = document.RootElement;
        foreach (var (source, target) in new[] { ("temperature", "temperature"), ("top_p", "top_p"), ("top_k", "top_k"), ("repetition_penalty", "repeat_penalty") })
            if (root.Member(source) is { ValueKind: JsonValueKind.Number } number)
                yield return (target, number.GetDouble().ToString(CultureInfo.InvariantCulture));
    }

    static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n") + "\"";
}
