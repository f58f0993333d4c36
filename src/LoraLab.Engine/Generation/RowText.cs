namespace LoraLab.Engine.Generation;

/// <summary>
/// The decoded text of one row as it grows. Stop strings are looked for only where the text changed, and text is
/// handed out only once it can no longer change: a tail that may be the beginning of a stop string, or incomplete
/// UTF-8 (decoded as U+FFFD), is held back until the next tokens settle it.
/// </summary>
sealed class RowText(Func<IReadOnlyList<int>, string> decode, IReadOnlyList<string> stopStrings)
{
    readonly List<int> ids = [];
    string decoded = "";
    int handedOut;
    int? stopAt;

    /// <summary>The text so far, cut before the stop string once one has appeared.</summary>
    public string Text => stopAt is { } s ? decoded[..s] : decoded;

    /// <summary>Adds a generated token; true when the text now contains a stop string.</summary>
    public bool Append(int tokenId)
    {
        int settled = SettledLength(decoded);
        ids.Add(tokenId);
        decoded = decode(ids);
        foreach (var stop in stopStrings)
        {
            int from = Math.Clamp(settled - stop.Length + 1, 0, decoded.Length);
            int at = decoded.IndexOf(stop, from, StringComparison.Ordinal);
            if (at >= 0 && (stopAt is null || at < stopAt)) stopAt = at;
        }
        return stopAt is not null;
    }

    /// <summary>The text not handed out before that can no longer change; all of it when the row is <paramref name="final"/>.</summary>
    public string TakeNew(bool final)
    {
        var text = Text;
        int end = final || stopAt is not null ? text.Length : SettledLength(text) - PossibleStopStart(text);
        if (end <= handedOut) return "";
        var piece = text[handedOut..end];
        handedOut = end;
        return piece;
    }

    /// <summary>Trailing U+FFFD are bytes of a character whose remaining bytes are still to come.</summary>
    static int SettledLength(string text)
    {
        int n = text.Length;
        while (n > 0 && text[n - 1] == '\uFFFD') n--;
        return n;
    }

    /// <summary>The length of the longest tail of the settled text that is a proper prefix of a stop string.</summary>
    int PossibleStopStart(string text)
    {
        var settled = text.AsSpan(0, SettledLength(text));
        int longest = 0;
        foreach (var stop in stopStrings)
            for (int k = Math.Min(stop.Length - 1, settled.Length); k > longest; k--)
                if (settled.EndsWith(stop.AsSpan(0, k), StringComparison.Ordinal)) { longest = k; break; }
        return longest;
    }
}
