namespace LoraLab.Engine.Tokenization;

/// <summary>One turn of a conversation; Role is "system", "user" or "assistant".</summary>
public sealed record ChatMessage(string Role, string Content);
