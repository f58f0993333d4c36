namespace LoraLab.Engine.Data;

/// <summary>What became of a dataset file's records.</summary>
/// <param name="RecordsRead">Every record of the file, good or bad (blank lines are not records).</param>
/// <param name="Kept">Records that became training examples.</param>
/// <param name="Truncated">Kept records cut to the maximum length.</param>
/// <param name="Issues">Every record left out, in file order.</param>
public sealed record DatasetReport(
    string Path, DatasetFileType FileType, DatasetFormat Format, int RecordsRead, int Kept, int Truncated, IReadOnlyList<DatasetIssue> Issues)
{
    /// <summary>"data.jsonl line 3: missing field 'output'".</summary>
    public string Describe(DatasetIssue issue) => $"{System.IO.Path.GetFileName(Path)} {DatasetFileTypeNames.LocationWord(FileType)} {issue.Line}: {issue.Reason}";
}
