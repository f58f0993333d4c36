using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using LoraLab.Engine.Peft;
using LoraLab.Engine.Peft.Methods;
using LoraLab.Engine.Training;

namespace LoraLab.Web.Sweeps;

/// <summary>A numeric setting a sweep can vary; <paramref name="WholeNumber"/> when it takes integers only.</summary>
public sealed record SweepField(string Section, string Field, bool WholeNumber)
{
    public string Key => $"{Section}.{Field}";
}

/// <summary>
/// The settings a sweep can vary: the numeric fields of the engine's option records under their snake_case names,
/// and of the method's options only those the method reads (the others are left out of its configuration).
/// </summary>
public static class SweepFields
{
    static readonly IReadOnlyList<SweepField> MethodFields = NumericFields<MethodOptions>("method");
    static readonly IReadOnlyList<SweepField> TrainingFields = NumericFields<TrainingOptions>("training");
    static readonly IReadOnlyList<SweepField> DataFields = NumericFields<DataOptions>("data");

    public static IReadOnlyList<string> Sections { get; } = ["method", "training", "data"];

    /// <summary>Every field a sweep of <paramref name="method"/> runs can vary, method fields first; none of the method's for an unknown method.</summary>
    public static IReadOnlyList<SweepField> For(string? method)
    {
        var reads = method is not null && MethodRegistry.Find(method) is { } spec ? spec.Settings : [];
        return [.. MethodFields.Where(f => reads.Contains(f.Field)), .. TrainingFields, .. DataFields];
    }

    /// <summary>The fields that are no numeric setting of <paramref name="method"/>, by request key (<c>settings[1].field</c>), or values an integer field cannot take.</summary>
    public static Dictionary<string, string[]> Check(IReadOnlyList<SweptSetting> settings, string method)
    {
        var errors = new Dictionary<string, string[]>();
        var fields = For(method);
        for (int i = 0; i < settings.Count; i++)
        {
            var setting = settings[i];
            if (!Sections.Contains(setting.Section) || string.IsNullOrWhiteSpace(setting.Field)) continue;   // the plan reports these
            var known = fields.Where(f => f.Section == setting.Section).ToList();
            if (known.FirstOrDefault(f => f.Field == setting.Field) is not { } field)
                errors[$"settings[{i}].field"] = [known.Count == 0
                    ? $"'{setting.Field}' cannot be swept: {method} reads no numeric {setting.Section} setting."
                    : $"'{setting.Field}' is no numeric {setting.Section} setting of {method}; one of {string.Join(", ", known.Select(f => f.Field))}."];
            else if (field.WholeNumber && (setting.Values ?? []).Where(v => double.IsFinite(v) && v != Math.Floor(v)).ToList() is [var fraction, ..])
                errors[$"settings[{i}].values"] = [$"{setting.Field} takes whole numbers, got {SweepValueText.Format(fraction)}."];
        }
        return errors;
    }

    static IReadOnlyList<SweepField> NumericFields<TOptions>(string section) =>
        typeof(TOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetCustomAttribute<JsonIgnoreAttribute>() is null && p.CanWrite)
            .Select(p => (Property: p, Type: Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType))
            .Where(p => p.Type == typeof(int) || p.Type == typeof(long) || p.Type == typeof(double))
            .Select(p => new SweepField(section,
                p.Property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Property.Name),
                p.Type != typeof(double)))
            .ToList();
}
