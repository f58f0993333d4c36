using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace LoraLab.Engine.Tokenization.Jinja;

/// <summary>
/// Splits a template into text and tag tokens with the whitespace rules of Jinja2's lexer as transformers configures
/// it: <c>trim_blocks</c> (the first newline after a block or comment tag goes), <c>lstrip_blocks</c> (spaces and tabs
/// from the start of a line up to a block or comment tag go), the <c>-</c>/<c>+</c> markers, raw blocks, and
/// <c>keep_trailing_newline=False</c> (one newline at the end of the template goes).
/// </summary>
internal sealed partial class JinjaLexer
{
    static readonly string[] Operators = ["//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "(", ")", "[", "]", "{", "}", ",", ".", ":", "|", "=", "<", ">"];

    readonly string source;
    readonly string templateName;
    readonly int[] lineStarts;
    readonly List<JinjaToken> tokens = [];
    int pos;

    JinjaLexer(string source, string templateName)
    {
        this.source = source.EndsWith('\n') ? source[..^1] : source;
        this.templateName = templateName;
        lineStarts = [0, .. this.source.Select((c, i) => (c, i)).Where(p => p.c == '\n').Select(p => p.i + 1)];
    }

    public static List<JinjaToken> Tokenize(string source, string templateName)
    {
        var lexer = new JinjaLexer(source.Replace("\r\n", "\n"), templateName);
        lexer.Run();
        return lexer.tokens;
    }

    void Run()
    {
        while (pos < source.Length)
        {
            int open = NextTagOpening(pos);
            int end = open < 0 ? source.Length : open;
            string text = source[pos..end];
            if (open >= 0) text = StripBeforeTag(text, open);
            if (text.Length > 0) tokens.Add(new JinjaToken(JinjaTokenKind.Text, text, Line(pos)));
            if (open < 0) break;
            pos = open;
            LexTag();
        }
        tokens.Add(new JinjaToken(JinjaTokenKind.EndOfTemplate, "", Line(source.Length)));
    }

    int NextTagOpening(int from)
    {
        for (int i = source.IndexOf('{', from); i >= 0 && i + 1 < source.Length; i = source.IndexOf('{', i + 1))
            if (source[i + 1] is '{' or '%' or '#') return i;
        return -1;
    }

    /// <summary>Jinja2 applies '-' (strip all whitespace) or lstrip_blocks (strip a line's indentation) to the text before a tag.</summary>
    string StripBeforeTag(string text, int open)
    {
        char kind = source[open + 1];
        char sign = open + 2 < source.Length ? source[open + 2] : '\0';
        if (sign == '-') return text.TrimEnd();
        if (sign == '+' || kind == '{') return text;
        int lineStart = text.LastIndexOf('\n') + 1;
        bool startsLine = lineStart > 0 || pos == 0 || source[pos - 1] == '\n';
        bool onlyIndentation = text.Length > lineStart && text.AsSpan(lineStart).IndexOfAnyExcept(" \t\v\f\r") < 0;
        return startsLine && onlyIndentation ? text[..lineStart] : text;
    }

    void LexTag()
    {
        char kind = source[pos + 1];
        int line = Line(pos);
        pos += 2;
        if (pos < source.Length && source[pos] is '-' or '+') pos++;
        if (kind == '#')
        {
            int close = source.IndexOf("#}", pos, StringComparison.Ordinal);
            if (close < 0) throw Error(line, "a comment opened with '{#' is never closed with '#}'");
            bool strip = source[close - 1] == '-' && close - 1 >= pos;
            pos = close + 2;
            AfterClose(strip, trimNewline: source[close - 1] != '+');
            return;
        }
        if (kind == '%' && TryLexRaw(line)) return;
        tokens.Add(new JinjaToken(kind == '{' ? JinjaTokenKind.VariableStart : JinjaTokenKind.BlockStart, kind == '{' ? "{{" : "{%", line));
        LexExpressionTokens(kind == '{' ? "}}" : "%}", line);
    }

    /// <summary>After '-%}' all whitespace goes; after '%}' or '#}' (trim_blocks) one newline does.</summary>
    void AfterClose(bool strip, bool trimNewline)
    {
        if (strip) while (pos < source.Length && char.IsWhiteSpace(source[pos])) pos++;
        else if (trimNewline && pos < source.Length && source[pos] == '\n') pos++;
    }

    bool TryLexRaw(int line)
    {
        var opening = RawOpening().Match(source, pos);
        if (!opening.Success) return false;
        pos = opening.Index + opening.Length;
        AfterClose(opening.Groups[1].Value == "-", opening.Groups[1].Value != "+");
        var closing = RawClosing().Match(source, pos);
        if (!closing.Success) throw Error(line, "a 'raw' block is never closed with 'endraw'");
        string text = source[pos..closing.Index];
        if (closing.Groups[1].Value == "-") text = text.TrimEnd();
        if (text.Length > 0) tokens.Add(new JinjaToken(JinjaTokenKind.Text, text, line));
        pos = closing.Index + closing.Length;
        AfterClose(closing.Groups[2].Value == "-", closing.Groups[2].Value != "+");
        return true;
    }

    [GeneratedRegex(@"\G\s*raw\s*([-+]?)%\}")]
    private static partial Regex RawOpening();

    [GeneratedRegex(@"\{%([-+]?)\s*endraw\s*([-+]?)%\}")]
    private static partial Regex RawClosing();

    void LexExpressionTokens(string close, int openLine)
    {
        while (true)
        {
            while (pos < source.Length && char.IsWhiteSpace(source[pos])) pos++;
            if (pos >= source.Length) throw Error(openLine, $"a tag opened here is never closed with '{close}'");
            int line = Line(pos);
            foreach (string sign in (string[])["-", "+", ""])
            {
                if (string.CompareOrdinal(source, pos, sign + close, 0, sign.Length + close.Length) != 0) continue;
                pos += sign.Length + close.Length;
                tokens.Add(new JinjaToken(close == "}}" ? JinjaTokenKind.VariableEnd : JinjaTokenKind.BlockEnd, close, line));
                AfterClose(sign == "-", trimNewline: close == "%}" && sign != "+");
                return;
            }
            char c = source[pos];
            if (char.IsAsciiLetter(c) || c == '_') tokens.Add(new JinjaToken(JinjaTokenKind.Name, Take(p => char.IsAsciiLetterOrDigit(source[p]) || source[p] == '_'), line));
            else if (char.IsAsciiDigit(c)) tokens.Add(LexNumber(line));
            else if (c is '\'' or '"') tokens.Add(new JinjaToken(JinjaTokenKind.String, LexString(c, line), line));
            else
            {
                string? op = Operators.FirstOrDefault(o => string.CompareOrdinal(source, pos, o, 0, o.Length) == 0)
                    ?? throw Error(line, $"unexpected character '{c}'");
                pos += op.Length;
                tokens.Add(new JinjaToken(JinjaTokenKind.Operator, op, line));
            }
        }
    }

    string Take(Func<int, bool> belongs)
    {
        int start = pos;
        while (pos < source.Length && belongs(pos)) pos++;
        return source[start..pos];
    }

    JinjaToken LexNumber(int line)
    {
        var match = NumberPattern().Match(source, pos);
        pos += match.Length;
        string digits = match.Value.Replace("_", "");
        bool isFloat = match.Groups[1].Success || match.Groups[2].Success;
        return new JinjaToken(isFloat ? JinjaTokenKind.Float : JinjaTokenKind.Integer, digits, line);
    }

    [GeneratedRegex(@"\G\d[\d_]*(\.\d[\d_]*)?([eE][+-]?\d+)?")]
    private static partial Regex NumberPattern();

    /// <summary>Jinja2 decodes string literals with Python's unicode-escape codec.</summary>
    string LexString(char quote, int line)
    {
        var text = new StringBuilder();
        for (pos++; ; pos++)
        {
            if (pos >= source.Length) throw Error(line, "a string literal is never closed");
            char c = source[pos];
            if (c == quote) { pos++; return text.ToString(); }
            if (c != '\\' || pos + 1 >= source.Length) { text.Append(c); continue; }
            char e = source[++pos];
            switch (e)
            {
                case 'n': text.Append('\n'); break;
                case 't': text.Append('\t'); break;
                case 'r': text.Append('\r'); break;
                case 'b': text.Append('\b'); break;
                case 'f': text.Append('\f'); break;
                case 'v': text.Append('\v'); break;
                case 'a': text.Append('\a'); break;
                case '0': text.Append('\0'); break;
                case '\n': break;
                case '\\' or '\'' or '"': text.Append(e); break;
                case 'x': text.Append(HexEscape(2, line)); break;
                case 'u': text.Append(HexEscape(4, line)); break;
                case 'U': text.Append(HexEscape(8, line)); break;
                default: text.Append('\\').Append(e); break;
            }
        }
    }

    string HexEscape(int digits, int line)
    {
        if (pos + digits >= source.Length || !int.TryParse(source.AsSpan(pos + 1, digits), NumberStyles.HexNumber, null, out int code))
            throw Error(line, $"a string literal has a malformed \\{source[pos]} escape");
        pos += digits;
        return char.ConvertFromUtf32(code);
    }

    int Line(int position)
    {
        int index = Array.BinarySearch(lineStarts, position);
        return (index >= 0 ? index : ~index - 1) + 1;
    }

    JinjaTemplateException Error(int line, string problem) => new($"{templateName}, line {line}: {problem}");
}
