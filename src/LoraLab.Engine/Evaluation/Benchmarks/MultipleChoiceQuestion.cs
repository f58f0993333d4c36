namespace LoraLab.Engine.Evaluation.Benchmarks;

/// <summary>
/// One multiple-choice question as lm-evaluation-harness poses it: the context (the rendered prompt), the choices
/// each scored as <c>Delimiter + choice</c> after it, and the index of the right one.
/// </summary>
public sealed record MultipleChoiceQuestion(string Context, IReadOnlyList<string> Choices, int Answer, string Delimiter = " ");
