using LoraLab.Engine.Peft;
using LoraLab.Engine.Peft.Lora;
using LoraLab.Engine.Quantization;
using LoraLab.Engine.Tests.Models;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Tests.Peft;

public class PeftMethodFactoryTests
{
    sealed class OneIdPerCharacter : ITextTokenizer
    {
        public int VocabSize => 61;
        public int? BosId => null;
        public IReadOnlyList<int> EosIds => [0];
        public int? PadId => null;
        public IReadOnlyList<int> Encode(string text, bool addSpecialTokens = true) => text.Select(c => c % 61).ToArray();
        public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true) => "";
        public bool IsSpecial(int id) => id == 0;
    }

    [Theory]
    [InlineData("lora", "lora")]
    [InlineData("dora", "dora")]
    [InlineData("qlora", "qlora")]
    [InlineData("prompt", "prompt")]
    [InlineData("prefix", "prefix")]
    [InlineData("ia3", "ia3")]
    [InlineData("adapter", "adapter")]
    [InlineData("full", "full")]
    public void Every_method_name_builds_a_method_that_trains_something(string name, string kind)
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        var method = PeftMethodFactory.Create(new MethodOptions { Method = name, R = 2, NumVirtualTokens = 3, BottleneckSize = 4 }, lm.Config, new OneIdPerCharacter(), seed: 1);
        method.Attach(lm);

        Assert.Equal(kind, method.Kind);
        Assert.NotEmpty(method.TrainableParameters());
        Assert.All(method.TrainableParameters(), p => Assert.True(p.Parameter.requires_grad));
    }

    [Fact]
    public void Lora_options_reach_the_lora_config()
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        var method = (LoraMethod)PeftMethodFactory.Create(
            new MethodOptions { Method = "dora", R = 4, LoraAlpha = 8, TargetModules = ["q_proj"], UseRslora = true }, lm.Config, new OneIdPerCharacter(), 1);
        var c = method.Config;
        Assert.Equal((4, 8.0, 0.0, true, true, "default"), (c.R, c.LoraAlpha, c.LoraDropout, c.UseRslora, c.UseDora, c.InitLoraWeights));
        Assert.Equal(["q_proj"], c.TargetModules);
    }

    [Fact]
    public void Selective_options_choose_what_trains()
    {
        using var lm = TinyModels.Create(TinyModels.Named("qwen2-qkv-bias"));
        var method = PeftMethodFactory.Create(new MethodOptions { Method = "selective", Norms = true }, lm.Config, new OneIdPerCharacter(), 1);
        method.Attach(lm);
        Assert.All(method.TrainableParameters(), p => Assert.Contains("norm", p.Name));
    }

    [Fact]
    public void An_unknown_method_lists_the_known_ones()
    {
        var e = Assert.Throws<PeftConfigException>(() => new MethodOptions { Method = "lokr" }.Validate());
        Assert.Contains("lora, dora, qlora, prompt, prefix, ia3, adapter, selective, full", e.Message);
    }
}
