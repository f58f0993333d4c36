using System.Text;

namespace LoraLab.Engine.Tests.Tokenization;

/// <summary>
/// A SentencePiece tokenizer.model written from the protobuf definition (sentencepiece_model.proto), independent of the
/// reader under test: ModelProto.pieces (1), trainer_spec (2) with model_type BPE, normalizer_spec (3).
/// </summary>
internal static class HandBuiltSentencePiece
{
    const int Normal = 1, Unknown = 2, Control = 3;

    /// <param name="pieces">"&lt;unk&gt;" is the unknown piece, "&lt;s&gt;" and "&lt;/s&gt;" control pieces; the rest score lower the later they come.</param>
    public static byte[] Model(IReadOnlyList<string> pieces, bool byteFallback)
    {
        var model = new List<byte>();
        for (int i = 0; i < pieces.Count; i++)
        {
            int type = pieces[i] switch { "<unk>" => Unknown, "<s>" or "</s>" => Control, _ => Normal };
            var piece = new List<byte>();
            LengthDelimited(piece, 1, Encoding.UTF8.GetBytes(pieces[i]));
            Key(piece, 2, wireType: 5);
            piece.AddRange(BitConverter.GetBytes(-(float)i));
            VarintField(piece, 3, (ulong)type);
            LengthDelimited(model, 1, [.. piece]);
        }
        var trainer = new List<byte>();
        VarintField(trainer, 3, 2); // model_type = BPE
        VarintField(trainer, 35, byteFallback ? 1UL : 0);
        VarintField(trainer, 40, (ulong)pieces.ToList().IndexOf("<unk>"));
        VarintField(trainer, 41, (ulong)pieces.ToList().IndexOf("<s>"));
        VarintField(trainer, 42, (ulong)pieces.ToList().IndexOf("</s>"));
        LengthDelimited(model, 2, [.. trainer]);
        var normalizer = new List<byte>();
        LengthDelimited(normalizer, 1, Encoding.UTF8.GetBytes("identity"));
        VarintField(normalizer, 3, 1); // add_dummy_prefix
        LengthDelimited(model, 3, [.. normalizer]);
        return [.. model];
    }

    static void Key(List<byte> output, int field, int wireType) => Varint(output, (ulong)(field << 3 | wireType));

    static void VarintField(List<byte> output, int field, ulong value)
    {
        Key(output, field, wireType: 0);
        Varint(output, value);
    }

    static void LengthDelimited(List<byte> output, int field, byte[] value)
    {
        Key(output, field, wireType: 2);
        Varint(output, (ulong)value.Length);
        output.AddRange(value);
    }

    static void Varint(List<byte> output, ulong value)
    {
        while (value >= 0x80)
        {
            output.Add((byte)(value | 0x80));
            value >>= 7;
        }
        output.Add((byte)value);
    }
}
