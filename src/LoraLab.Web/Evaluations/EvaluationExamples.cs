using LoraLab.Engine.Data;
using LoraLab.Web.Datasets;
using LoraLab.Web.Playground;

namespace LoraLab.Web.Evaluations;

/// <summary>
/// The records of a dataset an evaluation answers: each conversation up to its last answer, which becomes the
/// reference (alpaca records as the training pipeline renders them), the first <c>max</c> of those that have one.
/// </summary>
public static class EvaluationExamples
{
    public static Result<IReadOnlyList<PromptSetExample>> Read(DatasetSummary dataset, int max)
    {
        IReadOnlyList<DatasetRecord> records;
        try
        {
            records = DatasetReader.Read(dataset.FilePath).Records;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException)
        {
            return new Failure(FailureKind.Invalid, "The dataset cannot be used", e.Message);
        }
        return Answered(records, max, "datasetId",
            $"Dataset '{dataset.Name}' holds no record with an answer to compare with: an evaluation needs instructions or conversations that end in an answer.");
    }

    /// <summary>The first <paramref name="max"/> of <paramref name="records"/> that end in an answer, or the failure <paramref name="noneAnswered"/> on <paramref name="field"/>.</summary>
    public static Result<IReadOnlyList<PromptSetExample>> Answered(IReadOnlyList<DatasetRecord> records, int max, string field, string noneAnswered)
    {
        var examples = records.Select(PromptSetExample.FromRecord).OfType<PromptSetExample>().Where(e => !string.IsNullOrWhiteSpace(e.Reference)).Take(max).ToList();
        return examples.Count > 0 ? examples : Failure.InvalidField(field, noneAnswered);
    }
}
