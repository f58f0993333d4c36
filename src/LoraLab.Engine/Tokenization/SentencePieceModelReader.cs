using System.Text;
using LoraLab.Engine.Files;

namespace LoraLab.Engine.Tokenization;

/// <summary>
/// Reads a SentencePiece tokenizer.model (Llama 2, TinyLlama, Mistral) with a BPE model. A pair of symbols
/// may merge when their concatenation is a normal piece, and pieces of higher score merge first; equal
/// scores share a rank, so the leftmost pair wins between them, as in SentencePiece itself.
/// </summary>
internal static class SentencePieceModelReader
{
    enum PieceType { Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 }

    readonly record struct Piece(string Text, float Score, PieceType Type);

    sealed class Settings
    {
        public int ModelType = 1; // UNIGRAM unless the trainer spec says otherwise
        public bool ByteFallback, TreatWhitespaceAsSuffix;
        public int UnknownId = 0, BosId = 1, EosId = 2, PadId = -1;
        public string NormalizerName = "identity";
        public bool AddDummyPrefix = true, RemoveExtraWhitespaces = true, EscapeWhitespaces = true;
    }

    static readonly string[] ModelTypeNames = ["", "UNIGRAM", "BPE", "WORD", "CHAR"];

    /// <summary>
    /// The pieces of a tokenizer.model in id order with their scores and types (SentencePiece's piece types, numbered
    /// as llama.cpp's token types), for writing the vocabulary of a GGUF file.
    /// </summary>
    public static IReadOnlyList<(string Text, float Score, int Type)> ReadPieces(string path)
    {
        var pieces = new List<Piece>();
        try
        {
            ReadModelProto(UntrustedFile.ReadAllBytes(path, JsonFile.MaxTokenizerBytes, problem => new InvalidDataException(problem)), pieces, new Settings());
        }
        catch (Exception e) when (e is InvalidDataException or OverflowException)
        {
            throw new InvalidDataException($"{path}: not a SentencePiece model ({e.Message})", e);
        }
        return pieces.Select(p => (p.Text, p.Score, (int)p.Type)).ToList();
    }

    public static TokenizerSpec Read(string path)
    {
        var pieces = new List<Piece>();
        var settings = new Settings();
        try
        {
            ReadModelProto(UntrustedFile.ReadAllBytes(path, JsonFile.MaxTokenizerBytes, problem => new InvalidDataException(problem)), pieces, settings);
        }
        catch (Exception e) when (e is InvalidDataException or OverflowException)
        {
            throw new InvalidDataException($"{path}: not a SentencePiece model ({e.Message})", e);
        }
        Validate(path, pieces, settings);

        var vocabulary = new Dictionary<string, int>(pieces.Count, StringComparer.Ordinal);
        for (int id = 0; id < pieces.Count; id++) vocabulary.TryAdd(pieces[id].Text, id);
        var addedTokens = pieces
            .Select((piece, id) => (piece, id))
            .Where(p => p.piece.Type is PieceType.Control or PieceType.Unknown or PieceType.UserDefined)
            .Select(p => new AddedToken(p.id, p.piece.Text, Special: p.piece.Type != PieceType.UserDefined))
            .ToList();
        int? IdOrNull(int id) => id >= 0 && id < pieces.Count ? id : null;

        return new TokenizerSpec
        {
            SourceFile = path,
            Model = new CharacterBpeModel(vocabulary, MergesByScore(pieces, vocabulary), settings.ByteFallback, IdOrNull(settings.UnknownId), path),
            AddedTokens = addedTokens,
            Normalize = Normalizer(settings),
            PrefixIds = IdOrNull(settings.BosId) is int bos ? [bos] : [],
            DecodeStripsLeadingSpace = settings.AddDummyPrefix,
            BosId = IdOrNull(settings.BosId),
            EosIds = IdOrNull(settings.EosId) is int eos ? [eos] : [],
            PadId = IdOrNull(settings.PadId),
        };
    }

    static void Validate(string path, List<Piece> pieces, Settings settings)
    {
        if (pieces.Count == 0) throw new InvalidDataException($"{path}: the model has no pieces");
        if (settings.ModelType != 2)
        {
            string name = settings.ModelType >= 0 && settings.ModelType < ModelTypeNames.Length ? ModelTypeNames[settings.ModelType] : settings.ModelType.ToString();
            throw new NotSupportedException($"{path}: model type '{name}' is not supported; supported: BPE");
        }
        if (settings.TreatWhitespaceAsSuffix) throw new NotSupportedException($"{path}: treat_whitespace_as_suffix is not supported");
        if (settings.NormalizerName != "identity" && !settings.NormalizerName.StartsWith("nmt_nfkc", StringComparison.Ordinal) && !settings.NormalizerName.StartsWith("nfkc", StringComparison.Ordinal))
            throw new NotSupportedException($"{path}: normalizer '{settings.NormalizerName}' is not supported; supported: identity, nmt_nfkc, nfkc");
    }

