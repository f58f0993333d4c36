using LoraLab.Engine.Models;
using LoraLab.Engine.Peft.Methods;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Peft;

/// <summary>Turns a user's <see cref="MethodOptions"/> into the method that trains it, through its <see cref="MethodSpec"/>.</summary>
public static class PeftMethodFactory
{
    /// <param name="tokenizer">Needed only to initialise prompt tuning from a text.</param>
    public static IPeftMethod Create(MethodOptions o, ModelConfig model, ITextTokenizer? tokenizer, long seed, string? baseModelName = null) =>
        MethodRegistry.Get(o.Method).Create(o, model, tokenizer, seed, baseModelName);
}
