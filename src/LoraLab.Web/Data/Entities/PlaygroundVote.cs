namespace LoraLab.Web.Data.Entities;

/// <summary>Which of two unlabelled answers was better, A or B, or neither.</summary>
public enum VoteChoice { A, B, Tie }

/// <summary>
/// One blind comparison in the playground: two columns on the same base model answered the same prompt, shown as A and B
/// without their names, and the user (or a judge model the user asked) chose. A null adapter is the base model alone. Deleting an adapter deletes its votes.
/// </summary>
public sealed class PlaygroundVote
{
    public int Id { get; set; }
    public int BaseModelId { get; set; }
    public int? AdapterAId { get; set; }
    public int? AdapterBId { get; set; }
    public VoteChoice Choice { get; set; }
    public required string Prompt { get; set; }
    public required string AnswerA { get; set; }
    public required string AnswerB { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>The id of the user who voted, or who asked the judge.</summary>
    public required string Voter { get; set; }
    /// <summary>The judge model whose verdict this is (a studio model or an endpoint's model), or null for a person's vote.</summary>
    public string? Judge { get; set; }
}