    /// <summary>Every split of a normal piece into two pieces is a mergeable pair, ranked by the piece's score (higher first).</summary>
    static Dictionary<(int, int), (int, int)> MergesByScore(List<Piece> pieces, Dictionary<string, int> vocabulary)
    {
        var normal = Enumerable.Range(0, pieces.Count).Where(id => pieces[id].Type == PieceType.Normal).OrderByDescending(id => pieces[id].Score).ToList();
        var merges = new Dictionary<(int, int), (int, int)>(normal.Count * 2);
        int rank = -1;
        float previous = float.NaN;
        foreach (int id in normal)
        {
            string text = pieces[id].Text;
            if (pieces[id].Score != previous) { rank++; previous = pieces[id].Score; }
            for (int split = 1; split < text.Length; split++)
            {
                if (char.IsLowSurrogate(text[split])) continue;
                if (vocabulary.TryGetValue(text[..split], out int left) && vocabulary.TryGetValue(text[split..], out int right))
                    merges.TryAdd((left, right), (rank, id));
            }
        }
        return merges;
    }

    /// <summary>SentencePiece's normaliser: collapse spaces, add the dummy prefix, write spaces as '▁'.</summary>
    static Func<string, string> Normalizer(Settings settings) => text =>
    {
        if (!settings.NormalizerName.Equals("identity", StringComparison.Ordinal)) text = text.Normalize(NormalizationForm.FormKC);
        if (settings.RemoveExtraWhitespaces) text = string.Join(' ', text.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        if (text.Length == 0) return text;
        if (settings.AddDummyPrefix) text = " " + text;
        return settings.EscapeWhitespaces ? text.Replace(' ', CharacterBpeModel.SpaceMark) : text;
    };

    static void ReadModelProto(ReadOnlySpan<byte> data, List<Piece> pieces, Settings settings)
    {
        var reader = new ProtobufReader(data);
        while (reader.TryReadField(out int field, out int wire))
        {
            switch (field, wire)
            {
                case (1, ProtobufReader.LengthDelimited): pieces.Add(ReadPiece(reader.ReadBytes())); break;
                case (2, ProtobufReader.LengthDelimited): ReadTrainerSpec(reader.ReadBytes(), settings); break;
                case (3, ProtobufReader.LengthDelimited): ReadNormalizerSpec(reader.ReadBytes(), settings); break;
                default: reader.Skip(wire); break;
            }
        }
    }

    static Piece ReadPiece(ReadOnlySpan<byte> data)
    {
        var reader = new ProtobufReader(data);
        string text = "";
        float score = 0;
        var type = PieceType.Normal;
        while (reader.TryReadField(out int field, out int wire))
        {
            switch (field, wire)
            {
                case (1, ProtobufReader.LengthDelimited): text = Encoding.UTF8.GetString(reader.ReadBytes()); break;
                case (2, ProtobufReader.Fixed32): score = reader.ReadFloat(); break;
                case (3, ProtobufReader.Varint): type = (PieceType)(int)reader.ReadVarint(); break;
                default: reader.Skip(wire); break;
            }
        }
        return new Piece(text, score, type);
    }

    static void ReadTrainerSpec(ReadOnlySpan<byte> data, Settings settings)
    {
        var reader = new ProtobufReader(data);
        while (reader.TryReadField(out int field, out int wire))
        {
            if (wire != ProtobufReader.Varint) { reader.Skip(wire); continue; }
            int value = (int)(long)reader.ReadVarint();
            switch (field)
            {
                case 3: settings.ModelType = value; break;
                case 24: settings.TreatWhitespaceAsSuffix = value != 0; break;
                case 35: settings.ByteFallback = value != 0; break;
                case 40: settings.UnknownId = value; break;
                case 41: settings.BosId = value; break;
                case 42: settings.EosId = value; break;
                case 43: settings.PadId = value; break;
            }
        }
    }

    static void ReadNormalizerSpec(ReadOnlySpan<byte> data, Settings settings)
    {
        var reader = new ProtobufReader(data);
        while (reader.TryReadField(out int field, out int wire))
        {
            switch (field, wire)
            {
                case (1, ProtobufReader.LengthDelimited): settings.NormalizerName = Encoding.UTF8.GetString(reader.ReadBytes()); break;
                case (3, ProtobufReader.Varint): settings.AddDummyPrefix = reader.ReadVarint() != 0; break;
                case (4, ProtobufReader.Varint): settings.RemoveExtraWhitespaces = reader.ReadVarint() != 0; break;
                case (5, ProtobufReader.Varint): settings.EscapeWhitespaces = reader.ReadVarint() != 0; break;
                default: reader.Skip(wire); break;
            }
        }
    }
}
