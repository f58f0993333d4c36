using LoraLab.Engine.Data;

namespace LoraLab.Web.Datasets;

/// <summary>
/// What became of a dataset's records, as stored on the dataset (ValidationReportJson). <paramref name="Model"/> and
/// <paramref name="Template"/> name the tokenizer and chat template it was checked with; both are null when no model
/// was registered, and then only the records' fields were checked.
/// </summary>
public sealed record DatasetValidation(string? Model, string? Template, int? MaxLength, DatasetReport Report)
{
    /// <summary>"line" or "element": what an issue's number counts in this file.</summary>
    public string LocationWord => DatasetFileTypeNames.LocationWord(Report.FileType);
}

/// <summary>A run of consecutive tokens of a preview, decoded, and whether the model learns to produce them.</summary>
public sealed record PreviewSegment(string Text, bool IsCompletion);

/// <summary>One record rendered through the chat template and tokenized, as training sees it.</summary>
public sealed record PreviewExample(int Line, int Tokens, int CompletionTokens, bool Truncated, IReadOnlyList<PreviewSegment> Segments);

/// <summary>A dataset checked against a model: the validation, statistics when a model was used, and a preview of the first examples.</summary>
public sealed record DatasetInspection(DatasetValidation Validation, DatasetStatistics? Statistics, IReadOnlyList<PreviewExample> Preview);
