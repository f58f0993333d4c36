using LoraLab.Engine.Peft.Methods;

namespace LoraLab.Web.Components.Pages.Runs;

/// <summary>What the new-run page says about each method, and the learning rate each usually trains well at: the registry's.</summary>
public static class MethodChoices
{
    public sealed record Choice(string Method, string Title, string Description, double LearningRate);

    public static readonly IReadOnlyList<Choice> All = MethodRegistry.All.Select(s => new Choice(s.Name, s.Title, s.Description, s.LearningRate)).ToArray();

    public static Choice Of(string method) => All.First(c => c.Method == method);
}
