namespace LoraLab.Web.Adapters;

/// <summary>One adapter of a combination and its weight wᵢ in ΔW = Σ wᵢ·ΔWᵢ.</summary>
public sealed record WeightedAdapter(int AdapterId, double Weight);

/// <summary>
/// A request for a new adapter made from weighted LoRA adapters of one base model. <paramref name="CombinationType"/>
/// is "cat" (exact weighted sum, ranks add up) or "linear" (equal ranks, factors summed: an approximation).
/// </summary>
public sealed record AdapterCombination(IReadOnlyList<WeightedAdapter> Sources, string? Name = null, string CombinationType = "cat");
