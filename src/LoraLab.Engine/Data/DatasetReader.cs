namespace LoraLab.Engine.Data;

/// <param name="Format">The format, or null to detect it from the first records.</param>
/// <param name="FileType">The file layout, or null to detect it.</param>
/// <param name="ColumnMapping">Dataset field → the CSV column or JSON member that holds it, e.g. {"instruction": "question"}.</param>
public sealed record DatasetReadOptions(DatasetFormat? Format = null, DatasetFileType? FileType = null, IReadOnlyDictionary<string, string>? ColumnMapping = null);

/// <summary>The valid records of a file and every bad one with its reason.</summary>
public sealed record ParsedDataset(
    string Path, DatasetFileType FileType, DatasetFormat Format, int RecordsRead, IReadOnlyList<DatasetRecord> Records, IReadOnlyList<DatasetIssue> Issues);

/// <summary>Reads a dataset file into records of one format, keeping the good ones and reporting every bad one.</summary>
public static class DatasetReader
{
    /// <exception cref="InvalidDataException">The file holds no usable record, or cannot be read as a whole; the message names the file and the first issues.</exception>
    public static ParsedDataset Read(string path, DatasetReadOptions? options = null)
    {
        options ??= new DatasetReadOptions();
        var fields = new FieldMapping(options.ColumnMapping);
        var file = DatasetFileReader.Read(path, options.FileType, fields);
        if (file.Read == 0) throw new InvalidDataException($"{path} holds no records");
        var format = options.Format ?? FormatDetector.Detect(file, fields);

        var records = new List<DatasetRecord>();
        var issues = new List<DatasetIssue>(file.Issues);
        foreach (var raw in file.Records)
        {
            if (RecordParser.Parse(raw, format, fields, out var issue) is { } record) records.Add(record);
            else issues.Add(issue!);
        }
        issues.Sort((a, b) => a.Line.CompareTo(b.Line));
        if (records.Count == 0) throw NoUsableRecord(path, file.FileType, DatasetFormatNames.NameOf(format), file.Read, issues);
        return new ParsedDataset(path, file.FileType, format, file.Read, records, issues);
    }

    /// <summary>The error for a file none of whose records can be trained on, with the first few reasons.</summary>
    internal static InvalidDataException NoUsableRecord(string path, DatasetFileType fileType, string format, int read, IReadOnlyList<DatasetIssue> issues)
    {
        const int shown = 5;
        string word = DatasetFileTypeNames.LocationWord(fileType);
        string reasons = string.Join("; ", issues.Take(shown).Select(i => $"{word} {i.Line}: {i.Reason}"));
        string more = issues.Count > shown ? $"; and {issues.Count - shown} more" : "";
        return new InvalidDataException($"{path}: none of its {read} records is usable as {format} data: {reasons}{more}");
    }
}
