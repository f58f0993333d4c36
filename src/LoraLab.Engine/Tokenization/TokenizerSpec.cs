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

    /// <summary>
    /// The most ids a tokenizer may have (2^24; the largest published vocabularies have about 2^18). The tokenizer
    /// allocates a table of that many entries, so an id in a hostile file must not size it.
    /// </summary>
    public const int MaxIds = 1 << 24;

    /// <summary>Number of ids: one past the highest id of the vocabulary and the added tokens.</summary>
    public int IdCount => 1 + Math.Max(
        Model.Vocabulary.Count == 0 ? -1 : Model.Vocabulary.Values.Max(),
        AddedTokens.Count == 0 ? -1 : AddedTokens.Max(t => t.Id));

    /// <summary>
    /// Refuses ids outside [0, <see cref="MaxIds"/>) in the vocabulary and the added tokens, and special or
    /// post-processor ids that name no token, before anything is sized by them.
    /// </summary>
    /// <exception cref="InvalidDataException">The message names the file, the token and the id.</exception>
    public void CheckIds()
    {
        foreach (var (token, id) in Model.Vocabulary.Concat(AddedTokens.Select(t => KeyValuePair.Create(t.Content, t.Id))))
        {
            if (id is < 0 or >= MaxIds)
                throw new InvalidDataException($"{SourceFile}: token {JsonQuoted(token)} has id {id}; ids must be within [0, {MaxIds})");
        }
        int count = IdCount;
        var named = new (string Field, IEnumerable<int> Ids)[]
        {
            ("the post-processor's prefix", PrefixIds), ("the post-processor's suffix", SuffixIds),
            ("bos", BosId is int bos ? [bos] : []), ("eos", EosIds), ("pad", PadId is int pad ? [pad] : []),
        };
        foreach (var (field, ids) in named)
        {
            foreach (int id in ids)
            {
                if (id < 0 || id >= count)
                    throw new InvalidDataException($"{SourceFile}: {field} id {id} names no token; the tokenizer has ids 0 to {count - 1}");
            }
        }
    }

    static string JsonQuoted(string token) => System.Text.Json.JsonSerializer.Serialize(token.Length > 40 ? token[..40] + "…" : token);

    public int? IdOf(string token)
    {
        var added = AddedTokens.FirstOrDefault(t => t.Content == token);
        if (added is not null) return added.Id;
        return Model.Vocabulary.TryGetValue(token, out int id) ? id : null;
    }
}
