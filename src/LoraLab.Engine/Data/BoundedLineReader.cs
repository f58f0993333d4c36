using System.Text;

namespace LoraLab.Engine.Data;

/// <summary>
/// Reads the lines of a text as <see cref="TextReader.ReadLine"/> does (ended by \n, \r\n or \r), except that a line
/// longer than <paramref name="maxChars"/> is not kept: its characters are counted and dropped, so one enormous line
/// costs no more memory than the limit.
/// </summary>
internal sealed class BoundedLineReader(TextReader reader, int maxChars)
{
    readonly char[] _buffer = new char[64 * 1024];
    readonly StringBuilder _line = new();
    int _position, _count;
    bool _skipLineFeed;

    /// <summary>The next line, or false at the end of the text.</summary>
    /// <param name="text">The line without its terminator, or null when it was longer than the limit.</param>
    /// <param name="length">The line's length in characters, whether it was kept or not.</param>
    public bool Next(out string? text, out long length)
    {
        _line.Clear();
        length = 0;
        bool started = false;
        while (true)
        {
            if (_position == _count)
            {
                _count = reader.Read(_buffer, 0, _buffer.Length);
                _position = 0;
                if (_count == 0) break;
            }
            char c = _buffer[_position++];
            if (_skipLineFeed)
            {
                _skipLineFeed = false;
                if (c == '\n') continue;
            }
            started = true;
            if (c == '\n') break;
            if (c == '\r')
            {
                _skipLineFeed = true;
                break;
            }
            length++;
            if (length <= maxChars) _line.Append(c);
        }
        text = length <= maxChars ? _line.ToString() : null;
        return started;
    }
}
