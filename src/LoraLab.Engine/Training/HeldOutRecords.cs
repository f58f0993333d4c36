using LoraLab.Engine.Data;

namespace LoraLab.Engine.Training;

/// <summary>
/// The records a run held out of its dataset for validation, exactly as <see cref="FineTuningRun"/> split them: the
/// data section's format and <see cref="DataOptions.ValidationFraction"/>, shuffled by the training seed. Evaluating
/// a run's adapter on them measures it on records it did not learn.
/// </summary>
public static class HeldOutRecords
{
    /// <summary>The pipeline options of a run; with a separate evaluation file, nothing of the training file is held out.</summary>
    public static DatasetPipelineOptions PipelineOptions(DataOptions data, long seed, bool separateEvalFile)
    {
        var read = new DatasetReadOptions(data.Format is null ? null : DatasetFormatNames.Parse(data.Format));
        var split = !separateEvalFile && data.ValidationFraction > 0 ? ValidationSplit.Fraction(data.ValidationFraction) : null;
        return new DatasetPipelineOptions(new EncodingOptions(data.MaxLength), read, data.LossOnAllTokens, data.Pack, split, (ulong)seed);
    }

    /// <summary>The held-out records of <paramref name="datasetFile"/>, in file order; empty when the run held none out.</summary>
    /// <exception cref="InvalidDataException">The file cannot be read as the run read it.</exception>
    public static IReadOnlyList<DatasetRecord> Read(string datasetFile, DataOptions data, long seed)
    {
        var options = PipelineOptions(data, seed, separateEvalFile: false);
        if (options.Validation is null) return [];
        return DatasetPipeline.SplitRecords(DatasetReader.Read(datasetFile, options.Read), options).Validation;
    }
}
