using TorchSharp;

namespace LoraLab.Engine.Models;

/// <summary>
/// A module whose child fields are named after their Hugging Face key segment (<c>q_proj</c>, <c>mlp</c>) and can be
/// replaced by name, as PEFT injects adapters: the registry entry and the field that <c>forward</c> reads change together.
/// </summary>
public abstract class SwappableModule(string name) : torch.nn.Module(name)
{
    public void ReplaceChild(string childName, torch.nn.Module replacement)
    {
        var field = GetType().GetField(childName)
            ?? throw new ArgumentException($"{GetType().Name} has no child named '{childName}'.");
        if (!field.FieldType.IsInstanceOfType(replacement))
            throw new ArgumentException($"{GetType().Name}.{childName} needs a {field.FieldType.Name}, got {replacement.GetType().Name}.");
        field.SetValue(this, replacement);
        _internal_submodules[childName] = replacement;
    }
}
