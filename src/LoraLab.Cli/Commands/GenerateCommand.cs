using System.CommandLine;
using LoraLab.Engine;
using LoraLab.Engine.Devices;
using LoraLab.Engine.Generation;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Cli.Commands;

/// <summary>
/// <c>loralab generate --model DIR [--adapter DIR] --prompt TEXT --max-new-tokens N [--greedy | --temperature T --top-p P --seed S] [--json]</c>.
/// Streams the continuation to stdout as it is produced; with --json prints the prompt ids, the generated ids
/// (with the EOS that ended them, as transformers' generate returns them) and the decoded continuation.
/// </summary>
static class GenerateCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var adapter = CommonOptions.Adapter();
        var prompt = new Option<string>("--prompt") { Description = "The prompt text.", Required = true };
        var chat = new Option<bool>("--chat") { Description = "Wrap the prompt as a user message in the model's chat template." };
        var template = new Option<string?>("--chat-template") { Description = $"With --chat, the template to use when the model declares none: {string.Join(", ", ChatTemplate.Names)}." };
        var maxNewTokens = new Option<int?>("--max-new-tokens") { Description = "Tokens to generate at most (default: the model's generation_config.json, else 128)." };
        var greedy = new Option<bool>("--greedy") { Description = "Always take the most likely token (the default when no --temperature is given)." };
        var temperature = new Option<double?>("--temperature") { Description = "Sample with this temperature (> 0)." };
        var topK = new Option<int?>("--top-k") { Description = "Sample among the k most likely tokens (0: all; default: the model's generation_config.json)." };
        var topP = new Option<double?>("--top-p") { Description = "Sample within this cumulative probability (nucleus; default: the model's, else 1)." };
        var repetitionPenalty = new Option<double?>("--repetition-penalty") { Description = "Penalise tokens already present (1: off; default: the model's, else 1)." };
        var seed = new Option<long?>("--seed") { Description = "Random seed for sampling." };
        var stop = new Option<string[]>("--stop") { Description = "Stop when the text contains this string (repeatable).", AllowMultipleArgumentsPerToken = false };
        var json = CommonOptions.Json();
        var device = CommonOptions.Device();
        var command = new Command("generate", "Continue a prompt.")
        {
            model, adapter, prompt, chat, template, maxNewTokens, greedy, temperature, topK, topP, repetitionPenalty, seed, stop, json, device,
        };
        command.SetAction((parse, cancellation) =>
        {
            if (parse.GetValue(greedy) && parse.GetValue(temperature) is > 0)
                throw new ArgumentException("--greedy and --temperature contradict each other: choose one.");
            // Flags the user set win, then the model's generation_config.json, then greedy decoding.
            string modelDirectory = parse.GetValue(model)!;
            var defaults = Directory.Exists(modelDirectory) ? GenerationDefaults.Load(modelDirectory) : GenerationDefaults.None;
            var overrides = new SamplingOverrides(
                parse.GetValue(greedy) ? 0 : parse.GetValue(temperature), parse.GetValue(topK), parse.GetValue(topP),
                parse.GetValue(repetitionPenalty), parse.GetValue(maxNewTokens));
            var options = defaults.Resolve(overrides, SamplingOptions.Greedy with
            {
                Seed = parse.GetValue(seed),
                StopStrings = parse.GetValue(stop) ?? [],
            });

            using var lm = LanguageModel.Open(parse.GetValue(model)!, ComputeDevice.Select(parse.GetValue(device)!), parse.GetValue(adapter));
            var chatTemplate = parse.GetValue(chat) ? ChatTemplateFor(lm, parse.GetValue(template)) : null;
            var promptIds = chatTemplate is null
                ? lm.Tokenizer.Encode(parse.GetValue(prompt)!)
                // The rendered templates carry BOS themselves where the format has one.
                : lm.Tokenizer.Encode(chatTemplate.Render([new ChatMessage("user", parse.GetValue(prompt)!)], addGenerationPrompt: true), addSpecialTokens: false);
            bool asJson = parse.GetValue(json);

            var generatedIds = new List<int>();
            using var run = new TokenGenerator(lm.Network).Start([promptIds], options, lm.StopIds(chatTemplate), ids => lm.Tokenizer.Decode(ids),
                virtualTokens: lm.Adapter?.VirtualTokens);
            foreach (var step in run.Steps(cancellation))
            {
                var row = step.Rows[0];
                if (row.TokenId >= 0) generatedIds.Add(row.TokenId);
                if (!asJson) Console.Write(row.Text);
            }
            var result = run.Results[0];
            if (asJson) JsonOutput.Print(new { prompt_ids = promptIds, generated_ids = generatedIds, text = result.Text });
            else Console.WriteLine();
            return Task.FromResult(result.FinishReason == FinishReason.Cancelled ? 130 : 0);
        });
        return command;
    }

    static ChatTemplate ChatTemplateFor(LanguageModel lm, string? templateName) =>
        templateName is not null ? ChatTemplate.FromName(templateName)
            : lm.ChatTemplate ?? throw new ArgumentException(
                $"The model ships no chat template; name one with --chat-template ({string.Join(", ", ChatTemplate.Names)}).");
}
