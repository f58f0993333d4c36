namespace LoraLab.Web.Data.Entities;

/// <summary>What a run does: train an adapter, or answer a dataset's records with an adapter (or the base model alone) and score the answers.</summary>
public enum RunKind { Training, Evaluation }
