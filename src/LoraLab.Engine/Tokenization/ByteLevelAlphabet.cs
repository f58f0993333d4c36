using System.Text;

namespace LoraLab.Engine.Tokenization;

/// <summary>
/// GPT-2's reversible map from the 256 byte values to printable characters, so that byte-level BPE
/// vocabularies can be written as JSON strings: printable Latin-1 bytes map to themselves, the other
/// 68 bytes to U+0100 onwards in byte order (a space becomes 'Ġ', a newline 'Ċ').
/// </summary>
internal static class ByteLevelAlphabet
{
    static readonly char[] CharOfByte = BuildCharOfByte();
    static readonly Dictionary<char, byte> ByteOfChar = Enumerable.Range(0, 256).ToDictionary(b => CharOfByte[b], b => (byte)b);

    public static char CharFor(byte value) => CharOfByte[value];

    public static string Encode(string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        var chars = new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++) chars[i] = CharOfByte[bytes[i]];
        return new string(chars);
    }

    /// <summary>The bytes a vocabulary token stands for; null when it holds a character outside the alphabet.</summary>
    public static byte[]? TryDecode(string token)
    {
        var bytes = new byte[token.Length];
        for (int i = 0; i < token.Length; i++)
        {
            if (!ByteOfChar.TryGetValue(token[i], out bytes[i])) return null;
        }
        return bytes;
    }

    static char[] BuildCharOfByte()
    {
        static bool Printable(int b) => b is >= '!' and <= '~' or >= '¡' and <= '¬' or >= '®' and <= 'ÿ';
        var map = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++) map[b] = Printable(b) ? (char)b : (char)next++;
        return map;
    }
}
