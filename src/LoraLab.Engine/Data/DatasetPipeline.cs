using LoraLab.Engine.Tokenization;

namespace LoraLab.Engine.Data;

/// <summary>Everything that turns a dataset file into training examples.</summary>
/// <param name="Encoding">Maximum length and truncation.</param>
/// <param name="LossOnAllTokens">Learn prompts too, instead of only completions.</param>
/// <param name="Pack">Pack short examples into sequences of up to the maximum length.</param>
/// <param name="Validation">Records held out for validation, or null for none.</param>
/// <param name="Seed">Decides the validation split.</param>
public sealed record DatasetPipelineOptions(
    EncodingOptions Encoding, DatasetReadOptions? Read = null, bool LossOnAllTokens = false, bool Pack = false,
    ValidationSplit? Validation = null, ulong Seed = 0);

/// <summary>A dataset ready for training, with what became of each record and the shape of the examples.</summary>
public sealed record PreparedDataset(
    IReadOnlyList<TrainingExample> Train, IReadOnlyList<TrainingExample> Validation, DatasetReport Report, DatasetStatistics Statistics);

/// <summary>Read, validate, split, render, tokenize, fit and pack a dataset file.</summary>
public static class DatasetPipeline
{
    /// <remarks>
    /// The split is taken over the parsed records before tokenization, so that the validation records do not depend on
    /// the model's tokenizer or the maximum length.
    /// </remarks>
    /// <exception cref="InvalidDataException">No record of the file is usable; the message gives the first reasons.</exception>
    public static PreparedDataset Prepare(string path, ITextTokenizer tokenizer, ChatTemplate template, DatasetPipelineOptions options)
    {
        var parsed = DatasetReader.Read(path, options.Read);
        var (trainRecords, validationRecords) = SplitRecords(parsed, options);

        var encoder = new ExampleEncoder(tokenizer, template, options.Encoding);
        var train = encoder.EncodeAll(trainRecords);
        var validation = encoder.EncodeAll(validationRecords);
        var kept = train.Examples.Concat(validation.Examples).ToList();
        var issues = parsed.Issues.Concat(train.Issues).Concat(validation.Issues).OrderBy(i => i.Line).ToList();
        if (train.Examples.Count == 0)
        {
            if (kept.Count > 0) throw new InvalidDataException($"{path}: every usable record went to validation; hold out fewer records");
            throw DatasetReader.NoUsableRecord(path, parsed.FileType, DatasetFormatNames.NameOf(parsed.Format), parsed.RecordsRead, issues);
        }

        var report = new DatasetReport(path, parsed.FileType, parsed.Format, parsed.RecordsRead, kept.Count, kept.Count(e => e.Truncated), issues);
        var statistics = DatasetStatistics.Compute(kept, options.Encoding.MaxLength);
        return new PreparedDataset(Finish(train.Examples, options), Finish(validation.Examples, options), report, statistics);
    }

    /// <summary>The records <see cref="Prepare"/> trains on and holds out, before they are rendered and tokenized.</summary>
    public static (IReadOnlyList<DatasetRecord> Train, IReadOnlyList<DatasetRecord> Validation) SplitRecords(ParsedDataset parsed, DatasetPipelineOptions options) =>
        options.Validation is null ? (parsed.Records, []) : DatasetSplit.Split(parsed.Records, options.Validation, options.Seed);

    static IReadOnlyList<TrainingExample> Finish(IReadOnlyList<EncodedExample> encoded, DatasetPipelineOptions options)
    {
        var examples = encoded.Select(e => TrainingExample.From(e, options.LossOnAllTokens)).ToList();
        return options.Pack ? SequencePacker.Pack(examples, options.Encoding.MaxLength) : examples;
    }
}
