using System.CommandLine;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Cli.Commands;

/// <summary><c>loralab tokenize --model DIR --text TEXT [--json]</c>: the ids Hugging Face's tokenizer(text) gives.</summary>
static class TokenizeCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var text = new Option<string>("--text") { Description = "The text to tokenize.", Required = true };
        var noSpecial = new Option<bool>("--no-special-tokens") { Description = "Leave out BOS/EOS that the tokenizer's post-processor adds." };
        var json = CommonOptions.Json();
        var command = new Command("tokenize", "Print the token ids of a text.") { model, text, noSpecial, json };
        command.SetAction(parse =>
        {
            var tokenizer = TokenizerLoader.Load(parse.GetValue(model)!);
            var ids = tokenizer.Encode(parse.GetValue(text)!, addSpecialTokens: !parse.GetValue(noSpecial));
            if (parse.GetValue(json)) JsonOutput.Print(new { ids });
            else Console.WriteLine(string.Join(' ', ids));
        });
        return command;
    }
}
