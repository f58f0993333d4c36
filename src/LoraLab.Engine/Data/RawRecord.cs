using System.Text.Json;

namespace LoraLab.Engine.Data;

/// <summary>One record of a dataset file before its fields are looked at; a CSV row becomes an object of its cells.</summary>
/// <param name="Line">1-based line, JSON array element, or line where the CSV row starts.</param>
public readonly record struct RawRecord(int Line, JsonElement Value);

/// <summary>The records of a file and those that could not even be read (invalid JSON, malformed CSV rows).</summary>
public sealed record RawRecords(string Path, DatasetFileType FileType, IReadOnlyList<RawRecord> Records, IReadOnlyList<DatasetIssue> Issues)
{
    public int Read => Records.Count + Issues.Count;
}
