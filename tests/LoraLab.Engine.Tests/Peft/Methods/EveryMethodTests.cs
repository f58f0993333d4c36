using LoraLab.Engine.Devices;
using LoraLab.Engine.Models;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Peft.Methods;
using LoraLab.Engine.Quantization;
using LoraLab.Engine.Tests.Models;
using static TorchSharp.torch;
using LoraLab.Engine.Peft.Lora;
using LoraLab.Engine.Peft.QLora;

namespace LoraLab.Engine.Tests.Peft.Methods;

/// <summary>
/// The same checks for every registered method and LoRA's variants, as PEFT's shared tuner tests run them: attach,
/// train a few steps on one batch (the loss falls), save, load onto a fresh copy of the base (the same logits),
/// merge where the method merges (merged equals unmerged), and the validator names the field of a bad setting.
/// </summary>
public sealed class EveryMethodTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("loralab-every-method-").FullName;
    static readonly ModelConfig Model = TinyModels.Named("llama-gqa-tied");
    static readonly long[] Ids = [4, 8, 15, 16, 23, 42, 7, 3, 9, 11];
    const long BaseSeed = 1;

    public void Dispose() => Directory.Delete(root, recursive: true);

    /// <summary>Each case: its settings (small, so the tiny model trains fast), and one bad setting with the field it must name.</summary>
    public static TheoryData<string> Cases() => [.. CaseOf.Keys];

    static readonly Dictionary<string, (MethodOptions Options, MethodOptions Bad, string BadField)> CaseOf = new()
    {
        ["lora"] = (Lora("lora"), Lora("lora") with { R = 0 }, "r"),
        ["lora-rslora"] = (Lora("lora") with { UseRslora = true }, Lora("lora") with { LoraAlpha = -1 }, "lora_alpha"),
        ["lora-pissa"] = (Lora("lora") with { InitLoraWeights = "pissa" }, Lora("lora") with { InitLoraWeights = "pissa_niter_0" }, "init_lora_weights"),
        ["dora"] = (Lora("dora"), Lora("dora") with { TargetModules = ["nothing_proj"] }, "target_modules"),
        ["qlora"] = (Lora("qlora"), Lora("qlora") with { QuantType = "int3" }, "quant_type"),
        ["prompt"] = (new() { Method = "prompt", NumVirtualTokens = 3 }, new() { Method = "prompt", NumVirtualTokens = 0 }, "num_virtual_tokens"),
        ["prefix"] = (new() { Method = "prefix", NumVirtualTokens = 3 }, new() { Method = "prefix", EncoderHiddenSize = -4 }, "encoder_hidden_size"),
        ["prefix-projection"] = (new() { Method = "prefix", NumVirtualTokens = 3, PrefixProjection = true, EncoderHiddenSize = 8 },
            new() { Method = "prefix", NumVirtualTokens = -1 }, "num_virtual_tokens"),
        // (IA)³ and full fine-tuning read no setting: the only wrong thing is another method's name.
        ["ia3"] = (new() { Method = "ia3" }, new() { Method = "ia3x" }, "method"),
        ["adapter"] = (new() { Method = "adapter", BottleneckSize = 4 }, new() { Method = "adapter", BottleneckSize = 0 }, "bottleneck_size"),
        ["selective"] = (new() { Method = "selective", LastBlocks = 1, Norms = true }, new() { Method = "selective", LastBlocks = 99 }, "last_blocks"),
        ["full"] = (new() { Method = "full" }, new() { Method = "fulll" }, "method"),
    };

    static MethodOptions Lora(string method) => new() { Method = method, R = 2, LoraAlpha = 4, TargetModules = [LoraConfig.AllLinear] };

    [Fact]
    public void The_cases_cover_every_registered_method()
    {
        Assert.Equal(MethodRegistry.Names.Order(), CaseOf.Values.Select(c => c.Options.Method).Distinct().Order());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_method_trains_saves_and_reloads_to_the_same_logits(string name)
    {
        var (options, _, _) = CaseOf[name];
        var spec = MethodRegistry.Get(options.Method);
        string folder = Path.Combine(root, name);
        using var lm = TinyModels.Create(Model, BaseSeed);
        var method = spec.Create(options, Model, tokenizer: null, seed: 2);
        method.Attach(lm);
        Assert.Equal(spec.TrainableParameters(Model, options), PeftMethod.Count(lm, method).Trainable);

        var losses = Train(lm, method, steps: 6);
        method.Save(lm, folder);
        using var trained = Logits(method.Forward, lm);

        using var reloaded = Reload(spec, method, folder);

        Assert.True(losses[^1] < losses[0], $"{name}: the loss went from {losses[0]} to {losses[^1]}");
        // The same float32 computation on the same weights: only the order of a few reductions may differ.
        Assert.True(AdapterTestKit.MaxAbsDifference(trained, reloaded) < 1e-5, $"{name}: reloaded logits differ by {AdapterTestKit.MaxAbsDifference(trained, reloaded)}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_method_that_merges_gives_the_same_logits_merged_as_unmerged(string name)
    {
        var (options, _, _) = CaseOf[name];
        var spec = MethodRegistry.Get(options.Method);
        if (!spec.Merges) return;
        string folder = Path.Combine(root, name);
        using (var lm = TinyModels.Create(Model, BaseSeed))
        {
            var method = spec.Create(options, Model, tokenizer: null, seed: 2);
            method.Attach(lm);
            Train(lm, method, steps: 3);
            method.Save(lm, folder);
        }
        // Merging is into a dense base (a QLoRA adapter merges into the unquantized weights, as PEFT exports it).
        using var dense = TinyModels.Create(Model, BaseSeed);
        var loaded = AdapterFiles.Load(dense, folder);
        using var unmerged = Logits(loaded.Forward, dense);

        LoraMerge.Merge(dense, "default");
        using var merged = Logits(loaded.Forward, dense);

        // x·(W + s·B·A) against x·W + s·(x·Aᵀ)·Bᵀ in float32: the same products summed in another order, a relative
        // error of a few ulps (1e-7) per term; through two blocks and logits of size ~10 that stays well under 1e-4.
        double difference = AdapterTestKit.MaxAbsDifference(unmerged, merged);
        Assert.True(difference < 1e-4, $"{name}: merged logits differ from unmerged by {difference}");
        Assert.True(unmerged.abs().max().item<float>() > 0.1f, "the logits are not trivially zero");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_validator_accepts_the_settings_and_names_the_field_of_a_bad_one(string name)
    {
        var (options, bad, field) = CaseOf[name];
        var spec = MethodRegistry.Get(options.Method);

        var good = spec.Validate(options, Model);
        var errors = MethodRegistry.Validate(bad, Model);
        var withoutModel = MethodRegistry.Validate(bad, null);

        Assert.Empty(good);
        Assert.Equal(field, Assert.Single(errors).Field);
        Assert.Contains(field, errors[0].Message);
        if (field != "target_modules" && field != "last_blocks") Assert.Equal(errors, withoutModel);
        var thrown = Assert.Throws<PeftConfigException>(() => spec.TrainableParameters(Model, bad));
        Assert.Equal(bad.Method == spec.Name ? errors[0].Message : $"These are {bad.Method} settings, not {spec.Name} settings.", thrown.Message);
    }

    /// <summary>The logits of what was saved in <paramref name="folder"/>, loaded onto a fresh copy of the base.</summary>
    static Tensor Reload(MethodSpec spec, IPeftMethod method, string folder)
    {
        if (spec.SavesModelFolder)
        {
            using var model = PretrainedModel.Load(folder, ComputeDevice.Cpu);
            return Logits((lm, ids, mask) => lm.Forward(ids, keyIsReal: mask), model);
        }
        // A saved QLoRA adapter is a LoRA one, as PEFT saves it; every other method reads its own folder back.
        Assert.Equal(spec is QLoraMethodSpec ? "lora" : spec.Name, MethodRegistry.OfAdapter(AdapterFolder.ReadConfigJson(folder))?.Name);
        using var fresh = TinyModels.Create(Model, BaseSeed);
        // It reproduces its logits on the quantized base it was trained on.
        if (method is QLoraMethod qlora) ModelQuantizer.Quantize(fresh, qlora.Quantization);
        var loaded = AdapterFiles.Load(fresh, folder);
        return Logits(loaded.Forward, fresh);
    }

    /// <summary>Adam on one fixed batch, so a few steps must lower its loss; the losses before each step.</summary>
    static List<double> Train(CausalLM lm, IPeftMethod method, int steps)
    {
        var parameters = method.TrainableParameters().Select(p => p.Parameter).ToList();
        using var optimizer = optim.Adam(parameters, lr: 1e-2);
        var losses = new List<double>();
        for (int step = 0; step <= steps; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var ids = tensor(Ids).unsqueeze(0);                                       // (1, T)
            var logits = method.Forward(lm, ids, null);                               // (1, T, V)
            var loss = nn.functional.cross_entropy(logits[0, ..^1], ids[0, 1..]);     // next-token loss
            losses.Add(loss.item<float>());
            if (step == steps) break;
            loss.backward();
            optimizer.step();
        }
        return losses;
    }

    static Tensor Logits(Func<CausalLM, Tensor, Tensor?, Tensor> forward, CausalLM lm)
    {
        using var _ = no_grad();
        return forward(lm, tensor(Ids).unsqueeze(0), null);   // (1, T, V)
    }
}
