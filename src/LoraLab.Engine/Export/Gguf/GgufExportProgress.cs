namespace LoraLab.Engine.Export.Gguf;

/// <summary>Where an export is: a stage as it starts (tensor counts 0), then each tensor written.</summary>
public sealed record GgufExportProgress(string Stage, int TensorsWritten, int TensorCount);
