using System.Text.Json.Nodes;

namespace LoraLab.Web.Sweeps;

/// <summary>One swept setting at one of its values.</summary>
public readonly record struct SettingValue(string Section, string Field, double Value);

/// <summary>One combination of a sweep: a value for each swept setting, which becomes one run.</summary>
public sealed record SweepPoint(IReadOnlyList<SettingValue> Values)
{
    /// <summary>The values as run names show them: <c>r=8 lr=1e-4</c>.</summary>
    public string Label => string.Join(" ", Values.Select(v => $"{SweepValueText.ShortName(v.Field)}={SweepValueText.Format(v.Value)}"));

    /// <summary>
    /// A copy of <paramref name="configuration"/> with each value set at configuration[section][field]. A section that
    /// is there but no JSON object is left as it is, so that the run's validation reports it instead of it being replaced.
    /// </summary>
    public JsonObject Apply(JsonObject configuration)
    {
        var copy = (JsonObject)configuration.DeepClone();
        foreach (var value in Values)
        {
            if (copy[value.Section] is null) copy[value.Section] = new JsonObject();
            if (copy[value.Section] is JsonObject section) section[value.Field] = JsonValue.Create(value.Value);
        }
        return copy;
    }
}
