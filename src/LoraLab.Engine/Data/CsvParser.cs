using System.Text;

namespace LoraLab.Engine.Data;

/// <summary>One CSV row: its fields, or why it is malformed.</summary>
/// <param name="Line">1-based line where the row starts (a quoted field may span several lines).</param>
public sealed record CsvRow(int Line, IReadOnlyList<string> Fields, string? Error);

/// <summary>
/// Splits RFC 4180 text into rows: fields separated by commas, rows by CRLF, LF or CR; a field in double quotes may
/// hold commas, line breaks and doubled quotes (<c>""</c> for <c>"</c>). A malformed row is reported and reading goes on
/// at the next line, so one bad row does not hide the rest. Empty lines are not rows.
/// </summary>
public static class CsvParser
{
    public static IEnumerable<CsvRow> Rows(string text)
    {
        int position = 0, line = 1;
        while (position < text.Length)
        {
            int rowLine = line;
            var fields = new List<string>();
            string? error = null;
            while (true)
            {
                var (field, fieldError) = ReadField(text, ref position, ref line);
                fields.Add(field);
                error ??= fieldError;
                if (error is not null)
                {
                    SkipRestOfLine(text, ref position, ref line);
                    break;
                }
                if (position < text.Length && text[position] == ',')
                {
                    position++;
                    continue;
                }
                ConsumeLineBreak(text, ref position, ref line);
                break;
            }
            if (error is null && fields is [""]) continue;
            yield return new CsvRow(rowLine, fields, error);
        }
    }

    /// <summary>Reads one field and stops at the comma, line break or end that follows it.</summary>
    static (string Field, string? Error) ReadField(string text, ref int position, ref int line)
    {
        if (position < text.Length && text[position] == '"')
        {
            var value = new StringBuilder();
            position++;
            while (true)
            {
                if (position >= text.Length) return (value.ToString(), "a quoted field is not closed before the end of the file");
                char c = text[position];
                if (c == '"')
                {
                    if (position + 1 < text.Length && text[position + 1] == '"')
                    {
                        value.Append('"');
                        position += 2;
                        continue;
                    }
                    position++;
                    break;
                }
                if (c == '\n' || (c == '\r' && (position + 1 >= text.Length || text[position + 1] != '\n'))) line++;
                value.Append(c);
                position++;
            }
            return AtFieldEnd(text, position) ? (value.ToString(), null) : (value.ToString(), "text follows the closing quote of a field");
        }

        int start = position;
        while (!AtFieldEnd(text, position)) position++;
        string unquoted = text[start..position];
        return unquoted.Contains('"') ? (unquoted, "a quote inside an unquoted field (quote the whole field and double the inner quote)") : (unquoted, null);
    }

    static bool AtFieldEnd(string text, int position) => position >= text.Length || text[position] is ',' or '\r' or '\n';

    static void ConsumeLineBreak(string text, ref int position, ref int line)
    {
        if (position >= text.Length) return;
        if (text[position] == '\r') position++;
        if (position < text.Length && text[position] == '\n') position++;
        line++;
    }

    static void SkipRestOfLine(string text, ref int position, ref int line)
    {
        while (position < text.Length && text[position] is not ('\r' or '\n')) position++;
        ConsumeLineBreak(text, ref position, ref line);
    }
}
