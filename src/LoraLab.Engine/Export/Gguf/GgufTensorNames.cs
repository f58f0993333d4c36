using System.Text.RegularExpressions;

namespace LoraLab.Engine.Export.Gguf;

/// <summary>Hugging Face checkpoint keys of the llama family to llama.cpp's tensor names (gguf-py <c>tensor_mapping.py</c>).</summary>
public static partial class GgufTensorNames
{
    static readonly Dictionary<string, string> LayerParts = new(StringComparer.Ordinal)
    {
        ["self_attn.q_proj"] = "attn_q", ["self_attn.k_proj"] = "attn_k", ["self_attn.v_proj"] = "attn_v",
        ["self_attn.o_proj"] = "attn_output", ["self_attn.q_norm"] = "attn_q_norm", ["self_attn.k_norm"] = "attn_k_norm",
        ["mlp.gate_proj"] = "ffn_gate", ["mlp.up_proj"] = "ffn_up", ["mlp.down_proj"] = "ffn_down",
        ["input_layernorm"] = "attn_norm", ["post_attention_layernorm"] = "ffn_norm",
    };

    [GeneratedRegex(@"^model\.layers\.(\d+)\.(.+)\.(weight|bias)$")]
    private static partial Regex LayerKey();

    /// <summary>The GGUF name of <paramref name="hfKey"/>; throws naming the key when llama.cpp has no tensor for it.</summary>
    public static string FromHuggingFace(string hfKey)
    {
        switch (hfKey)
        {
            case "model.embed_tokens.weight": return "token_embd.weight";
            case "model.norm.weight": return "output_norm.weight";
            case "lm_head.weight": return "output.weight";
        }
        var match = LayerKey().Match(hfKey);
        if (match.Success && LayerParts.TryGetValue(match.Groups[2].Value, out string? part))
            return $"blk.{match.Groups[1].Value}.{part}.{match.Groups[3].Value}";
        throw new ArgumentException($"Checkpoint tensor '{hfKey}' has no llama.cpp counterpart in the llama family.");
    }
}
