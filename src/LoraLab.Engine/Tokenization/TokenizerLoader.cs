namespace LoraLab.Engine.Tokenization;

/// <summary>Loads the tokenizer of a Hugging Face model folder.</summary>
public static class TokenizerLoader
{
    /// <summary>
    /// Reads tokenizer.json, or else the SentencePiece tokenizer.model, then takes BOS/EOS/PAD and
    /// add_bos_token/add_eos_token from tokenizer_config.json and the extra EOS ids of
    /// generation_config.json and config.json when those files are there.
    /// </summary>
    /// <exception cref="InvalidDataException">A file is malformed; the message names it.</exception>
    /// <exception cref="NotSupportedException">A tokenizer kind this engine does not implement; the message names the file and what is supported.</exception>
    public static ITextTokenizer Load(string modelDirectory)
    {
        if (!Directory.Exists(modelDirectory)) throw new DirectoryNotFoundException($"model folder '{modelDirectory}' does not exist");
        string jsonPath = Path.Combine(modelDirectory, "tokenizer.json");
        string sentencePiecePath = Path.Combine(modelDirectory, "tokenizer.model");
        var config = TokenizerConfig.Read(modelDirectory);

        TokenizerSpec spec;
        if (File.Exists(jsonPath)) spec = TokenizerJsonReader.Read(jsonPath);
        else if (File.Exists(sentencePiecePath)) spec = WithConfigAddedTokens(SentencePieceModelReader.Read(sentencePiecePath), config);
        else throw new FileNotFoundException($"{modelDirectory}: has neither tokenizer.json nor tokenizer.model", jsonPath);

        // The ids are checked before the configs add theirs (IdCount must not be sized by a hostile id), and again after.
        spec.CheckIds();
        var complete = WithConfigSpecialTokens(spec, config, modelDirectory);
        complete.CheckIds();
        return new PipelineTokenizer(complete);
    }

    /// <summary>A SentencePiece model knows only its own pieces; tokens added later (chat markers) live in tokenizer_config.json.</summary>
    static TokenizerSpec WithConfigAddedTokens(TokenizerSpec spec, TokenizerConfig config)
    {
        var known = spec.AddedTokens.Select(t => t.Id).ToHashSet();
        return spec with { AddedTokens = [.. spec.AddedTokens, .. config.AddedTokens.Where(t => !known.Contains(t.Id))] };
    }

    static TokenizerSpec WithConfigSpecialTokens(TokenizerSpec spec, TokenizerConfig config, string modelDirectory)
    {
        int idCount = spec.IdCount;
        int? Resolve(string? token, string field)
        {
            if (token is null) return null;
            return spec.IdOf(token) ?? throw new InvalidDataException($"{config.Path}: {field} '{token}' is not in the vocabulary of {spec.SourceFile}");
        }

        int? bos = config.BosToken is null ? spec.BosId : Resolve(config.BosToken, "bos_token");
        IReadOnlyList<int> tokenizerEos = config.EosToken is null ? spec.EosIds : [Resolve(config.EosToken, "eos_token")!.Value];
        int? pad = config.PadToken is null ? spec.PadId : Resolve(config.PadToken, "pad_token");

        var eosIds = new List<int>(tokenizerEos);
        foreach (string file in new[] { "generation_config.json", "config.json" })
        {
            foreach (int id in TokenizerConfig.ReadEosIds(modelDirectory, file))
            {
                if (id < 0 || id >= idCount)
                    throw new InvalidDataException($"{Path.Combine(modelDirectory, file)}: eos_token_id {id} is outside the tokenizer's {idCount} ids");
                if (!eosIds.Contains(id)) eosIds.Add(id);
            }
        }

        // Hugging Face's Llama tokenizers rebuild their post-processor from these two flags.
        IReadOnlyList<int> prefix = config.AddBosToken is bool addBos ? (addBos && bos is int b ? [b] : []) : spec.PrefixIds;
        IReadOnlyList<int> suffix = config.AddEosToken is bool addEos ? (addEos && tokenizerEos.Count > 0 ? [tokenizerEos[0]] : []) : spec.SuffixIds;

        return spec with { BosId = bos, EosIds = eosIds, PadId = pad, PrefixIds = prefix, SuffixIds = suffix };
    }
}
