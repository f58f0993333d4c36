namespace LoraLab.Engine.Tokenization;

/// <summary>
/// Everything a tokenizer file says, read once by <see cref="TokenizerJsonReader"/> or
/// <see cref="SentencePieceModelReader"/> and then completed by <see cref="TokenizerLoader"/> from the configs beside it.
/// </summary>
internal sealed record TokenizerSpec
{
    public required string SourceFile { get; init; }
    public required IWordModel Model { get; init; }
    public required IReadOnlyList<AddedToken> AddedTokens { get; init; }
    public Func<string, string> Normalize { get; init; } = text => text;
    public PreTokenizer PreTokenizer { get; init; } = PreTokenizer.None;

    /// <summary>The post-processor's ids around a single sequence (BOS before, EOS after).</summary>
    public IReadOnlyList<int> PrefixIds { get; init; } = [];
    public IReadOnlyList<int> SuffixIds { get; init; } = [];

    /// <summary>SentencePiece-style decoding drops the one space the dummy prefix put in front of the text.</summary>
    public bool DecodeStripsLeadingSpace { get; init; }

    public int? BosId { get; init; }
    public IReadOnlyList<int> EosIds { get; init; } = [];
    public int? PadId { get; init; }

    /// <summary>Number of ids: one past the highest id of the vocabulary and the added tokens.</summary>
    public int IdCount => 1 + Math.Max(
        Model.Vocabulary.Count == 0 ? -1 : Model.Vocabulary.Values.Max(),
        AddedTokens.Count == 0 ? -1 : AddedTokens.Max(t => t.Id));

    public int? IdOf(string token)
    {
        var added = AddedTokens.FirstOrDefault(t => t.Content == token);
        if (added is not null) return added.Id;
        return Model.Vocabulary.TryGetValue(token, out int id) ? id : null;
    }
}
