using System.CommandLine;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Peft.Methods;

namespace LoraLab.Cli;

/// <summary>The method flags of train, estimate-memory and bench train, read into <see cref="MethodOptions"/>.</summary>
sealed class MethodFlags
{
    static readonly MethodOptions Defaults = new();
    readonly Option<string> method = new("--method") { Description = string.Join("|", MethodOptions.Methods), DefaultValueFactory = _ => Defaults.Method };
    readonly Option<int> r = new("--r", "--rank") { Description = "LoRA rank.", DefaultValueFactory = _ => Defaults.R };
    readonly Option<double> alpha = new("--lora-alpha") { Description = "LoRA alpha (scaling alpha/r, or alpha/√r with --use-rslora).", DefaultValueFactory = _ => Defaults.LoraAlpha };
    readonly Option<double> dropout = new("--lora-dropout") { DefaultValueFactory = _ => Defaults.LoraDropout };
    readonly Option<string[]> targets = new("--target-modules") { Description = "Module names (q_proj v_proj …) or all-linear.", AllowMultipleArgumentsPerToken = true };
    readonly Option<bool> rslora = new("--use-rslora");
    readonly Option<string> init = new("--init-lora-weights") { Description = "default, gaussian, pissa or pissa_niter_K.", DefaultValueFactory = _ => Defaults.InitLoraWeights };
    readonly Option<string> quantType = new("--quant-type") { Description = "qlora: nf4 or fp4.", DefaultValueFactory = _ => Defaults.QuantType };
    readonly Option<int> virtualTokens = new("--num-virtual-tokens") { DefaultValueFactory = _ => Defaults.NumVirtualTokens };
    readonly Option<string?> promptInit = new("--prompt-init-text") { Description = "prompt: initialise from this text's embeddings." };
    readonly Option<bool> prefixProjection = new("--prefix-projection") { Description = "prefix: train through the reparameterisation MLP." };
    readonly Option<int> bottleneck = new("--bottleneck-size") { DefaultValueFactory = _ => Defaults.BottleneckSize };
    readonly Option<string> placement = new("--placement") { Description = "adapter: attention, mlp or both.", DefaultValueFactory = _ => Defaults.Placement };
    readonly Option<int> lastBlocks = new("--last-blocks") { Description = "selective: train the last N blocks." };
    readonly Option<bool> biases = new("--biases") { Description = "selective: train the biases." };
    readonly Option<bool> norms = new("--norms") { Description = "selective: train the norms." };

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { method, r, alpha, dropout, targets, rslora, init, quantType, virtualTokens, promptInit, prefixProjection, bottleneck, placement, lastBlocks, biases, norms })
            command.Add(o);
    }

    public MethodOptions Read(ParseResult p)
    {
        var options = new MethodOptions
        {
            Method = p.GetValue(method)!,
            R = p.GetValue(r),
            LoraAlpha = p.GetValue(alpha),
            LoraDropout = p.GetValue(dropout),
            TargetModules = p.GetValue(targets) is { Length: > 0 } t ? t.SelectMany(x => x.Split(',', StringSplitOptions.RemoveEmptyEntries)).ToArray() : Defaults.TargetModules,
            UseRslora = p.GetValue(rslora),
            InitLoraWeights = p.GetValue(init)!,
            QuantType = p.GetValue(quantType)!,
            NumVirtualTokens = p.GetValue(virtualTokens),
            PromptInitText = p.GetValue(promptInit),
            PrefixProjection = p.GetValue(prefixProjection),
            BottleneckSize = p.GetValue(bottleneck),
            Placement = p.GetValue(placement)!,
            LastBlocks = p.GetValue(lastBlocks),
            Biases = p.GetValue(biases),
            Norms = p.GetValue(norms),
        };
        return options;
    }
}
