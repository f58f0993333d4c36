using System.Text.Json;

namespace LoraLab.Engine.Data;

/// <summary>Reads the records of a JSONL, JSON array or CSV file without looking at their fields.</summary>
/// <remarks>
/// Memory is bounded by the file: JSONL is read line by line and a line over <see cref="MaxLineChars"/> is reported,
/// not kept; a JSON array or CSV file is parsed as a whole, so those layouts are limited to <see cref="MaxWholeFileBytes"/>.
/// </remarks>
public static class DatasetFileReader
{
    /// <summary>About a million tokens: longer than any context a record could be trained in.</summary>
    public const int MaxLineChars = 4 << 20;

    /// <summary>The largest JSON array or CSV file; larger datasets are JSONL, which is streamed.</summary>
    public const long MaxWholeFileBytes = 256L << 20;

    /// <summary>
    /// Far more than a fine-tuning run uses; every record read is held in memory (about a hundred bytes beyond its
    /// text), so the count is bounded like the bytes are.
    /// </summary>
    public const int MaxRecords = 2_000_000;

    /// <summary>Records nest a few levels (a conversation of messages); the limit keeps a hostile line from recursing the parser.</summary>
    static readonly JsonSerializerOptions RecordJson = new() { MaxDepth = 64 };

    /// <param name="fileType">The layout, or null to tell it from the file: .csv is CSV, a file starting with '[' a JSON array, anything else JSONL.</param>
    /// <param name="fields">Checked against a CSV header, so that a mapping to a missing column fails before any row does.</param>
    /// <exception cref="InvalidDataException">The file as a whole cannot be read: a JSON array that does not parse, a CSV without a usable header, a JSON array or CSV file over <see cref="MaxWholeFileBytes"/>.</exception>
    public static RawRecords Read(string path, DatasetFileType? fileType = null, FieldMapping? fields = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"dataset file '{path}' does not exist", path);
        var type = fileType ?? Detect(path);
        return type switch
        {
            DatasetFileType.Jsonl => ReadJsonl(path),
            DatasetFileType.JsonArray => ReadJsonArray(path, WholeText(path, type)),
            _ => ReadCsv(path, WholeText(path, type), fields ?? FieldMapping.Identity),
        };
    }

    static DatasetFileType Detect(string path)
    {
        if (Path.GetExtension(path).Equals(".csv", StringComparison.OrdinalIgnoreCase)) return DatasetFileType.Csv;
        using var reader = new StreamReader(path);
        int c;
        while ((c = reader.Read()) >= 0 && char.IsWhiteSpace((char)c)) { }
        return c == '[' ? DatasetFileType.JsonArray : DatasetFileType.Jsonl;
    }

    static string WholeText(string path, DatasetFileType type)
    {
        long bytes = new FileInfo(path).Length;
        if (bytes > MaxWholeFileBytes)
            throw new InvalidDataException($"{path}: a {DatasetFileTypeNames.NameOf(type)} file is read whole and may have at most {MaxWholeFileBytes:N0} bytes, " +
                $"this one has {bytes:N0}; write larger datasets as JSONL, one record per line");
        return File.ReadAllText(path);
    }

    static RawRecords ReadJsonl(string path)
    {
        var records = new List<RawRecord>();
        var issues = new List<DatasetIssue>();
        using var file = new StreamReader(path);
        var lines = new BoundedLineReader(file, MaxLineChars);
        int line = 0;
        while (lines.Next(out string? content, out long length))
        {
            line++;
            if (content is not null && string.IsNullOrWhiteSpace(content)) continue;
            CheckCount(path, records.Count + issues.Count + 1);
            if (content is null)
            {
                issues.Add(new DatasetIssue(line, IssueKind.LineTooLong, $"the line has {length:N0} characters, more than the {MaxLineChars:N0} a record may have"));
                continue;
            }
            try
            {
                records.Add(new RawRecord(line, JsonSerializer.Deserialize<JsonElement>(content, RecordJson)));
            }
            catch (JsonException e)
            {
                issues.Add(new DatasetIssue(line, IssueKind.InvalidJson, $"invalid JSON ({Brief(e)})"));
            }
        }
        return new RawRecords(path, DatasetFileType.Jsonl, records, issues);
    }

    static RawRecords ReadJsonArray(string path, string text)
    {
        JsonElement root;
        try
        {
            root = JsonSerializer.Deserialize<JsonElement>(text, RecordJson);
        }
        catch (JsonException e)
        {
            // One syntax error makes the rest of an array unreadable, so the whole file is refused.
            throw new InvalidDataException($"{path}: not valid JSON at line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1} ({Brief(e)})", e);
        }
        if (root.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{path}: the top-level JSON value is {RecordParser.KindName(root)}, expected an array of records (for one record per line, use JSONL)");
        CheckCount(path, root.GetArrayLength());
        var records = root.EnumerateArray().Select((element, i) => new RawRecord(i + 1, element)).ToList();
        return new RawRecords(path, DatasetFileType.JsonArray, records, []);
    }

    static RawRecords ReadCsv(string path, string text, FieldMapping fields)
    {
        using var rows = CsvParser.Rows(text).GetEnumerator();
        if (!rows.MoveNext()) return new RawRecords(path, DatasetFileType.Csv, [], []);
        var header = rows.Current;
        if (header.Error is not null) throw new InvalidDataException($"{path}: the header row (line {header.Line}) is malformed: {header.Error}");
        var duplicate = header.Fields.GroupBy(c => c).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new InvalidDataException($"{path}: the header names column '{duplicate.Key}' twice");
        foreach (var (field, column) in fields.Mapped)
        {
            if (!header.Fields.Contains(column))
                throw new InvalidDataException($"{path}: column mapping: '{column}' (for {field}) is not a column; the header has {string.Join(", ", header.Fields.Select(c => $"'{c}'"))}");
        }

        var records = new List<RawRecord>();
        var issues = new List<DatasetIssue>();
        while (rows.MoveNext())
        {
            CheckCount(path, records.Count + issues.Count + 1);
            var row = rows.Current;
            if (row.Error is not null)
                issues.Add(new DatasetIssue(row.Line, IssueKind.InvalidCsv, $"malformed CSV: {row.Error}"));
            else if (row.Fields.Count != header.Fields.Count)
                issues.Add(new DatasetIssue(row.Line, IssueKind.InvalidCsv, $"malformed CSV: {row.Fields.Count} field(s) where the header has {header.Fields.Count}"));
            else
                records.Add(new RawRecord(row.Line, JsonSerializer.SerializeToElement(header.Fields.Zip(row.Fields).ToDictionary(c => c.First, c => c.Second))));
        }
        return new RawRecords(path, DatasetFileType.Csv, records, issues);
    }

    /// <summary>Refuses the file once <paramref name="records"/>, counting the one about to be taken, passes the limit.</summary>
    static void CheckCount(string path, int records)
    {
        if (records > MaxRecords)
            throw new InvalidDataException($"{path}: holds more than {MaxRecords:N0} records, the most a dataset may have; split it into several datasets");
    }

    static string Brief(JsonException e) => e.Message.Split(" Path:")[0].Split(" LineNumber:")[0].TrimEnd('.', ' ');
}
