using System.Text.Json;
using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Tests.Tokenization;

/// <summary>The shared reference tokenizations in ../shared/fixtures/tokenizers beside the repository.</summary>
internal static class TokenizerFixtures
{
    public static string Gpt2Directory => Path.Combine(Root, "gpt2");
    public static string LlamaSentencePieceDirectory => Path.Combine(Root, "llama-spm");

    static readonly Lazy<string> root = new(FindRoot);
    public static string Root => root.Value;

    public sealed record Case(string Text, int[] Ids)
    {
        public override string ToString() => JsonSerializer.Serialize(Text);
    }

    public static IReadOnlyList<Case> Cases(string directory)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(directory, "cases.json")));
        return document.RootElement.EnumerateArray()
            .Select(c => new Case(c.GetProperty("text").GetString()!, c.GetProperty("ids").EnumerateArray().Select(id => id.GetInt32()).ToArray()))
            .ToList();
    }

    /// <summary>Every case whose encoding (without BOS/EOS, as the references are) differs, with both id lists.</summary>
    public static List<string> EncodingMismatches(ITextTokenizer tokenizer, IReadOnlyList<Case> cases) => cases
        .Select(c => (c, got: tokenizer.Encode(c.Text, addSpecialTokens: false)))
        .Where(r => !r.got.SequenceEqual(r.c.Ids))
        .Select(r => $"{r.c}: expected [{string.Join(",", r.c.Ids)}] got [{string.Join(",", r.got)}]")
        .ToList();

    /// <summary>
    /// ../shared/fixtures beside the repository root (the folder with Web.sln); a git worktree nested one level
    /// deeper finds it one folder further up.
    /// </summary>
    static string FindRoot()
    {
        var repository = new DirectoryInfo(RepositoryFolder.Root);
        for (var above = repository.Parent; above is not null; above = above.Parent)
        {
            string fixtures = Path.Combine(above.FullName, "shared", "fixtures", "tokenizers");
            if (Directory.Exists(fixtures)) return fixtures;
        }
        throw new InvalidOperationException(
            $"the shared tokenizer fixtures are missing: expected {Path.GetFullPath(Path.Combine(repository.FullName, "..", "shared", "fixtures", "tokenizers"))} beside the repository root {repository.FullName}");
    }
}
