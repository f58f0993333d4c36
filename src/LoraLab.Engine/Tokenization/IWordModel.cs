namespace LoraLab.Engine.Tokenization;

/// <summary>The vocabulary model that turns one pre-tokenised piece into ids.</summary>
internal interface IWordModel
{
    IReadOnlyDictionary<string, int> Vocabulary { get; }

    void EncodeWord(string word, List<int> ids);

    /// <summary>The bytes of text a vocabulary token stands for when decoding.</summary>
    byte[] BytesOf(string token);
}
