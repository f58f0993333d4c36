using LoraLab.Web.Training;

namespace LoraLab.Web.BrowserTests;

/// <summary>
/// A test that needs runs to train. The studio trains only when an <see cref="IRunExecutor"/> is registered, and the
/// interface lives in LoraLab.Web, so an implementation can only be there: until one exists, queued runs wait forever
/// and such a test is skipped with that reason rather than left to time out.
/// </summary>
public sealed class TrainingFactAttribute : FactAttribute
{
    public TrainingFactAttribute()
    {
        bool hasExecutor = typeof(IRunExecutor).Assembly.GetTypes()
            .Any(t => t is { IsClass: true, IsAbstract: false } && typeof(IRunExecutor).IsAssignableFrom(t));
        if (!hasExecutor)
            Skip = "LoraLab.Web has no IRunExecutor implementation yet: the studio queues runs but cannot train them.";
    }
}
