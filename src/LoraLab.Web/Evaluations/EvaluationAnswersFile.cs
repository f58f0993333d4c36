using System.Text.Json;

namespace LoraLab.Web.Evaluations;

/// <summary>
/// The answers an evaluation run has generated so far, one JSON line per record after a header naming the columns and
/// the number of records, appended and flushed after each batch so that a resumed run answers only the rest. A header
/// that does not match what the run answers now (a baseline stored meanwhile, other records) starts the file again;
/// a last line cut short by a crash is answered again.
/// </summary>
public sealed class EvaluationAnswersFile
{
    public const string FileName = "answers.jsonl";

    sealed record Header(IReadOnlyList<int?> Columns, int Records);
    sealed record Line(int Index, IReadOnlyList<string> Answers);

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    readonly string _path;
    readonly Dictionary<int, IReadOnlyList<string>> _answered = [];

    EvaluationAnswersFile(string path) => _path = path;

    /// <summary>The records answered so far, by index.</summary>
    public IReadOnlyDictionary<int, IReadOnlyList<string>> Answered => _answered;

    public static string PathIn(string runFolder) => Path.Combine(runFolder, FileName);

    /// <summary>Opens the run's answers, keeping those written for the same columns and records, or starts the file.</summary>
    public static EvaluationAnswersFile Open(string runFolder, IReadOnlyList<int?> columns, int records)
    {
        var file = new EvaluationAnswersFile(PathIn(runFolder));
        var header = new Header(columns, records);
        if (file.ReadKept(header))
        {
            file.EndCutLine();
            return file;
        }
        Directory.CreateDirectory(runFolder);
        File.WriteAllText(file._path, JsonSerializer.Serialize(header, Json) + "\n");
        return file;
    }

    /// <summary>How many records the run folder's answers file holds, and of how many; null without one.</summary>
    public static (int Answered, int Total)? Count(string runFolder) =>
        Read(PathIn(runFolder)) is { } file ? (file.Answered.Count, file.Header.Records) : null;

    /// <summary>Appends a batch of answers and flushes it to disk before returning.</summary>
    public void Append(IEnumerable<(int Index, IReadOnlyList<string> Answers)> batch)
    {
        var added = batch.ToList();
        using (var stream = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.Read))
        using (var writer = new StreamWriter(stream))
        {
            foreach (var (index, answers) in added) writer.Write(JsonSerializer.Serialize(new Line(index, answers), Json) + "\n");
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }
        foreach (var (index, answers) in added) _answered[index] = answers;
    }

    /// <summary>Ends a last line a crash cut short, so the next batch starts on a line of its own.</summary>
    void EndCutLine()
    {
        using var stream = new FileStream(_path, FileMode.Open, FileAccess.ReadWrite);
        if (stream.Length == 0) return;
        stream.Seek(-1, SeekOrigin.End);
        if (stream.ReadByte() == '\n') return;
        stream.WriteByte((byte)'\n');
    }

    bool ReadKept(Header expected)
    {
        if (Read(_path) is not { } file || file.Header.Records != expected.Records || !file.Header.Columns.SequenceEqual(expected.Columns)) return false;
        foreach (var (index, answers) in file.Answered) _answered[index] = answers;
        return true;
    }

    /// <summary>A file's header and the whole answers it holds (lines cut short or out of its bounds left out); null without a readable header.</summary>
    static (Header Header, Dictionary<int, IReadOnlyList<string>> Answered)? Read(string path)
    {
        if (!File.Exists(path)) return null;
        using var lines = File.ReadLines(path).GetEnumerator();
        if (!lines.MoveNext() || TryRead<Header>(lines.Current) is not { } header) return null;
        var answered = new Dictionary<int, IReadOnlyList<string>>();
        while (lines.MoveNext())
            if (TryRead<Line>(lines.Current) is { } line && line.Index >= 0 && line.Index < header.Records && line.Answers.Count == header.Columns.Count)
                answered[line.Index] = line.Answers;
        return (header, answered);
    }

    static T? TryRead<T>(string line) where T : class
    {
        try { return JsonSerializer.Deserialize<T>(line, Json); }
        catch (JsonException) { return null; }
    }
}
