namespace LoraLab.Web.Sweeps;

/// <summary>One setting a sweep varies: its section (method, training or data), its snake_case field, and the values to try.</summary>
public sealed record SweptSetting(string Section, string Field, IReadOnlyList<double> Values)
{
    /// <summary>How tables and the API name it: <c>training.learning_rate</c>.</summary>
    public string Key => $"{Section}.{Field}";
}
