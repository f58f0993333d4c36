namespace LoraLab.Web.Sweeps;

/// <summary>
/// Gathers the errors of a sweep's runs into the sweep's: an error about a swept setting is the setting's
/// (<c>settings[0].values</c>), the others keep the run's key; an error every run has is said once, one only some
/// runs have is said for each, naming its combination (<c>r=0 lr=1e-4: r must be positive, got 0.</c>).
/// </summary>
public sealed class SweepRunErrors(IReadOnlyList<SweptSetting> settings, int runCount)
{
    readonly List<(string Key, string Message, string Label)> _errors = [];

    public void Add(SweepPoint point, IReadOnlyDictionary<string, string[]> runErrors)
    {
        foreach (var (key, messages) in runErrors)
            foreach (string message in messages)
                _errors.Add((SweepKey(key), message, point.Label));
    }

    public void AddTo(Dictionary<string, string[]> errors)
    {
        foreach (var byKey in _errors.GroupBy(e => e.Key))
        {
            var messages = byKey.GroupBy(e => e.Message)
                .SelectMany(byMessage => byMessage.Count() == runCount ? [byMessage.Key] : byMessage.Select(e => $"{e.Label}: {e.Message}"))
                .Distinct().ToArray();
            errors[byKey.Key] = [.. errors.GetValueOrDefault(byKey.Key) ?? [], .. messages];
        }
    }

    string SweepKey(string runKey)
    {
        for (int i = 0; i < settings.Count; i++)
            if (runKey == $"configuration.{settings[i].Key}") return $"settings[{i}].values";
        return runKey;
    }
}
