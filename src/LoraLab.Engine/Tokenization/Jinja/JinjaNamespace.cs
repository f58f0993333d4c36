namespace LoraLab.Engine.Tokenization.Jinja;

/// <summary>What <c>namespace(…)</c> makes: attributes a loop body can assign with <c>set ns.x = …</c> and keep after the loop.</summary>
internal sealed class JinjaNamespace
{
    public Dictionary<string, object?> Attributes { get; } = [];
}
