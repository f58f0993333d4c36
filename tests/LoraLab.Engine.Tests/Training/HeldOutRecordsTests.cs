using LoraLab.Engine.Data;
using LoraLab.Engine.Tests.Data;
using LoraLab.Engine.Tests.Tokenization;
using LoraLab.Engine.Tokenization;
using LoraLab.Engine.Training;

namespace LoraLab.Engine.Tests.Training;

public sealed class HeldOutRecordsTests : IDisposable
{
    readonly TempModelDirectory folder = new();

    public void Dispose() => folder.Dispose();

    string WriteChats(int count) => folder.Write("chats.jsonl", string.Join("\n", Enumerable.Range(0, count)
        .Select(i => $$"""{"messages": [{"role": "user", "content": "Hi {{i}}"}, {"role": "assistant", "content": "Hello {{i}}!"}]}""")));

    static readonly ChatTemplate Template = ChatTemplate.FromName("chatml");

    [Fact]
    public void The_held_out_records_are_the_ones_training_evaluated_on_and_none_it_trained_on()
    {
        string path = WriteChats(20);
        var data = new DataOptions { ValidationFraction = 0.25, MaxLength = 64 };

        var heldOut = HeldOutRecords.Read(path, data, seed: 7);
        var prepared = DatasetPipeline.Prepare(path, TestTokenizers.ChatMl, Template, HeldOutRecords.PipelineOptions(data, 7, separateEvalFile: false));
        var encoded = new ExampleEncoder(TestTokenizers.ChatMl, Template, new EncodingOptions(64)).EncodeAll(heldOut).Examples
            .Select(e => TrainingExample.From(e, lossOnAllTokens: false)).ToList();

        Assert.Equal(5, heldOut.Count);
        Assert.Equal(prepared.Validation.Select(e => string.Join(',', e.InputIds)), encoded.Select(e => string.Join(',', e.InputIds)));
        var trained = prepared.Train.Select(e => string.Join(',', e.InputIds)).ToHashSet();
        Assert.DoesNotContain(encoded, e => trained.Contains(string.Join(',', e.InputIds)));
        Assert.Equal(15, prepared.Train.Count);
    }

    [Fact]
    public void Another_seed_holds_out_other_records_and_no_fraction_holds_out_none()
    {
        string path = WriteChats(20);
        var data = new DataOptions { ValidationFraction = 0.25 };

        var lines = (long seed) => HeldOutRecords.Read(path, data, seed).Select(r => r.Line).ToList();

        Assert.NotEqual(lines(7), lines(8));
        Assert.Equal(lines(7), lines(7));
        Assert.Empty(HeldOutRecords.Read(path, data with { ValidationFraction = 0 }, seed: 7));
    }
}
