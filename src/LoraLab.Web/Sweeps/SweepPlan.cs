using LoraLab.Web.Data.Entities;

namespace LoraLab.Web.Sweeps;

/// <summary>
/// Which runs a sweep queues: in grid mode every combination of the swept values, in random mode <c>budget</c>
/// distinct combinations drawn with a seed. Combinations are numbered as nested loops would visit them (the first
/// setting outermost), and each mode returns them in that order, so a plan is the same every time it is made.
/// </summary>
public static class SweepPlan
{
    public const int MaxSettings = 3;
    public const int MaxRuns = 32;
    public const int MaxValuesPerSetting = 100;

    /// <summary>The combinations, or every error by request field (<c>settings</c>, <c>settings[0].values</c>, <c>budget</c>).</summary>
    public static (IReadOnlyList<SweepPoint> Points, Dictionary<string, string[]> Errors) Expand(
        IReadOnlyList<SweptSetting>? settings, SweepMode mode, int? budget, int seed)
    {
        var errors = Check(settings);
        if (errors.Count > 0) return ([], errors);
        long total = settings!.Aggregate(1L, (product, s) => product * s.Values.Count);
        string sizes = string.Join(" × ", settings!.Select(s => s.Values.Count));
        IEnumerable<long> chosen;
        if (mode == SweepMode.Grid)
        {
            if (total > MaxRuns)
                errors["settings"] = [$"The grid has {sizes} = {total} combinations; a sweep queues at most {MaxRuns} runs: give fewer values, or draw a budget of them in random mode."];
            chosen = Enumerable.Range(0, (int)Math.Min(total, MaxRuns)).Select(i => (long)i);
        }
        else
        {
            if (budget is not { } count)
                errors["budget"] = [$"Random search needs a budget: how many combinations to draw, 1 to {MaxRuns}."];
            else if (count is < 1 or > MaxRuns)
                errors["budget"] = [$"The budget must be 1 to {MaxRuns} runs, got {count}."];
            else if (count > total)
                errors["budget"] = [$"The budget is {count} but the values make only {sizes} = {total} combinations: lower it, or run them all in grid mode."];
            chosen = errors.Count > 0 ? [] : Draw(total, budget!.Value, seed);
        }
        return errors.Count > 0 ? ([], errors) : (chosen.Select(i => PointAt(settings!, i)).ToList(), errors);
    }

    static Dictionary<string, string[]> Check(IReadOnlyList<SweptSetting>? settings)
    {
        var errors = new Dictionary<string, string[]>();
        if (settings is not { Count: > 0 })
        {
            errors["settings"] = ["A sweep needs a setting to vary: give {\"section\", \"field\", \"values\"}, e.g. {\"section\": \"method\", \"field\": \"r\", \"values\": [8, 16]}."];
            return errors;
        }
        if (settings.Count > MaxSettings) errors["settings"] = [$"A sweep varies at most {MaxSettings} settings, got {settings.Count}."];
        var seen = new HashSet<string>();
        for (int i = 0; i < settings.Count; i++)
        {
            var setting = settings[i];
            if (setting is null)
            {
                errors[$"settings[{i}]"] = ["Give the setting as {\"section\", \"field\", \"values\"}."];
                continue;
            }
            if (!SweepFields.Sections.Contains(setting.Section))
                errors[$"settings[{i}].section"] = [$"The section must be \"method\", \"training\" or \"data\", got '{setting.Section}'."];
            if (string.IsNullOrWhiteSpace(setting.Field))
                errors[$"settings[{i}].field"] = ["Name the snake_case field to vary, e.g. \"learning_rate\"."];
            else if (!seen.Add(setting.Key))
                errors[$"settings[{i}].field"] = [$"{setting.Key} is swept twice: give all its values in one setting."];
            if (ValuesError(setting) is { } valuesError) errors[$"settings[{i}].values"] = [valuesError];
        }
        return errors;
    }

    static string? ValuesError(SweptSetting setting)
    {
        string name = string.IsNullOrWhiteSpace(setting.Field) ? "the setting" : setting.Field;
        if (setting.Values is not { Count: > 0 } values) return $"Give at least one value for {name}.";
        if (values.Count > MaxValuesPerSetting) return $"At most {MaxValuesPerSetting} values per setting, got {values.Count} for {name}.";
        if (values.Where(v => !double.IsFinite(v)).ToList() is [var bad, ..]) return $"The values of {name} must be finite numbers, got {bad}.";
        if (values.GroupBy(v => v).FirstOrDefault(g => g.Count() > 1) is { } twice)
            return $"{name} has the value {SweepValueText.Format(twice.Key)} {twice.Count()} times: give each value once.";
        return null;
    }

    /// <summary><paramref name="count"/> distinct combination numbers below <paramref name="total"/>, from <paramref name="seed"/>, in ascending order.</summary>
    static IEnumerable<long> Draw(long total, int count, int seed)
    {
        // new Random(seed) is the seeded generator whose sequence .NET keeps stable across versions.
        var random = new Random(seed);
        var drawn = new SortedSet<long>();
        while (drawn.Count < count) drawn.Add(random.NextInt64(total));
        return drawn;
    }

    /// <summary>Combination number <paramref name="index"/>, read as a mixed-radix number whose last digit is the last setting.</summary>
    static SweepPoint PointAt(IReadOnlyList<SweptSetting> settings, long index)
    {
        var values = new SettingValue[settings.Count];
        for (int i = settings.Count - 1; i >= 0; i--)
        {
            int radix = settings[i].Values.Count;
            values[i] = new SettingValue(settings[i].Section, settings[i].Field, settings[i].Values[(int)(index % radix)]);
            index /= radix;
        }
        return new SweepPoint(values);
    }
}
