using LoraLab.Engine.Evaluation.Benchmarks;
using LoraLab.Web.Datasets;

namespace LoraLab.Web.Evaluations;

/// <summary>The questions of a multiple-choice benchmark dataset an evaluation scores: the first <c>max</c>, posed in the dataset's format.</summary>
public static class BenchmarkQuestions
{
    public static Result<IReadOnlyList<MultipleChoiceQuestion>> Read(DatasetSummary dataset, int max)
    {
        try
        {
            return BenchmarkFormat.Read(dataset.FilePath, dataset.Benchmark!).Take(max).ToList();
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            return new Failure(FailureKind.Invalid, "The benchmark cannot be used", e.Message);
        }
    }
}
