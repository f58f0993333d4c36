namespace LoraLab.Web.Components.Pages.Runs;

/// <summary>What the new-run page says about each method, and the learning rate each usually trains well at.</summary>
public static class MethodChoices
{
    public sealed record Choice(string Method, string Title, string Description, double LearningRate);

    public static readonly IReadOnlyList<Choice> All =
    [
        new("lora", "LoRA", "Low-rank updates A·B beside chosen linear layers; the base stays frozen.", 2e-4),
        new("dora", "DoRA", "LoRA with a learned magnitude per output: closer to full fine-tuning at a small extra cost.", 2e-4),
        new("qlora", "QLoRA", "LoRA on a 4-bit quantized base: the least memory for the weights.", 2e-4),
        new("prompt", "Prompt tuning", "Learned virtual tokens in front of every input; tiny, needs a high learning rate.", 3e-2),
        new("prefix", "Prefix tuning", "Learned keys and values in front of every layer's attention.", 1e-2),
        new("ia3", "(IA)³", "Learned vectors that rescale keys, values and the MLP; the fewest parameters.", 3e-3),
        new("adapter", "Bottleneck adapters", "Small down/up projections after attention and MLP outputs (Houlsby).", 5e-4),
        new("selective", "Selective", "Unfreezes chosen parts of the base: last blocks, biases, norms, embeddings, head.", 1e-4),
        new("full", "Full fine-tuning", "Trains every weight: the most memory, the most capacity.", 2e-5),
    ];

    public static Choice Of(string method) => All.First(c => c.Method == method);
}
